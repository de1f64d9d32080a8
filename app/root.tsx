import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Links, LiveReload, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';
import { ErrorPage } from './components/error-page';
import { getCsrfToken } from './lib/csrf.server';
import { timeZoneFromRequest, timeZoneHintScript } from './lib/time-zone';
import styles from './styles/app.css';

export const links: LinksFunction = () => [
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
  { rel: 'stylesheet', href: styles },
];

export const meta: MetaFunction = () => [{ title: 'Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, setCookie } = await getCsrfToken(request);
  // Live reload only under `npm run dev`: remix dev sets REMIX_DEV_ORIGIN for this server (it is
  // not an app setting, so not in env.server.ts).
  // eslint-disable-next-line no-restricted-properties
  const liveReload = Boolean(process.env.REMIX_DEV_ORIGIN);
  return json(
    { csrf: token, timeZone: timeZoneFromRequest(request), liveReload },
    setCookie ? { headers: { 'Set-Cookie': setCookie } } : undefined,
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const liveReload = useRouteLoaderData<typeof loader>('root')?.liveReload ?? false;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <script dangerouslySetInnerHTML={{ __html: timeZoneHintScript }} />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
        {liveReload ? <LiveReload /> : null}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
