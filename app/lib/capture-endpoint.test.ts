/**
 * The capture endpoint through its node:http adapter — what scripts/start.ts mounts on express in
 * front of Remix — over real HTTP: the same answers as the Remix route (app/routes/api.test.ts),
 * including the body formats only a raw request has (multipart, oversized bodies).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, uniqueSlug } from '../../test/helpers';
import { createTenant } from '../models/tenant.server';
import { storeCapture } from '../models/capture-store.server';
import { upsertLead } from '../models/lead.server';
import type { LeadFields } from '../models/lead-fields';
import { captureHttpHandler, captureKeyFromPath } from './capture-endpoint.server';

describe('capture endpoint (node:http adapter)', () => {
  const db = appDatabase();
  let server: http.Server;
  let base: string;
  let tenantId: string;
  let captureKey: string;

  beforeAll(async () => {
    const t = await createTenant(db, { slug: uniqueSlug('cap-http'), name: 'Capture HTTP Co' });
    tenantId = t.id;
    captureKey = t.captureKey;
    // As scripts/start.ts serves it: in front of everything else.
    server = http.createServer((req, res) => {
      const key = captureKeyFromPath(req.url ?? '');
      if (key === null) {
        res.writeHead(404).end();
        return;
      }
      void captureHttpHandler(req, res, key);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/capture`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: BodyInit, type?: string, key = captureKey) =>
    fetch(`${base}/${key}`, { method: 'POST', body, headers: type ? { 'Content-Type': type } : {}, redirect: 'manual' });
  const lead = async (email: string) =>
    (
      await db.withTenant(tenantId, (tx) =>
        tx.execute<{ id: string; first_name: string | null; phone: string | null; channel: string; campaign: string | null }>(
          sql`select id, first_name, phone, channel, campaign from leads where email_key = ${email}`,
        ),
      )
    ).rows;

  it('recognises the endpoint path as the Remix route does', () => {
    expect(captureKeyFromPath('/api/v1/capture/pk_abc')).toBe('pk_abc');
    expect(captureKeyFromPath('/api/v1/capture/pk_abc/')).toBe('pk_abc');
    expect(captureKeyFromPath('/api/v1/capture/pk_abc?utm_source=x')).toBe('pk_abc');
    expect(captureKeyFromPath('/api/v1/capture/pk%5Fabc')).toBe('pk_abc');
    for (const other of ['/api/v1/capture/', '/api/v1/capture', '/api/v1/capture/a/b', '/api/v1/captures/x', '/x/api/v1/capture/k', '/api/v1/capture/%E0%A4%A']) {
      expect(captureKeyFromPath(other), other).toBeNull();
    }
  });

  it('stores JSON, form and multipart posts and answers 201 with CORS after commit', async () => {
    const json = await post(
      JSON.stringify({ email: 'Json@Example.com', firstName: 'Jay', page_url: 'https://x.example/?utm_medium=email&utm_campaign=may' }),
      'application/json',
    );
    expect(json.status).toBe(201);
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    expect(await json.json()).toEqual({ ok: true });
    expect(await lead('json@example.com')).toMatchObject([{ first_name: 'Jay', channel: 'email', campaign: 'may' }]);

    const form = await post(new URLSearchParams({ email: 'form@example.com', name: 'Fo Rm' }).toString(), 'application/x-www-form-urlencoded');
    expect(form.status).toBe(201);
    expect(await lead('form@example.com')).toMatchObject([{ first_name: 'Fo' }]);

    const multipart = new FormData();
    multipart.set('email', 'multi@example.com');
    multipart.set('phone', '+1 555 0100');
    expect((await post(multipart)).status).toBe(201);
    expect(await lead('multi@example.com')).toMatchObject([{ phone: '+1 555 0100' }]);

    const events = await db.withTenant(tenantId, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events where type = 'form_submitted' and actor_type = 'capture'`),
    );
    expect(events.rows[0].n).toBe(3);
  });

  it('merges a known email (one lead, empty fields filled, conflicts recorded) and redirects when asked', async () => {
    const res = await post(
      JSON.stringify({ email: 'json@example.com', first_name: 'Other', phone: '+44 20 7946 0001', _redirect: 'https://x.example/thanks' }),
      'application/json',
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://x.example/thanks');
    const rows = await lead('json@example.com');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ first_name: 'Jay', phone: '+44 20 7946 0001' });
    const merged = await db.withTenant(tenantId, (tx) =>
      tx.execute<{ payload: { via: string; changes: string[]; conflicts: Array<{ field: string; kept: unknown; incoming: unknown }> } }>(
        sql`select payload from lead_events where lead_id = ${rows[0].id} and type = 'merged'`,
      ),
    );
    expect(merged.rows[0].payload).toMatchObject({ via: 'form_submitted', changes: ['phone'] });
    expect(merged.rows[0].payload.conflicts).toEqual(expect.arrayContaining([{ field: 'firstName', kept: 'Jay', incoming: 'Other' }]));
  });

  it('answers errors as problem+json with CORS; preflight and GET as the Remix route does', async () => {
    const check = async (res: Response, status: number, title?: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      if (title) {
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject({ status, title });
      }
    };
    await check(await post(JSON.stringify({ email: 'nope' }), 'application/json'), 422, 'Validation failed');
    await check(await post(JSON.stringify({ first_name: 'NoContact' }), 'application/json'), 422, 'Validation failed');
    await check(await post('[1,2]', 'application/json'), 400, 'Malformed JSON');
    await check(await post(JSON.stringify({ email: 'big@example.com', message: 'x'.repeat(70_000) }), 'application/json'), 413, 'Payload too large');
    await check(await post('x'.repeat(1_100_000), 'application/x-www-form-urlencoded'), 413, 'Payload too large');
    await check(await post('email=a@b.example', 'text/plain'), 415, 'Unsupported media type');
    await check(await post('{}', 'application/json', 'pk_00000000000000000000000000000000'), 404, 'Unknown form');
    await check(await fetch(`${base}/${captureKey}`), 405, 'Method not allowed');
    await check(await fetch(`${base}/${captureKey}`, { method: 'PUT', body: '{}' }), 405, 'Method not allowed');
    const preflight = await fetch(`${base}/${captureKey}`, { method: 'OPTIONS' });
    await check(preflight, 204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    // Honeypot: answered as a success, nothing stored.
    await check(await post(new URLSearchParams({ email: 'bot@spam.example', _gotcha: 'x' }).toString(), 'application/x-www-form-urlencoded'), 201);
    expect(await lead('bot@spam.example')).toHaveLength(0);
  });

  it('the one-statement insert stores exactly what upsertLead stores (row and event)', async () => {
    const fields = (email: string): LeadFields => ({
      email,
      firstName: 'Ada',
      lastName: null,
      phone: '+1 555 0199',
      companyName: 'Acme "Quoted", Inc',
      tags: ['a b', 'c,d', 'e"f'],
      emailOptIn: true,
      custom: { plan: 'pro', seats: 40, trial: false },
      channel: 'paid_search',
      landingPage: 'https://x.example/pricing',
    });
    const opts = { eventType: 'form_submitted', eventPayload: { message: 'hi', fields: { colour: 'blue' } }, touch: { at: '2025-01-01T00:00:00.000Z', source: 'google' } };
    const actor = { type: 'capture' as const, id: captureKey.slice(0, 11) };
    const stored = await storeCapture(db, tenantId, fields('same1@example.com'), actor, opts);
    expect(stored.status).toBe('created');
    const reference = await db.withTenant(tenantId, (tx) => upsertLead(tx, tenantId, fields('same2@example.com'), actor, opts));
    const read = (id: string) =>
      db.withTenant(tenantId, async (tx) => {
        const lead = (await tx.execute<Record<string, unknown>>(sql`select * from leads where id = ${id}`)).rows[0];
        const events = (await tx.execute<Record<string, unknown>>(sql`select type, actor_type, actor_id, payload from lead_events where lead_id = ${id}`)).rows;
        const { id: _id, email: _e, email_key: _k, search: _s, created_at: _c, updated_at: _u, last_activity_at: _l, ...rest } = lead;
        return { lead: rest, events };
      });
    expect(await read(stored.leadId)).toEqual(await read(reference.lead.id));
  });
});
