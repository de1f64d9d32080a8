/**
 * Authentication (remix-auth, form strategy) and authorisation helpers. Every loader and action
 * calls `requireUser` / `requireTenant` itself: layouts do not protect their children, and the
 * tenant always comes from the verified session — never from a URL or a form field.
 */
import { createCookie, redirect } from '@remix-run/node';
import { and, eq } from 'drizzle-orm';
import { Authenticator } from 'remix-auth';
import { FormStrategy } from 'remix-auth-form';
import { z } from 'zod';
import { schema } from '../../db';
import type { Role } from '../../db/schema';
import { createSession, findLiveSession, revokeSession, setActiveTenant, SESSION_TTL_MS, type SessionRow } from '../models/session.server';
import { listMembershipsForUser, roleAtLeast, type MembershipSummary } from '../models/tenant.server';
import { getUserById, verifyLogin, type PublicUser } from '../models/user.server';
import { database } from './db.server';
import { env, sessionSecret } from './env.server';
import { forbidden } from './http.server';
import { clearRateLimit, hitRateLimit, peekRateLimit } from './rate-limit.server';

let sessionCookieInstance: ReturnType<typeof createCookie> | undefined;
export function sessionCookie() {
  sessionCookieInstance ??= createCookie('lf_session', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: env().NODE_ENV === 'production',
    secrets: [sessionSecret()],
    maxAge: SESSION_TTL_MS / 1000,
  });
  return sessionCookieInstance;
}

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email address').max(254),
  password: z.string().min(1, 'Enter your password').max(200),
});

