import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react';

const messages: Record<number, { title: string; text: string }> = {
  400: { title: 'Something in the request was off', text: 'Check what you entered and try again.' },
  403: { title: 'You do not have access to this', text: 'Ask an admin of this workspace for access.' },
  404: { title: 'Page not found', text: 'The page you are looking for does not exist or was moved.' },
  429: { title: 'Slow down a little', text: 'Too many requests. Wait a moment and try again.' },
  500: { title: 'Something went wrong on our side', text: 'It has been logged. Try again in a moment.' },
};

/** Friendly error pages: never a stack trace to a user. */
export function ErrorPage() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const known = messages[status] ?? messages[500];
  // A thrown Response's body is ours (written for people); anything else stays hidden.
  const detail = isRouteErrorResponse(error) && typeof error.data === 'string' && error.data.length < 300 ? error.data : null;
  return (
    <main className="error-page" data-status={status}>
      <p className="error-code">{status}</p>
      <h1>{known.title}</h1>
      <p>{detail && status !== 500 ? detail : known.text}</p>
      <p>
        <Link to="/">Back to Leadflow</Link>
      </p>
    </main>
  );
}
