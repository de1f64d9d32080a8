import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { action as loginAction } from '../routes/login';
import { action as logoutAction } from '../routes/logout';
import { action as signupAction } from '../routes/signup';
import { action as switchAction } from '../routes/tenant.switch';
import { loader as shellLoader } from '../routes/_app';
import { action as settingsAction, loader as settingsLoader } from '../routes/_app.settings._index';
import { loader as leadsLoader } from '../routes/_app.leads._index';
import { appDatabase, formRequest, getRequest, newBrowser, settle, uniqueSlug, type CookieJar } from '../../test/helpers';
import { addMembership, createTenant } from '../models/tenant.server';
import { createUser } from '../models/user.server';
import { revokeAllSessions } from '../models/session.server';
import { createLead } from '../models/lead.server';

const args = (request: Request) => ({ request, params: {}, context: {} });

async function signUpThroughForm(fields: Partial<Record<string, string>> = {}) {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('acme');
  const email = `${slug}@example.com`;
  const res = await settle(() =>
    signupAction(
      args(
        formRequest('/signup', jar, {
          csrf,
          name: 'Ada Owner',
          email,
          password: 'correct horse battery',
          tenantName: 'Acme Inc',
          slug,
          ...fields,
        } as Record<string, string>),
      ),
    ),
  );
  jar.absorb(res);
  return { res, jar, csrf, email, slug };
}

async function login(jar: CookieJar, csrf: string, email: string, password: string) {
  const res = await settle(() => loginAction(args(formRequest('/login', jar, { csrf, email, password, redirectTo: '/leads' }))));
  jar.absorb(res);
  return res;
}

describe('sign-up, login, logout and revocation through the route actions', () => {
  it('signs up: creates the tenant and its owner, and starts a session', async () => {
    const { res, jar, slug } = await signUpThroughForm();
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/leads');
    expect(jar.has('lf_session')).toBe(true);
    const shell = await settle(() => shellLoader(args(getRequest('/leads', jar))));
    expect(shell.status).toBe(200);
    const body = (await shell.json()) as { tenant: { slug: string; role: string } };
    expect(body.tenant).toMatchObject({ slug, role: 'owner' });
  });

  it('shows field errors for bad input and creates nothing', async () => {
    const slug = uniqueSlug('bad');
    const { res } = await signUpThroughForm({ email: 'not-an-email', password: 'short', slug });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { fieldErrors: Record<string, string> };
    expect(body.fieldErrors.email).toMatch(/valid email/);
    expect(body.fieldErrors.password).toMatch(/10 characters/);
    const { rows } = await appDatabase().db.execute(sql`select 1 from users where email = 'not-an-email'`);
    expect(rows).toHaveLength(0);
  });

  it('refuses a taken workspace address and keeps no half-created user', async () => {
    const first = await signUpThroughForm();
    const { res, email } = await signUpThroughForm({ slug: first.slug });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { fieldErrors: Record<string, string> }).fieldErrors.slug).toMatch(/taken/);
    const { rows } = await appDatabase().db.execute(sql`select 1 from users where email = ${email}`);
    expect(rows).toHaveLength(0);
  });

  it('rejects a form without the CSRF token', async () => {
    const { jar } = await newBrowser();
    const res = await settle(() => loginAction(args(formRequest('/login', jar, { email: 'x@example.com', password: 'whatever' }))));
    expect(res.status).toBe(403);
  });

  it('logs in, logs out (revoking the session row) and the old cookie no longer works', async () => {
    const { email } = await signUpThroughForm();
    const { jar, csrf } = await newBrowser();
    const ok = await login(jar, csrf, email, 'correct horse battery');
    expect(ok.status).toBe(302);
    const stolen = jar.header();
    const out = await settle(() => logoutAction(args(formRequest('/logout', jar, { csrf }))));
    expect(out.status).toBe(302);
    expect(out.headers.get('Location')).toBe('/login');
    // Replaying the cookie captured before logout: the session row is revoked.
    const replay = await settle(() => shellLoader(args(new Request('http://localhost/leads', { headers: { Cookie: stolen } }))));
    expect(replay.status).toBe(302);
    expect(replay.headers.get('Location')).toMatch(/^\/login/);
  });

  it('revoking all of a user’s sessions signs out every browser', async () => {
    const { jar, email } = await signUpThroughForm();
    const user = await appDatabase().db.execute<{ id: string }>(sql`select id from users where email = ${email}`);
    await revokeAllSessions(appDatabase().db, user.rows[0].id);
    const res = await settle(() => shellLoader(args(getRequest('/leads', jar))));
    expect(res.status).toBe(302);
  });

  it('wrong password gets a clear message; repeated failures are rate limited', async () => {
    const { email } = await signUpThroughForm();
    const { jar, csrf } = await newBrowser();
    const first = await login(jar, csrf, email, 'wrong password 1');
    expect(first.status).toBe(401);
    expect(((await first.json()) as { formError: string }).formError).toBe('Email or password is incorrect.');
    for (let i = 0; i < 4; i++) await login(jar, csrf, email, `wrong password ${i + 2}`);
    const limited = await login(jar, csrf, email, 'correct horse battery');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { formError: string }).formError).toMatch(/Too many login attempts\. Try again in \d+ minutes?\./);
  });
});

