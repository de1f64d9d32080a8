/**
 * Captures queue their pipeline and workflow-delivery work through lead_pending_jobs (no add_job,
 * hence no NOTIFY, per capture; db/migrations/0011) and the worker turns it into jobs in batches.
 * A database of its own: the worker started here must not flush other files' rows, nor theirs ours.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db';
import { createTenant } from '../app/models/tenant.server';
import { scratchDatabase, useScratchDatabase, waitFor, type ScratchDatabase } from './pipeline/test-support';
import { flushPendingJobs } from './pending-jobs';

let scratch: ScratchDatabase;
let db: Database;
let owner: pg.Client;
let server: http.Server;
let base: string;

beforeAll(async () => {
  scratch = await useScratchDatabase('capture');
  db = scratchDatabase(scratch);
  owner = new pg.Client({ connectionString: scratch.ownerUrl });
  await owner.connect();
  // Imported after useScratchDatabase: the endpoint's database() reads the configuration once.
  const { captureHttpHandler } = await import('../app/lib/capture-endpoint.server');
  server = http.createServer((req, res) => {
    void captureHttpHandler(req, res, decodeURIComponent((req.url ?? '').split('/').pop() ?? ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/capture`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await owner?.end();
  await db?.close();
  const { database } = await import('../app/lib/db.server');
  await database().close();
  await scratch?.drop();
});

/** `n` concurrent captures, each from its own visitor (the per-IP limit is per visitor). */
async function burst(captureKey: string, emails: string[]): Promise<number[]> {
  return Promise.all(
    emails.map(async (email, i) => {
      const res = await fetch(`${base}/${captureKey}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `198.51.100.${i % 250}` },
        body: JSON.stringify({ email, first_name: `Visitor ${i}`, message: 'Please call me' }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

async function jobs(tenantId: string) {
  const r = await owner.query<{ task: string; key: string | null; lead_ids: string[] | null }>(
    `select t.identifier as task, j.key, (select array_agg(x) from json_array_elements_text(j.payload::json -> 'leadIds') x) as lead_ids
     from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where j.payload::json ->> 'tenantId' = $1`,
    [tenantId],
  );
  return r.rows;
}

const count = async (query: string, params: unknown[]) => (await owner.query<{ n: number }>(query, params)).rows[0].n;

describe('captures queue their jobs in batches', () => {
  it('a burst of captures reaches the pipeline and the workflow outbox, one add_jobs per flush', async () => {
    const tenant = await createTenant(db, { slug: `burst-${process.pid}`, name: 'Burst Co' });
    // A published workflow listening to new leads and form submissions: the outbox records both.
    await owner.query(
      `insert into workflows (tenant_id, name, graph, status, trigger_events) values ($1, 'Route leads', '{}', 'published', '{lead.created,form.submitted}')`,
      [tenant.id],
    );
    const emails = Array.from({ length: 150 }, (_, i) => `burst${i}@example.com`);
    // Ten of them submit twice, concurrently with the rest: the merge path under load.
    const statuses = await burst(tenant.captureKey, [...emails, ...emails.slice(0, 10)]);
    expect(statuses.every((s) => s === 201)).toBe(true);

    const leadIds = (await owner.query<{ id: string }>(`select id from leads where tenant_id = $1`, [tenant.id])).rows.map((r) => r.id);
    expect(leadIds).toHaveLength(150);
    expect(await count(`select count(*)::int as n from lead_events where tenant_id = $1 and type = 'form_submitted'`, [tenant.id])).toBe(150);
    expect(await count(`select count(*)::int as n from lead_events where tenant_id = $1 and type = 'merged'`, [tenant.id])).toBe(10);
    expect(await count(`select count(*)::int as n from lead_outbox where tenant_id = $1 and type = 'lead.created'`, [tenant.id])).toBe(150);
    expect(await count(`select count(*)::int as n from lead_outbox where tenant_id = $1 and type = 'form.submitted'`, [tenant.id])).toBe(160);
    // Nothing was queued per capture: the work waits in lead_pending_jobs.
    expect(await jobs(tenant.id)).toEqual([]);
    expect(await count(`select count(*)::int as n from lead_pending_jobs where tenant_id = $1`, [tenant.id])).toBeGreaterThanOrEqual(150);

    expect(await flushPendingJobs(db)).toBeGreaterThanOrEqual(150);
    expect(await count(`select count(*)::int as n from lead_pending_jobs`, [])).toBe(0);
    const queued = await jobs(tenant.id);
    const pipeline = queued.filter((j) => j.task === 'process_leads');
    const covered = pipeline.flatMap((j) => j.lead_ids ?? []);
    expect(covered.sort()).toEqual([...leadIds].sort()); // every lead, once
    expect(pipeline).toHaveLength(1); // 150 leads: one job (chunks of 500)
    expect(queued.filter((j) => j.task === 'deliver_workflow_events')).toEqual([
      { task: 'deliver_workflow_events', key: `deliver:${tenant.id}`, lead_ids: null },
    ]);
    expect(await flushPendingJobs(db)).toBe(0);
    await owner.query(`delete from graphile_worker._private_jobs where payload::json ->> 'tenantId' = $1`, [tenant.id]);
  });

  it('a parallel CSV import records workflow delivery as pending rows (no shared job-key row between its open batches)', async () => {
    const tenant = await createTenant(db, { slug: `imp-${process.pid}`, name: 'Import Co' });
    await owner.query(
      `insert into workflows (tenant_id, name, graph, status, trigger_events) values ($1, 'Route leads', '{}', 'published', '{lead.created}')`,
      [tenant.id],
    );
    const { importLeads } = await import('../app/models/lead-import.server');
    const { Readable } = await import('node:stream');
    const csv = ['Email,First Name', ...Array.from({ length: 40 }, (_, i) => `imp${i}@example.com,I${i}`)].join('\n');
    const summary = await importLeads(db, tenant.id, Readable.from([csv]), { dedupe: 'merge', actor: { type: 'import', id: 'test' }, batchSize: 5, writers: 2 });
    expect(summary).toMatchObject({ rows: 40, inserted: 40 });
    expect(await count(`select count(*)::int as n from lead_outbox where tenant_id = $1 and type = 'lead.created'`, [tenant.id])).toBe(40);
    const queued = await jobs(tenant.id);
    // Pipeline jobs are queued directly (keyless add_jobs), the keyed delivery job only by the flush.
    expect(queued.filter((j) => j.task === 'process_leads').flatMap((j) => j.lead_ids ?? [])).toHaveLength(40);
    expect(queued.filter((j) => j.task === 'deliver_workflow_events')).toEqual([]);
    expect(await count(`select count(*)::int as n from lead_pending_jobs where tenant_id = $1 and task = 'deliver_workflow_events'`, [tenant.id])).toBe(8);
    await flushPendingJobs(db);
    expect((await jobs(tenant.id)).filter((j) => j.task === 'deliver_workflow_events')).toEqual([
      { task: 'deliver_workflow_events', key: `deliver:${tenant.id}`, lead_ids: null },
    ]);
    // Outside an import (no leadflow.batch_jobs), a lead change still upserts the keyed job at once.
    await owner.query(`delete from graphile_worker._private_jobs where payload::json ->> 'tenantId' = $1`, [tenant.id]);
    await db.withTenant(tenant.id, (tx) => tx.execute(sql`insert into leads (tenant_id, email) values (${tenant.id}, 'direct@example.com')`));
    expect((await jobs(tenant.id)).filter((j) => j.task === 'deliver_workflow_events')).toHaveLength(1);
    await owner.query(`delete from graphile_worker._private_jobs where payload::json ->> 'tenantId' = $1`, [tenant.id]);
  });

  it('pending rows are tenant data: invisible to other tenants and without the flush capability', async () => {
    const a = await createTenant(db, { slug: `pend-a-${process.pid}`, name: 'A' });
    const b = await createTenant(db, { slug: `pend-b-${process.pid}`, name: 'B' });
    expect(await burst(a.captureKey, ['only-a@example.com'])).toEqual([201]);
    const visible = (tenantId: string) =>
      db.withTenant(tenantId, async (tx) => (await tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_pending_jobs`)).rows[0].n);
    expect(await visible(a.id)).toBeGreaterThan(0);
    expect(await visible(b.id)).toBe(0);
    expect((await db.db.execute<{ n: number }>(sql`select count(*)::int as n from lead_pending_jobs`)).rows[0].n).toBe(0);
    await flushPendingJobs(db);
    await owner.query(`delete from graphile_worker._private_jobs where payload::json ->> 'tenantId' = $1`, [a.id]);
  });

  it('with the worker running, every captured lead is processed by the pipeline', async () => {
    const tenant = await createTenant(db, { slug: `run-${process.pid}`, name: 'Run Co' });
    const { startWorker } = await import('./index');
    const worker = await startWorker(pino({ level: 'silent' }));
    try {
      const emails = Array.from({ length: 40 }, (_, i) => `run${i}@acme-robotics.example`);
      expect((await burst(tenant.captureKey, emails)).every((s) => s === 201)).toBe(true);
      await waitFor(
        async () => (await count(`select count(*)::int as n from leads where tenant_id = $1 and scored_at is not null`, [tenant.id])) === 40,
        30_000,
        'all captured leads to be scored',
      );
      const runs = await count(`select count(*)::int as n from job_runs where tenant_id = $1 and task = 'process_leads'`, [tenant.id]);
      expect(runs).toBeLessThan(40); // batched, not one job per capture
      expect(await count(`select count(*)::int as n from lead_pending_jobs`, [])).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});
