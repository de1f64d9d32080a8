/**
 * One error shape for the API (RFC 9457 problem+json) and helpers that throw Responses, so that
 * loaders/actions can `throw forbidden()` and Remix renders the nearest ErrorBoundary.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ field?: string; row?: number; column?: string; message: string }>;
  [extension: string]: unknown;
}

export function problem(p: Problem, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/problem+json');
  return new Response(JSON.stringify({ type: 'about:blank', ...p }), { ...init, status: p.status, headers });
}

export function forbidden(detail = 'You do not have permission to do this.'): Response {
  return new Response(detail, { status: 403, statusText: 'Forbidden' });
}

export function notFound(detail = 'Not found'): Response {
  return new Response(detail, { status: 404, statusText: 'Not Found' });
}