/** A login failure with a message for the user and, where it applies, a field. */
export class LoginError extends Error {
  constructor(
    message: string,
    public readonly status: 400 | 401 | 429,
    public readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

/** Any request with headers (a Fetch Request, or the node:http capture adapter's view of one). */
export function clientIp(request: { headers: { get(name: string): string | null } }): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'local';
}

let authenticatorInstance: Authenticator<PublicUser> | undefined;
export function authenticator(): Authenticator<PublicUser> {
  if (authenticatorInstance) return authenticatorInstance;
  const auth = new Authenticator<PublicUser>();
  auth.use(
    new FormStrategy(async ({ form, request }) => {
      const parsed = loginSchema.safeParse(Object.fromEntries(form));
      if (!parsed.success) {
        const fieldErrors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]));
        throw new LoginError('Check the highlighted fields.', 400, fieldErrors);
      }
      const { email, password } = parsed.data;
      const db = database().db;
      const { LOGIN_MAX_ATTEMPTS: max, LOGIN_WINDOW_SECONDS: windowSeconds } = env();
      const emailKey = `login:${email.toLowerCase()}`;
      const ipKey = `login-ip:${clientIp(request)}`;
      // Refuse before checking the password, so a locked account gives an attacker no oracle.
      const [byEmail, byIp] = await Promise.all([peekRateLimit(db, emailKey, max), peekRateLimit(db, ipKey, max * 10)]);
      const blocked = !byEmail.allowed ? byEmail : !byIp.allowed ? byIp : null;
      if (blocked) {
        const minutes = Math.ceil(blocked.retryAfterSeconds / 60);
        throw new LoginError(
          `Too many login attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          429,
        );
      }
      const user = await verifyLogin(db, email, password);
      if (!user) {
        await Promise.all([hitRateLimit(db, emailKey, max, windowSeconds), hitRateLimit(db, ipKey, max * 10, windowSeconds)]);
        throw new LoginError('Email or password is incorrect.', 401);
      }
      await clearRateLimit(db, emailKey);
      return { id: user.id, email: user.email, name: user.name };
    }),
    'form',
  );
  authenticatorInstance = auth;
  return auth;
}

/** Starts a session for the user and returns the Set-Cookie header. */
export async function startSession(request: Request, userId: string, activeTenantId: string | null): Promise<string> {
  const session = await createSession(database().db, {
    userId,
    activeTenantId,
    userAgent: request.headers.get('user-agent'),
    ip: clientIp(request),
  });
  return sessionCookie().serialize(session.token);
}

export interface UserContext {
  session: SessionRow;
  user: PublicUser;
}

export async function getUserContext(request: Request): Promise<UserContext | null> {
  const token = await sessionCookie().parse(request.headers.get('Cookie'));
  if (typeof token !== 'string' || token.length < 20) return null;
  const db = database().db;
  const session = await findLiveSession(db, token);
  if (!session) return null;
  const user = await getUserById(db, session.userId);
  if (!user) return null;
  return { session, user: { id: user.id, email: user.email, name: user.name } };
}

function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  return redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

export async function requireUser(request: Request): Promise<UserContext> {
  const ctx = await getUserContext(request);
  if (!ctx) throw loginRedirect(request);
  return ctx;
}

export interface TenantAccess {
  tenantId: string;
  slug: string;
  name: string;
  role: Role;
  branding: unknown;
  /** 'member' = direct membership; 'agency' = via an admin membership of the parent (agency) tenant. */
  via: 'member' | 'agency';
}

/**
 * Every tenant the user may act in: direct memberships, plus client tenants of agencies in which
 * the user is an admin or owner (acting there as admin at most).
 */
export async function accessibleTenants(userId: string): Promise<TenantAccess[]> {
  const memberships = await listMembershipsForUser(database(), userId);
  const result: TenantAccess[] = memberships.map((m: MembershipSummary) => ({ ...m, via: 'member' as const }));
  const seen = new Set(result.map((t) => t.tenantId));
  for (const m of memberships) {
    if (!roleAtLeast(m.role, 'admin')) continue;
    const clients = await database().withTenant({ tenantId: m.tenantId, userId }, (tx) =>
      tx
        .select({ tenantId: schema.tenants.id, slug: schema.tenants.slug, name: schema.tenants.name, branding: schema.tenants.branding })
        .from(schema.tenants)
        .where(and(eq(schema.tenants.parentTenantId, m.tenantId))),
    );
    for (const c of clients) {
      if (seen.has(c.tenantId)) continue;
      seen.add(c.tenantId);
      result.push({ ...c, role: 'admin', via: 'agency' });
    }
  }
  return result;
}

export interface TenantContext extends UserContext {
  tenant: TenantAccess;
  tenants: TenantAccess[];
}

/**
 * The signed-in user acting in their active tenant, with at least `minimumRole`. Throws a
 * redirect to /login when signed out, and 403 when the role is insufficient or no tenant is left.
 */
export async function requireTenant(request: Request, minimumRole: Role = 'viewer'): Promise<TenantContext> {
  const ctx = await requireUser(request);
  const tenants = await accessibleTenants(ctx.user.id);
  let tenant = tenants.find((t) => t.tenantId === ctx.session.activeTenantId);
  if (!tenant) {
    tenant = tenants[0];
    if (!tenant) throw forbidden('Your account is not a member of any workspace.');
    await setActiveTenant(database().db, ctx.session.id, tenant.tenantId);
  }
  if (!roleAtLeast(tenant.role, minimumRole)) throw forbidden();
  return { ...ctx, tenant, tenants };
}

/** Signs out: revokes the session row and clears the cookie. */
export async function logout(request: Request): Promise<Response> {
  const ctx = await getUserContext(request);
  if (ctx) await revokeSession(database().db, ctx.session.id);
  return redirect('/login', { headers: { 'Set-Cookie': await sessionCookie().serialize('', { maxAge: 0 }) } });
}

export async function switchTenant(ctx: UserContext, tenantId: string): Promise<boolean> {
  const tenants = await accessibleTenants(ctx.user.id);
  if (!tenants.some((t) => t.tenantId === tenantId)) return false;
  await setActiveTenant(database().db, ctx.session.id, tenantId);
  return true;
}