describe('roles are checked on the server', () => {
  it('a viewer can read settings but gets 403 when changing them; an owner may', async () => {
    const owner = await signUpThroughForm();
    const db = appDatabase();
    // Without a tenant or user context the app role sees no tenant at all.
    const visible = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from tenants`);
    expect(visible.rows[0].n).toBe(0);
    const shell = (await (await settle(() => shellLoader(args(getRequest('/leads', owner.jar))))).json()) as { tenant: { id: string } };
    const viewerEmail = `viewer-${owner.slug}@example.com`;
    await db.withTenant(shell.tenant.id, async (tx) => {
      const viewer = await createUser(tx, { email: viewerEmail, password: 'viewer password 1' });
      await addMembership(tx, shell.tenant.id, viewer.id, 'viewer');
    });
    const { jar, csrf } = await newBrowser();
    expect((await login(jar, csrf, viewerEmail, 'viewer password 1')).status).toBe(302);
    expect((await settle(() => settingsLoader(args(getRequest('/settings', jar))))).status).toBe(200);
    const denied = await settle(() => settingsAction(args(formRequest('/settings', jar, { csrf, name: 'Renamed by viewer' }))));
    expect(denied.status).toBe(403);
    const allowed = await settle(() => settingsAction(args(formRequest('/settings', owner.jar, { csrf: owner.csrf, name: 'Renamed by owner' }))));
    expect(allowed.status).toBe(200);
    const after = (await (await settle(() => settingsLoader(args(getRequest('/settings', jar))))).json()) as { profile: { name: string } };
    expect(after.profile.name).toBe('Renamed by owner');
  });

  it('a user cannot switch into a tenant they do not belong to, and sees only their tenant’s leads', async () => {
    const alice = await signUpThroughForm();
    const bob = await signUpThroughForm();
    const bobShell = (await (await settle(() => shellLoader(args(getRequest('/leads', bob.jar))))).json()) as { tenant: { id: string } };
    await appDatabase().withTenant(bobShell.tenant.id, (tx) => createLead(tx, bobShell.tenant.id, { email: 'secret@bob.example' }));
    const denied = await settle(() => switchAction(args(formRequest('/tenant/switch', alice.jar, { csrf: alice.csrf, tenantId: bobShell.tenant.id }))));
    expect(denied.status).toBe(403);
    const leads = (await (await settle(() => leadsLoader(args(getRequest('/leads', alice.jar))))).json()) as { leads: Array<{ email: string }> };
    expect(leads.leads.map((l) => l.email)).not.toContain('secret@bob.example');
    const bobLeads = (await (await settle(() => leadsLoader(args(getRequest('/leads', bob.jar))))).json()) as { leads: Array<{ email: string }> };
    expect(bobLeads.leads.map((l) => l.email)).toContain('secret@bob.example');
  });

  it('agency staff can switch into client tenants (as admin), members of several tenants see a switcher', async () => {
    const agency = await signUpThroughForm();
    const shell = (await (await settle(() => shellLoader(args(getRequest('/leads', agency.jar))))).json()) as { tenant: { id: string } };
    const client = await createTenant(appDatabase(), { slug: uniqueSlug('client'), name: 'Client Co', parentTenantId: shell.tenant.id });
    const after = (await (await settle(() => shellLoader(args(getRequest('/leads', agency.jar))))).json()) as {
      tenants: Array<{ id: string; via: string }>;
    };
    expect(after.tenants).toContainEqual({ id: client.id, name: 'Client Co', via: 'agency' });
    const switched = await settle(() => switchAction(args(formRequest('/tenant/switch', agency.jar, { csrf: agency.csrf, tenantId: client.id }))));
    expect(switched.status).toBe(302);
    const now = (await (await settle(() => shellLoader(args(getRequest('/leads', agency.jar))))).json()) as { tenant: { id: string; role: string } };
    expect(now.tenant).toMatchObject({ id: client.id, role: 'admin' });
  });
});
