/**
 * The workflow outbox prune (issue 4), against real PostgreSQL as leadflow_app under RLS: delivered
 * events go with their delivery rows, pending ones stay, the retention window drops stale pending
 * ones, other tenants are untouched, and the deliverer still delivers each event exactly once per
 * workflow after a prune. The deliverer posts over real HTTP to a local listener standing in for
 * n8n's webhook endpoint (N8N_URL), so nothing of the delivery path is replaced. A database of its
 * own (the prune task sweeps every tenant; other files' deliveries must not vanish under them).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { uniqueSlug } from '../../test/helpers';
import { scratchDatabase, useScratchDatabase, type ScratchDatabase } from '../../worker/pipeline/test-support';
import { createTenant } from '../models/tenant.server';
import { pruneWorkflowOutbox } from './workflow-outbox.server';

let scratch: ScratchDatabase;
let db: Database;
const received: Array<{ path: string; ids: string[] }> = [];
let listener: http.Server;

beforeAll(async () => {
  scratch = await useScratchDatabase('outbox');
  db = scratchDatabase(scratch);
  listener = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ id: string }> };
      received.push({ path: req.url ?? '', ids: body.events.map((e) => e.id) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  // Read lazily by env(): this file's deliverer talks to the listener as its n8n.
  process.env.N8N_URL = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  process.env.N8N_API_KEY = 'test-key';
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => listener?.close(resolve));
  delete process.env.N8N_URL;
  delete process.env.N8N_API_KEY;
  await db?.close();
  const { database } = await import('./db.server');
  await database().close();
  await scratch?.drop();
});

async function newTenant(prefix: string): Promise<string> {
  return (await createTenant(db, { slug: uniqueSlug(prefix), name: prefix })).id;
}

async function addWorkflow(
  tenantId: string,
  w: { status?: string; events: string[]; publishedHoursAgo: number; path?: string },
): Promise<string> {
  const rows = await db.withTenant(tenantId, (tx) =>
    tx.execute<{ id: string }>(sql`
      insert into workflows (tenant_id, name, graph, status, trigger_events, webhook_path, published_at)
      values (${tenantId}::uuid, 'wf', '{}', ${w.status ?? 'published'}, ${`{${w.events.join(',')}}`}::text[], ${w.path ?? `p-${Math.random().toString(36).slice(2)}`},
              now() - make_interval(hours => ${w.publishedHoursAgo}))
      returning id`),
  );
  return rows.rows[0].id;
}

/** An outbox event written directly (as the triggers would), `hoursAgo` old. No job is queued. */
async function addEvent(tenantId: string, type: string, hoursAgo = 0): Promise<string> {
  const rows = await db.withTenant(tenantId, (tx) =>
    tx.execute<{ id: string }>(sql`
      insert into lead_outbox (tenant_id, id, type, lead_id, payload, created_at)
      values (${tenantId}::uuid, gen_random_uuid(), ${type}, gen_random_uuid(), jsonb_build_object('type', ${type}::text),
              now() - make_interval(hours => ${hoursAgo}))
      returning id`),
  );
  return rows.rows[0].id;
}

async function addDelivery(tenantId: string, workflowId: string, eventId: string): Promise<void> {
  await db.withTenant(tenantId, (tx) =>
    tx.execute(
      sql`insert into workflow_deliveries (tenant_id, workflow_id, event_id) values (${tenantId}::uuid, ${workflowId}::uuid, ${eventId}::uuid)`,
    ),
  );
}

async function outboxIds(tenantId: string): Promise<string[]> {
  const rows = await db.withTenant(tenantId, (tx) => tx.execute<{ id: string }>(sql`select id from lead_outbox order by id`));
  return rows.rows.map((r) => r.id);
}

async function deliveryPairs(tenantId: string): Promise<string[]> {
  const rows = await db.withTenant(tenantId, (tx) =>
    tx.execute<{ pair: string }>(sql`select workflow_id || '/' || event_id as pair from workflow_deliveries order by 1`),
  );
  return rows.rows.map((r) => r.pair);
}

