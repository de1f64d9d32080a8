import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, uniqueSlug } from '../../test/helpers';
import { createTenant } from '../models/tenant.server';
import { createApiKey, revokeApiKey } from '../models/api-key.server';
import { leadResourceSchema, eventResourceSchema } from '../models/lead-api';
import * as leadsRoute from './api.v1.leads';
import * as leadRoute from './api.v1.leads.$leadId';
import * as bulkRoute from './api.v1.leads.bulk';
import * as eventsRoute from './api.v1.leads.$leadId.events';
import * as captureRoute from './api.v1.capture.$captureKey';
import * as openapiRoute from './api.v1.openapi[.json]';

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response>;

async function call(handler: Handler, method: string, url: string, opts: { key?: string; body?: unknown; headers?: Record<string, string>; params?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await handler({ request: new Request(`http://localhost${url}`, { method, headers, body }), params: opts.params ?? {}, context: {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const leads = { loader: leadsRoute.loader as unknown as Handler, action: leadsRoute.action as unknown as Handler };
const lead = { loader: leadRoute.loader as unknown as Handler, action: leadRoute.action as unknown as Handler };
const events = { loader: eventsRoute.loader as unknown as Handler, action: eventsRoute.action as unknown as Handler };

describe('REST API', () => {
  const db = appDatabase();
  let tenantA: string;
  let tenantB: string;
  let keyA: string; // read + write
  let readOnlyA: string;
  let keyB: string;

  beforeAll(async () => {
    tenantA = (await createTenant(db, { slug: uniqueSlug('api-a'), name: 'API A' })).id;
    tenantB = (await createTenant(db, { slug: uniqueSlug('api-b'), name: 'API B' })).id;
    keyA = (await db.withTenant(tenantA, (tx) => createApiKey(tx, tenantA, { name: 'rw', scopes: ['read', 'write'] }))).key;
    readOnlyA = (await db.withTenant(tenantA, (tx) => createApiKey(tx, tenantA, { name: 'ro', scopes: ['read'] }))).key;
    keyB = (await db.withTenant(tenantB, (tx) => createApiKey(tx, tenantB, { name: 'rw', scopes: ['read', 'write'] }))).key;
  });

  it('requires a valid key and the right scope, answering problem+json', async () => {
    const none = await call(leads.loader, 'GET', '/api/v1/leads');
    expect(none.status).toBe(401);
    expect(none.headers.get('Content-Type')).toBe('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, title: 'Authentication required' });
    expect((await call(leads.loader, 'GET', '/api/v1/leads', { key: 'lf_' + 'x'.repeat(43) })).status).toBe(401);
    const ro = await call(leads.action, 'POST', '/api/v1/leads', { key: readOnlyA, body: { email: 'ro@example.com' } });
    expect(ro.status).toBe(403);
    expect(ro.body?.title).toBe('Insufficient scope');
  });

  it('creates, reads, lists, updates and deletes a lead', async () => {
    const created = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: ' Ada@Example.COM ', firstName: 'Ada', tags: ['vip'] } });
    expect(created.status).toBe(201);
    const resource = leadResourceSchema.parse(created.body!.data);
    expect(resource).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', stage: 'new', tags: ['vip'] });
    const got = await call(lead.loader, 'GET', `/api/v1/leads/${resource.id}`, { key: readOnlyA, params: { leadId: resource.id } });
    expect(got.status).toBe(200);
    const list = await call(leads.loader, 'GET', '/api/v1/leads?tag=vip', { key: readOnlyA });
    expect(list.body!.data.map((l: { id: string }) => l.id)).toContain(resource.id);
    const patched = await call(lead.action, 'PATCH', `/api/v1/leads/${resource.id}`, { key: keyA, params: { leadId: resource.id }, body: { stage: 'mql', lastName: 'Lovelace' } });
    expect(patched.status).toBe(200);
    expect(patched.body!.data).toMatchObject({ stage: 'mql', lastName: 'Lovelace' });
    const history = await call(events.loader, 'GET', `/api/v1/leads/${resource.id}/events`, { key: keyA, params: { leadId: resource.id } });
    expect(history.body!.data.map((e: { type: string }) => e.type).sort()).toEqual(['created', 'stage_changed', 'updated']);
    for (const e of history.body!.data) eventResourceSchema.parse(e);
    const deleted = await call(lead.action, 'DELETE', `/api/v1/leads/${resource.id}`, { key: keyA, params: { leadId: resource.id } });
    expect(deleted.status).toBe(204);
    expect((await call(lead.loader, 'GET', `/api/v1/leads/${resource.id}`, { key: keyA, params: { leadId: resource.id } })).status).toBe(404);
  });

  it('merges a known email instead of duplicating, recording conflicts', async () => {
    const first = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: 'grace@example.com', firstName: 'Grace', companyName: 'Navy' } });
    const second = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: 'GRACE@example.com', firstName: 'G.', title: 'Rear Admiral' } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'merged', conflicts: [{ field: 'firstName', kept: 'Grace', incoming: 'G.' }] });
    expect(second.body!.data).toMatchObject({ id: first.body!.data.id, firstName: 'Grace', title: 'Rear Admiral', companyName: 'Navy' });
  });

  it('validates bodies with field errors and rejects non-JSON', async () => {
    const bad = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: 'not-an-email', stage: '', nope: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body!.errors.map((e: { field: string }) => e.field).sort()).toEqual(expect.arrayContaining(['email', 'stage']));
    expect((await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: '{nope', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: 'email=x', headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    const badFilter = await call(leads.loader, 'GET', '/api/v1/leads?scoreMin=abc&sort=sideways', { key: keyA });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body!.errors.map((e: { field: string }) => e.field).sort()).toEqual(['scoreMin', 'sort']);
  });

  it('honours Idempotency-Key on POST: same body replays, another body is refused', async () => {
    const headers = { 'Idempotency-Key': `k-${uniqueSlug()}` };
    const body = { email: `idem-${uniqueSlug()}@example.com` };
    const first = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body, headers });
    const again = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: 'other@example.com' }, headers });
    expect(other.status).toBe(422);
    // Concurrent duplicates: exactly one lead, both answers identical.
    const concurrent = { 'Idempotency-Key': `c-${uniqueSlug()}` };
    const cbody = { email: `conc-${uniqueSlug()}@example.com` };
    const [r1, r2] = await Promise.all([
      call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: cbody, headers: concurrent }),
      call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: cbody, headers: concurrent }),
    ]);
    expect(r1.body!.data.id).toBe(r2.body!.data.id);
    const n = await db.withTenant(tenantA, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events where type = 'created' and lead_id = ${r1.body!.data.id}`));
    expect(n.rows[0].n).toBe(1);
  });

  it('keeps tenants apart on every route: another tenant’s key sees 404 and changes nothing', async () => {
    const own = await call(leads.action, 'POST', '/api/v1/leads', { key: keyA, body: { email: `own-${uniqueSlug()}@example.com`, firstName: 'Mine' } });
    const id = own.body!.data.id as string;
    const p = { leadId: id };
    expect((await call(lead.loader, 'GET', `/api/v1/leads/${id}`, { key: keyB, params: p })).status).toBe(404);
    expect((await call(lead.action, 'PATCH', `/api/v1/leads/${id}`, { key: keyB, params: p, body: { firstName: 'Stolen' } })).status).toBe(404);
    expect((await call(lead.action, 'DELETE', `/api/v1/leads/${id}`, { key: keyB, params: p })).status).toBe(404);
    expect((await call(events.loader, 'GET', `/api/v1/leads/${id}/events`, { key: keyB, params: p })).status).toBe(404);
    expect((await call(events.action, 'POST', `/api/v1/leads/${id}/events`, { key: keyB, params: p, body: { type: 'note', payload: { text: 'x' } } })).status).toBe(404);
    const listB = await call(leads.loader, 'GET', '/api/v1/leads?limit=200', { key: keyB });
    expect(listB.body!.data.map((l: { id: string }) => l.id)).not.toContain(id);
    const still = await call(lead.loader, 'GET', `/api/v1/leads/${id}`, { key: keyA, params: p });
    expect(still.body!.data.firstName).toBe('Mine');
  });

  it('a revoked key stops working', async () => {
    const k = await db.withTenant(tenantA, (tx) => createApiKey(tx, tenantA, { name: 'temp', scopes: ['read'] }));
    expect((await call(leads.loader, 'GET', '/api/v1/leads', { key: k.key })).status).toBe(200);
    await db.withTenant(tenantA, (tx) => revokeApiKey(tx, tenantA, k.id));
    expect((await call(leads.loader, 'GET', '/api/v1/leads', { key: k.key })).status).toBe(401);
  });

  it('adds events and paginates the list with a cursor', async () => {
    const emails = Array.from({ length: 5 }, (_, i) => `page${i}-${uniqueSlug()}@paging.example`);
    for (const email of emails) await call(leads.action, 'POST', '/api/v1/leads', { key: keyB, body: { email, channel: 'paging' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(leads.loader, 'GET', `/api/v1/leads?channel=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: keyB });
      seen.push(...page.body!.data.map((l: { email: string }) => l.email));
      cursor = page.body!.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...emails].sort());
    expect((await call(leads.loader, 'GET', '/api/v1/leads?cursor=garbage', { key: keyB })).status).toBe(400);
    const leadId = (await call(leads.loader, 'GET', '/api/v1/leads?channel=paging&limit=1', { key: keyB })).body!.data[0].id;
    const ev = await call(events.action, 'POST', `/api/v1/leads/${leadId}/events`, { key: keyB, params: { leadId }, body: { type: 'call', payload: { minutes: 5 }, occurredAt: '2025-01-02T03:04:05Z' } });
    expect(ev.status).toBe(201);
    expect(ev.body!.data).toMatchObject({ type: 'call', payload: { minutes: 5 }, occurredAt: '2025-01-02T03:04:05.000Z' });
    expect((await call(events.action, 'POST', `/api/v1/leads/${leadId}/events`, { key: keyB, params: { leadId }, body: { type: 'created' } })).status).toBe(422);
  });
});

