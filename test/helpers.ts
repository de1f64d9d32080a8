/**
 * Test helpers: the application-role database (RLS on, as in production), an owner connection
 * for catalog checks, and a tiny cookie jar to drive route loaders/actions like a browser.
 */
import crypto from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { createDatabase, type Database } from '../db';
import { loader as rootLoader } from '../app/root';

let app: Database | undefined;
export function appDatabase(): Database {
  app ??= createDatabase(process.env.APP_DATABASE_URL!);
  return app;
}

export function ownerClient(): pg.Client {
  return new pg.Client({ connectionString: inject('ownerDatabaseUrl') });
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

export class CookieJar {
  private cookies = new Map<string, string>();
  absorb(response: Response): this {
    const setCookies = response.headers.getSetCookie?.() ?? [];
    for (const header of setCookies) {
      const [pair] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return this;
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** A browser-like session: fetches the CSRF cookie and token from the root loader. */
export async function newBrowser(): Promise<{ jar: CookieJar; csrf: string }> {
  const jar = new CookieJar();
  const res = (await rootLoader({ request: new Request('http://localhost/'), params: {}, context: {} })) as Response;
  jar.absorb(res);
  const body = (await res.json()) as { csrf: string };
  return { jar, csrf: body.csrf };
}

export function formRequest(url: string, jar: CookieJar, fields: Record<string, string>): Request {
  return new Request(`http://localhost${url}`, {
    method: 'POST',
    headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export function getRequest(url: string, jar: CookieJar): Request {
  return new Request(`http://localhost${url}`, { headers: { Cookie: jar.header() } });
}

/** Runs a loader/action and returns the Response, whether it was returned or thrown. */
export async function settle(fn: () => Promise<unknown>): Promise<Response> {
  try {
    const out = await fn();
    if (out instanceof Response) return out;
    return new Response(JSON.stringify(out ?? null), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The PostgreSQL error under drizzle's "Failed query" wrapper. */
export async function pgErrorOf(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { message: string; code?: string; cause?: { message: string; code?: string } };
    return e.cause?.message ? { message: e.cause.message, code: e.cause.code } : { message: e.message, code: e.code };
  }
  throw new Error('expected the database to refuse, but it accepted');
}