describe('workflow outbox prune', () => {
  it('deletes fully delivered and expired events with their delivery rows; keeps pending ones; other tenants untouched', async () => {
    const a = await newTenant('prune-a');
    const b = await newTenant('prune-b');
    const w1 = await addWorkflow(a, { events: ['lead.created'], publishedHoursAgo: 30 * 24 });
    const w2 = await addWorkflow(a, { events: ['lead.created', 'lead.updated'], publishedHoursAgo: 24 });
    const draft = await addWorkflow(a, { status: 'draft', events: ['lead.created'], publishedHoursAgo: 30 * 24 });

    const delivered = await addEvent(a, 'lead.created', 1); // to w1 and w2 → pruned
    await addDelivery(a, w1, delivered);
    await addDelivery(a, w2, delivered);
    const half = await addEvent(a, 'lead.created', 1); // to w1 only; w2 still waits → kept
    await addDelivery(a, w1, half);
    const updated = await addEvent(a, 'lead.updated', 1); // w2 is its only listener → pruned
    await addDelivery(a, w2, updated);
    const beforeW2 = await addEvent(a, 'lead.created', 48); // w2 was published after it; w1 has it → pruned
    await addDelivery(a, w1, beforeW2);
    const recentPending = await addEvent(a, 'lead.created', 72); // undelivered, inside retention → kept
    const expired = await addEvent(a, 'lead.created', 8 * 24); // undelivered, past retention → pruned
    await addDelivery(a, draft, half); // a delivery row of a workflow no longer published: goes with its event
    const unlistened = await addEvent(a, 'lead.score_changed', 1); // nobody listens any more → pruned
    const orphanEvent = '00000000-0000-4000-8000-000000000001';
    await addDelivery(a, w1, orphanEvent); // its event is already gone → swept

    const other = await addEvent(b, 'lead.created', 1);
    const wb = await addWorkflow(b, { events: ['lead.created'], publishedHoursAgo: 30 * 24 });
    await addDelivery(b, wb, other);

    // A small batch walks the keyset over several transactions.
    const result = await pruneWorkflowOutbox(db, a, { retentionHours: 168, batch: 2 });
    expect(result).toEqual({ events: 5, undelivered: 1, deliveries: 5 });
    expect(await outboxIds(a)).toEqual([half, recentPending].sort());
    expect(await deliveryPairs(a)).toEqual([`${w1}/${half}`, `${draft}/${half}`].sort());
    expect([delivered, updated, beforeW2, expired, unlistened].some((id) => [half, recentPending].includes(id))).toBe(false);

    // Tenant B saw nothing of it: its fully delivered event is still there until its own prune.
    expect(await outboxIds(b)).toEqual([other]);
    expect(await deliveryPairs(b)).toEqual([`${wb}/${other}`]);
    // Under RLS, pruning B as B cannot touch A (and vice versa).
    expect(await pruneWorkflowOutbox(db, b, { retentionHours: 168 })).toEqual({ events: 1, undelivered: 0, deliveries: 1 });
    expect(await outboxIds(b)).toEqual([]);
    expect(await outboxIds(a)).toEqual([half, recentPending].sort());

    // Repeating is harmless; a shorter retention drops the remaining pending events too.
    expect(await pruneWorkflowOutbox(db, a, { retentionHours: 168 })).toEqual({ events: 0, undelivered: 0, deliveries: 0 });
    expect(await pruneWorkflowOutbox(db, a, { retentionHours: 0 })).toEqual({ events: 2, undelivered: 2, deliveries: 2 });
    expect(await outboxIds(a)).toEqual([]);
    expect(await deliveryPairs(a)).toEqual([]);
  });

  it('the deliverer still delivers each event exactly once per workflow after a prune', async () => {
    const { deliverPendingEvents } = await import('./workflow-deploy.server');
    const t = await newTenant('prune-deliver');
    const wf = await addWorkflow(t, { events: ['lead.created'], publishedHoursAgo: 1, path: `prune-${t}` });
    const sent = () => received.filter((r) => r.path.endsWith(`/prune-${t}`)).flatMap((r) => r.ids);

    const first = [await addEvent(t, 'lead.created'), await addEvent(t, 'lead.created'), await addEvent(t, 'lead.created')];
    expect(await deliverPendingEvents(t)).toMatchObject({ delivered: 3 });
    expect(sent().sort()).toEqual([...first].sort());

    // A new event arrives; the prune takes the delivered ones and leaves it.
    const pending = await addEvent(t, 'lead.created');
    expect(await pruneWorkflowOutbox(db, t, { retentionHours: 168 })).toEqual({ events: 3, undelivered: 0, deliveries: 3 });
    expect(await outboxIds(t)).toEqual([pending]);

    const later = await addEvent(t, 'lead.created');
    expect(await deliverPendingEvents(t)).toMatchObject({ delivered: 2 });
    expect(await deliverPendingEvents(t)).toMatchObject({ delivered: 0 });
    expect(sent().sort()).toEqual([...first, pending, later].sort());
    expect(new Set(sent()).size).toBe(sent().length);
    expect(await deliveryPairs(t)).toEqual([`${wf}/${pending}`, `${wf}/${later}`].sort());

    expect(await pruneWorkflowOutbox(db, t, { retentionHours: 168 })).toEqual({ events: 2, undelivered: 0, deliveries: 2 });
    expect(await deliverPendingEvents(t)).toMatchObject({ delivered: 0 });
    expect(sent()).toHaveLength(5);
  });

  it('the cron task prunes every tenant as the application role', async () => {
    const { default: task } = await import('../../worker/tasks/prune_workflow_outbox');
    const t = await newTenant('prune-task');
    const wf = await addWorkflow(t, { events: ['lead.created'], publishedHoursAgo: 1 });
    const done = await addEvent(t, 'lead.created');
    await addDelivery(t, wf, done);
    const waiting = await addEvent(t, 'lead.created');
    const logged: string[] = [];
    const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), debug: () => {}, error: () => {} };
    await task({}, { logger } as never);
    expect(await outboxIds(t)).toEqual([waiting]);
    expect(await deliveryPairs(t)).toEqual([]);
    expect(logged.join('\n')).toMatch(/pruned \d+ outbox events/);
  });
});