describe('capture endpoint', () => {
  const db = appDatabase();
  let tenantId: string;
  let captureKey: string;
  const capture = captureRoute.action as unknown as Handler;

  beforeAll(async () => {
    const t = await createTenant(db, { slug: uniqueSlug('cap'), name: 'Capture Co' });
    tenantId = t.id;
    captureKey = t.captureKey;
  });

  const post = (body: string, type: string, headers: Record<string, string> = {}) =>
    call(capture, 'POST', `/api/v1/capture/${captureKey}`, { body, headers: { 'Content-Type': type, ...headers }, params: { captureKey } });

  it('accepts a form post, parses UTM/referrer, answers with CORS after commit', async () => {
    const form = new URLSearchParams({
      email: 'Form@Example.com',
      name: 'Form Person',
      company: 'Acme',
      page_url: 'https://www.acme.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring',
      referrer: 'https://www.google.com/',
      favourite_colour: 'blue',
    });
    const res = await post(form.toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(201);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const row = await db.withTenant(tenantId, (tx) =>
      tx.execute<{ first_name: string; last_name: string; channel: string; source: string; campaign: string; landing_page: string; first_touch: { channel: string } }>(
        sql`select first_name, last_name, channel, source, campaign, landing_page, first_touch from leads where email_key = 'form@example.com'`,
      ),
    );
    expect(row.rows[0]).toMatchObject({ first_name: 'Form', last_name: 'Person', channel: 'paid_search', source: 'google', campaign: 'spring', landing_page: 'https://www.acme.example/pricing' });
    const ev = await db.withTenant(tenantId, (tx) => tx.execute<{ type: string; payload: { fields: Record<string, string> } }>(sql`select type, payload from lead_events where actor_type = 'capture' order by occurred_at`));
    expect(ev.rows[0]).toMatchObject({ type: 'form_submitted', payload: { fields: { favourite_colour: 'blue' } } });
  });

  it('accepts JSON, redirects when asked, merges a known email', async () => {
    const res = await post(JSON.stringify({ email: 'form@example.com', phone: '+44 20 7946 0000', _redirect: 'https://acme.example/thanks' }), 'application/json');
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('https://acme.example/thanks');
    const rows = await db.withTenant(tenantId, (tx) => tx.execute<{ n: number; phone: string }>(sql`select count(*)::int as n, max(phone) as phone from leads where email_key = 'form@example.com'`));
    expect(rows.rows[0]).toEqual({ n: 1, phone: '+44 20 7946 0000' });
  });

  it('silently drops honeypot submissions', async () => {
    const res = await post(new URLSearchParams({ email: 'bot@spam.example', _gotcha: 'http://spam' }).toString(), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(201);
    const rows = await db.withTenant(tenantId, (tx) => tx.execute(sql`select 1 from leads where email_key = 'bot@spam.example'`));
    expect(rows.rows).toHaveLength(0);
  });

  it('rejects bad input with problem+json and unknown keys with 404; answers preflight', async () => {
    const invalid = await post(JSON.stringify({ email: 'nope' }), 'application/json');
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect((await post(JSON.stringify({ first_name: 'NoContact' }), 'application/json')).status).toBe(422);
    expect((await post('[1,2]', 'application/json')).status).toBe(400);
    const unknown = await call(capture, 'POST', '/api/v1/capture/pk_00000000000000000000000000000000', { body: '{}', params: { captureKey: 'pk_00000000000000000000000000000000' } });
    expect(unknown.status).toBe(404);
    const preflight = await call(capture, 'OPTIONS', `/api/v1/capture/${captureKey}`, { params: { captureKey } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('POST');
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the API routes, with the methods they implement', async () => {
    const doc = (await (await openapiRoute.loader({ request: new Request('http://localhost/api/v1/openapi.json'), params: {}, context: {} })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    // Route files → URL templates (Remix flat routes: dots are slashes, $param is {param}, [.] escapes).
    const routeFiles = fs.readdirSync(path.join(import.meta.dirname)).filter((f) => /^api\.v1\..*\.ts$/.test(f) && !f.endsWith('.test.ts'));
    const fromFiles = routeFiles
      .map((f) =>
        '/' +
        f
          .replace(/\.ts$/, '')
          .replace(/\[\.\]|\[(\.[a-z]+)\]/g, (_m, ext: string | undefined) => (ext ? ext.replace('.', '\u0000') : '\u0000'))
          .split('.')
          .map((seg) => (seg.startsWith('$') ? `{${seg.slice(1)}}` : seg))
          .join('/')
          .replace(/\u0000/g, '.'),
      )
      .sort();
    expect(Object.keys(doc.paths).sort()).toEqual(fromFiles);
    // Every documented method is implemented (answers something other than 405); others are refused.
    const modules: Record<string, { loader?: Handler; action?: Handler }> = {
      '/api/v1/leads': leadsRoute as never,
      '/api/v1/leads/{leadId}': leadRoute as never,
      '/api/v1/leads/bulk': bulkRoute as never,
      '/api/v1/leads/{leadId}/events': eventsRoute as never,
      '/api/v1/capture/{captureKey}': captureRoute as never,
      '/api/v1/openapi.json': openapiRoute as never,
    };
    for (const [p, ops] of Object.entries(doc.paths)) {
      const mod = modules[p];
      expect(mod, p).toBeDefined();
      for (const method of ['get', 'post', 'patch', 'delete', 'options', 'put']) {
        const documented = method in ops;
        const handler = method === 'get' ? mod.loader : mod.action;
        let status = 405;
        if (handler) {
          const res = await handler({
            request: new Request(`http://localhost${p.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000')}`, { method: method.toUpperCase() }),
            params: { leadId: '00000000-0000-7000-8000-000000000000', captureKey: 'pk_00000000000000000000000000000000' },
            context: {},
          });
          status = res.status;
        }
        if (documented) expect(status, `${method} ${p}`).not.toBe(405);
        else expect(status, `${method} ${p} is undocumented`).toBe(405);
      }
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Lead', 'LeadInput', 'LeadEvent', 'Problem']));
  });
});

describe('bulk lead operations (workflow callbacks)', () => {
  const db = appDatabase();
  const bulk = bulkRoute.action as unknown as Handler;
  let tenantId: string;
  let key: string;
  let otherKey: string;
  let leadId: string;

  beforeAll(async () => {
    tenantId = (await createTenant(db, { slug: uniqueSlug('bulk'), name: 'Bulk' })).id;
    const other = (await createTenant(db, { slug: uniqueSlug('bulk-o'), name: 'Other' })).id;
    key = (await db.withTenant(tenantId, (tx) => createApiKey(tx, tenantId, { name: 'wf', scopes: ['read', 'write'] }))).key;
    otherKey = (await db.withTenant(other, (tx) => createApiKey(tx, other, { name: 'wf', scopes: ['read', 'write'] }))).key;
    leadId = (await call(leads.action, 'POST', '/api/v1/leads', { key, body: { email: 'bulk@example.com', tags: ['a'] } })).body!.data.id;
  });

  it('applies each operation, reports per-operation failures, returns the lead as workflows see it', async () => {
    const res = await call(bulk, 'POST', '/api/v1/leads/bulk', {
      key,
      body: {
        operations: [
          { op: 'stage', leadId, stage: 'mql', eventId: 'e1' },
          { op: 'addTag', leadId, tag: 'hot' },
          { op: 'removeTag', leadId, tag: 'a' },
          { op: 'update', leadId, fields: { title: 'CTO' } },
          { op: 'note', leadId, body: 'Called from a workflow' },
          { op: 'assign', leadId, owner: 'nobody@nowhere.example' },
          { op: 'stage', leadId: '00000000-0000-7000-8000-000000000000', stage: 'sql' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const results = res.body!.results as Array<{ ok: boolean; op: string; error?: string; lead?: Record<string, unknown> }>;
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, false, false]);
    expect(results[5].error).toMatch(/No member/);
    expect(results[6].error).toBe('Lead not found');
    expect(results[4].lead).toMatchObject({ stage: 'mql', tags: ['hot'], title: 'CTO', job_title: 'CTO', email: 'bulk@example.com' });
  });

  it('runs an operation with an idempotencyKey once, even when retried', async () => {
    const body = { operations: [{ op: 'note', leadId, body: 'once', idempotencyKey: 'evt-1:node-1' }] };
    await call(bulk, 'POST', '/api/v1/leads/bulk', { key, body });
    await call(bulk, 'POST', '/api/v1/leads/bulk', { key, body });
    const notes = await db.withTenant(tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events where type = 'note' and payload->>'text' = 'once'`));
    expect(notes.rows[0].n).toBe(1);
  });

  it('cannot touch another tenant’s lead', async () => {
    const res = await call(bulk, 'POST', '/api/v1/leads/bulk', { key: otherKey, body: { operations: [{ op: 'stage', leadId, stage: 'lost' }] } });
    expect(res.body!.results[0]).toMatchObject({ ok: false, error: 'Lead not found' });
    const lead = await call(lead_.loader, 'GET', `/api/v1/leads/${leadId}`, { key, params: { leadId } });
    expect(lead.body!.data.stage).toBe('mql');
  });
});
const lead_ = lead;
