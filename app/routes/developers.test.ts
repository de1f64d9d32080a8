import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appDatabase, formRequest, getRequest, newBrowser, settle, uniqueSlug } from '../../test/helpers';
import { action as signupAction } from './signup';
import { action as loginAction } from './login';
import { action, loader } from './_app.settings.developers';
import { loader as leadsApi } from './api.v1.leads';
import { action as capture } from './api.v1.capture.$captureKey';
import { addMembership } from '../models/tenant.server';
import { createUser } from '../models/user.server';

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

async function owner() {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('dev');
  const res = await settle(() =>
    signupAction(args(formRequest('/signup', jar, { csrf, name: 'Dev', email: `${slug}@example.com`, password: 'correct horse battery', tenantName: 'Dev Co', slug }))),
  );
  jar.absorb(res);
  return { jar, csrf, slug };
}

describe('Settings → API & forms', () => {
  it('creates a key shown once that works on the API, and revokes it', async () => {
    const o = await owner();
    const created = await settle(() => action(args(formRequest('/settings/developers', o.jar, { csrf: o.csrf, intent: 'create', name: 'Zapier', scopes: 'read' }))));
    const body = (await created.json()) as { created: { key: string } };
    expect(body.created.key).toMatch(/^lf_/);
    const page = (await (await settle(() => loader(args(getRequest('/settings/developers', o.jar))))).json()) as {
      keys: Array<{ id: string; prefix: string; name: string }>;
      captureKey: string;
    };
    expect(JSON.stringify(page)).not.toContain(body.created.key); // never shown again
    const key = page.keys.find((k) => k.name === 'Zapier')!;
    expect(body.created.key.startsWith(key.prefix)).toBe(true);
    const ok = await leadsApi(args(new Request('http://localhost/api/v1/leads', { headers: { Authorization: `Bearer ${body.created.key}` } })));
    expect(ok.status).toBe(200);
    await settle(() => action(args(formRequest('/settings/developers', o.jar, { csrf: o.csrf, intent: 'revoke', id: key.id }))));
    const denied = await leadsApi(args(new Request('http://localhost/api/v1/leads', { headers: { Authorization: `Bearer ${body.created.key}` } })));
    expect(denied.status).toBe(401);
  });

  it('validates the form with field errors', async () => {
    const o = await owner();
    const res = await settle(() => action(args(formRequest('/settings/developers', o.jar, { csrf: o.csrf, intent: 'create', name: '' }))));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toMatchObject({ name: expect.any(String), scopes: expect.any(String) });
  });

  it('the generated form snippet posts to this tenant’s capture key and captures a lead', async () => {
    const o = await owner();
    const page = (await (await settle(() => loader(args(getRequest('/settings/developers', o.jar))))).json()) as { captureKey: string };
    const { captureSnippet } = await import('./_app.settings.developers');
    const html = captureSnippet('http://localhost', page.captureKey);
    const actionUrl = /action="([^"]+)"/.exec(html)![1];
    expect(actionUrl).toBe(`http://localhost/api/v1/capture/${page.captureKey}`);
    for (const name of ['email', 'first_name', 'company', '_gotcha', '_redirect']) expect(html).toContain(`name="${name}"`);
    const res = await capture(
      args(new Request(actionUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=snippet%40example.com&first_name=Sni&_gotcha=' }), {
        captureKey: page.captureKey,
      }),
    );
    expect(res.status).toBe(201);
    const tenantId = (await appDatabase().tenantIdBySlug(o.slug))!;
    const rows = await appDatabase().withTenant(tenantId, (tx) => tx.execute(sql`select 1 from leads where email_key = 'snippet@example.com'`));
    expect(rows.rows).toHaveLength(1);
  });

  it('is for admins only', async () => {
    const o = await owner();
    const tenantId = (await appDatabase().tenantIdBySlug(o.slug))!;
    const email = `rep-${o.slug}@example.com`;
    await appDatabase().withTenant(tenantId, async (tx) => {
      const u = await createUser(tx, { email, password: 'rep password 12' });
      await addMembership(tx, tenantId, u.id, 'rep');
    });
    const { jar, csrf } = await newBrowser();
    jar.absorb(await settle(() => loginAction(args(formRequest('/login', jar, { csrf, email, password: 'rep password 12' })))));
    expect((await settle(() => loader(args(getRequest('/settings/developers', jar))))).status).toBe(403);
    expect((await settle(() => action(args(formRequest('/settings/developers', jar, { csrf, intent: 'create', name: 'x', scopes: 'read' }))))).status).toBe(403);
  });
});
