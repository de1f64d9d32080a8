/**
 * CSRF protection for mutating forms: a double-submit token. The token lives in an httpOnly,
 * signed, SameSite=Lax cookie and is rendered into every form (<CsrfInput/>); an action accepts
 * the form only when both match.
 */
import crypto from 'node:crypto';
import { createCookie } from '@remix-run/node';
import { env, sessionSecret } from './env.server';
import { forbidden } from './http.server';

export const CSRF_FIELD = 'csrf';

let cookie: ReturnType<typeof createCookie> | undefined;
function csrfCookie() {
  cookie ??= createCookie('lf_csrf', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: env().NODE_ENV === 'production',
    secrets: [sessionSecret()],
  });
  return cookie;
}

/** The request's CSRF token, and a Set-Cookie header when a new one had to be issued. */
export async function getCsrfToken(request: Request): Promise<{ token: string; setCookie: string | null }> {
  const existing = await csrfCookie().parse(request.headers.get('Cookie'));
  if (typeof existing === 'string' && existing.length >= 32) return { token: existing, setCookie: null };
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, setCookie: await csrfCookie().serialize(token) };
}

/** Throws 403 unless the form carries the cookie's token. */
export async function assertCsrf(request: Request, form: FormData): Promise<void> {
  const expected = await csrfCookie().parse(request.headers.get('Cookie'));
  const given = form.get(CSRF_FIELD);
  if (typeof expected !== 'string' || typeof given !== 'string' || expected.length !== given.length) {
    throw forbidden('Your form expired or was sent from another site. Reload the page and try again.');
  }
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
    throw forbidden('Your form expired or was sent from another site. Reload the page and try again.');
  }
}
