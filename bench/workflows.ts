/**
 * Workflow figures (issue: workflow builder): compile time of a 500-node graph; publish latency;
 * lead events/s through a simple template (trigger → if → update lead) with n8n's sandboxed
 * expression engine, batched delivery beside one-event-per-execution delivery in the same run;
 * lead event → workflow effect latency with n8n warm.
 *
 * Runs a real n8n (the pinned runtime), the built Leadflow app (callbacks) and Graphile Worker,
 * on a scratch database (BENCH_DATABASE_URL, default the machine's PostgreSQL).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { load } from './leads/util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { findFreePort } from '../app/lib/n8n/supervisor.server';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (n: number) => n.toFixed(1);


async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function runWorkflowBench(): Promise<void> {
  console.log(`start: ${load()}`);
  // 1. Compile (pure, no services).
  const { benchCompile } = await import('@leadflow/workflow-compiler');
  const c = benchCompile(500, 50, 10);
  console.log(
    `compile 500-node graph: mean ${fmt(c.meanMs)} ms (CPU ${fmt(c.cpuMeanMs)} ms), p95 ${fmt(c.p95Ms)} ms, min ${fmt(c.minMs)} ms, max ${fmt(c.maxMs)} ms over ${c.runs} runs after 10 warm-up compiles (the first, cold: ${fmt(c.firstMs)} ms) (target < 20 ms)`,
  );

  // 2. Services on a scratch database.
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `leadflow_bench_wf_${process.pid}`;
  const maintenance = new URL(base);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const owner = new URL(base);
  owner.pathname = `/${dbName}`;
  const appPassword = crypto.randomBytes(12).toString('hex');
  const { migrateDatabase } = await import('../db/migrate');
  await migrateDatabase(owner.toString(), { appPassword });
  const appUrl = new URL(owner);
  appUrl.username = 'leadflow_app';
  appUrl.password = appPassword;
  const appPort = await findFreePort();
  Object.assign(process.env, {
    DATABASE_URL: owner.toString(),
    APP_DATABASE_URL: appUrl.toString(),
    TEST_OWNER_DATABASE_URL: owner.toString(),
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    LEADFLOW_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    LEADFLOW_INTERNAL_URL: `http://127.0.0.1:${appPort}`,
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '4',
  });
  const { startTestN8n } = await import('../test/n8n');
  const n8n = await startTestN8n();
  const { createRequestHandler } = await import('@remix-run/express');
  const express = (await import('express')).default;
  const fs = await import('node:fs');
  if (!fs.existsSync('build/index.js')) throw new Error('build/index.js is missing: run `npm run build` first');
  const build = await import(pathToFileURL(path.resolve('build/index.js')).href);
  const web = express();
  // Server-side time of each bulk callback (the lead action's HTTP call), to split n8n's time.
  const callbacks: Array<{ at: number; ms: number; bytes: number }> = [];
  web.use('/api/v1/leads/bulk', (req, res, next) => {
    const t = performance.now();
    res.on('finish', () => callbacks.push({ at: t, ms: performance.now() - t, bytes: Number(req.headers['content-length'] ?? 0) }));
    next();
  });
  web.all('*', createRequestHandler({ build, mode: 'production' }));
  const server: http.Server = await new Promise((resolve) => {
    const s = web.listen(appPort, '127.0.0.1', () => resolve(s));
  });
  const pino = (await import('pino')).default;
  const { startWorker } = await import('../worker/index');
  const worker = await startWorker(pino({ level: 'silent' }));
  const { createDatabase } = await import('../db');
  const db = createDatabase(appUrl.toString());
  const { createTenant } = await import('../app/models/tenant.server');
  const { createWorkflow } = await import('../app/models/workflow.server');
  const deploy = await import('../app/lib/workflow-deploy.server');
  const { sql } = await import('drizzle-orm');

  try {
    const tenant = await createTenant(db, { slug: `bench-${process.pid}`, name: 'Bench' });
    const ctx = { tenantId: tenant.id, tenantSlug: tenant.slug, userId: null, role: 'owner' as const };
    const graph = {
      nodes: [
        { id: 'new', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'hot', type: 'logic.if', position: { x: 250, y: 0 }, data: { conditions: [{ field: 'email', operator: 'isNotEmpty' }], combinator: 'and' } },
        { id: 'update', type: 'lead.changeStage', position: { x: 500, y: 0 }, data: { stage: 'working' } },
      ],
      edges: [
        { id: 'e1', source: 'new', target: 'hot' },
        { id: 'e2', source: 'hot', target: 'update', sourceHandle: 'true' },
      ],
      viewport: { x: 0, y: 0, zoom: 1 },
    };
    const wf = await db.withTenant(tenant.id, (tx) => createWorkflow(tx, tenant.id, { name: 'Bench', graph }, null));
    const publishTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await deploy.publishWorkflow(ctx, wf.id);
      publishTimes.push(performance.now() - t0);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
    }
    console.log(`publish (compile + create/update + publish + webhook live): first ${fmt(publishTimes[0])} ms, then p50 ${fmt(pct(publishTimes.slice(1), 50))} ms (target < 1 s)`);

    // Where the time goes inside n8n: executions of the phase just measured, their wall time,
    // and per-node time of the largest one (from n8n's own execution data).
    let seenExecution: string | null = null;
    const describeExecutions = async (phase: string, since?: number) => {
      const wfRow = await db.withTenant(tenant.id, (tx) => tx.execute<{ n8n_workflow_id: string }>(sql`select n8n_workflow_id from workflows where id = ${wf.id}`));
      const n8nId = wfRow.rows[0].n8n_workflow_id;
      const all: Array<{ id: string; startedAt: string; stoppedAt: string | null }> = [];
      let cursor: string | undefined;
      do {
        const page = await n8n.client.listExecutions({ workflowId: n8nId, limit: 250, cursor });
        all.push(...page.data);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && all.length < 5000);
      const fresh = seenExecution ? all.filter((e) => Number(e.id) > Number(seenExecution)) : all;
      if (all[0]) seenExecution = all.reduce((m, e) => (Number(e.id) > Number(m) ? e.id : m), all[0].id);
      const calls = callbacks.splice(0);
      if (calls.length) {
        console.log(`  ${phase}: ${calls.length} bulk callbacks, server time p50 ${fmt(pct(calls.map((c) => c.ms), 50))} ms, max ${fmt(Math.max(...calls.map((c) => c.ms)))} ms, body p50 ${fmt(pct(calls.map((c) => c.bytes), 50) / 1024)} KiB${since === undefined ? '' : `; started at ${calls.map((c) => fmt((c.at - since) / 1000)).join(', ')} s`}`);
      }
      const durations = fresh.filter((e) => e.stoppedAt).map((e) => Date.parse(e.stoppedAt!) - Date.parse(e.startedAt));
      if (durations.length === 0) return;
      const sum = durations.reduce((a, b) => a + b, 0);
      let line = `  ${phase}: ${fresh.length} n8n executions, wall time each p50 ${fmt(pct(durations, 50))} ms, max ${fmt(Math.max(...durations))} ms, sum ${fmt(sum / 1000)} s`;
      const longest = fresh[durations.indexOf(Math.max(...durations))];
      if (longest && fresh.length > 1) {
        const full = await n8n.client.getExecution(longest.id, { includeData: true });
        const runData = full.data?.resultData.runData ?? {};
        const parts = Object.entries(runData).map(([name, runs]) => {
          const items = (runs[0]?.data?.main ?? []).reduce((a, o) => a + (o?.length ?? 0), 0);
          return `${name} ${runs[0]?.executionTime ?? 0} ms/${items} items`;
        });
        line += `; slowest by node: ${parts.join(', ')}`;
      }
      console.log(line);
    };

    const working = async (prefix: string) => {
      const r = await db.withTenant(tenant.id, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from leads where email like ${`${prefix}%`} and stage = 'working'`));
      return r.rows[0].n;
    };

    // 3a. Latency, n8n warm: one lead at a time.
    const lat: number[] = [];
    for (let i = 0; i < 15; i++) {
      const email = `lat${i}@bench.example`;
      const t0 = performance.now();
      await db.withTenant(tenant.id, (tx) => tx.execute(sql`insert into leads (tenant_id, id, email) values (${tenant.id}, gen_random_uuid(), ${email})`));
      await until(async () => (await working(`lat${i}@`)) === 1, 30_000);
      lat.push(performance.now() - t0);
    }
    await describeExecutions('latency');
    console.log(`lead event → workflow effect (n8n warm, ${lat.length} runs): p50 ${fmt(pct(lat, 50))} ms, p95 ${fmt(pct(lat, 95))} ms (target p50 < 500 ms)`);

    // 3b. Throughput, batched delivery (the product path): N leads written in statements of 500.
    const N = Number(process.env.BENCH_WF_EVENTS ?? 5000);
    const t0 = performance.now();
    for (let off = 0; off < N; off += 500) {
      const emails = Array.from({ length: Math.min(500, N - off) }, (_, i) => `tp${off + i}@bench.example`);
      await db.withTenant(tenant.id, (tx) =>
        tx.execute(sql`insert into leads (tenant_id, id, email) select ${tenant.id}::uuid, gen_random_uuid(), e from jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb) as t(e)`),
      );
    }
    const insertedSec = (performance.now() - t0) / 1000;
    await until(async () => (await working('tp')) === N, 600_000);
    const batchedSec = (performance.now() - t0) / 1000;
    const batchedRate = N / batchedSec;
    console.log(`  batched: the ${N} leads were inserted (500 a statement) within ${fmt(insertedSec)} s`);
    await describeExecutions('batched', t0);

    // 3c. Baseline: one event per n8n execution (what an unbatched deliverer would do), same workflow.
    await deploy.unpublishWorkflow(ctx, wf.id);
    const M = Number(process.env.BENCH_WF_SINGLE ?? 150);
    const emails = Array.from({ length: M }, (_, i) => `one${i}@bench.example`);
    await db.withTenant(tenant.id, (tx) =>
      tx.execute(sql`insert into leads (tenant_id, id, email) select ${tenant.id}::uuid, gen_random_uuid(), e from jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb) as t(e)`),
    );
    const r = await deploy.publishWorkflow(ctx, wf.id);
    if (!r.ok) throw new Error('republish failed');
    const fresh = await db.withTenant(tenant.id, (tx) =>
      tx.execute<{ webhook_path: string; inbound_secret: string | null }>(sql`select webhook_path, inbound_secret from workflows where id = ${wf.id}`),
    );
    const url = n8n.client.webhookUrl(fresh.rows[0].webhook_path);
    const inboundHeaders = deploy.inboundWebhookHeaders(fresh.rows[0].inbound_secret);
    const leadRows = await db.withTenant(tenant.id, (tx) => tx.execute<{ j: Record<string, unknown> }>(sql`select leadflow_lead_json(l) as j from leads l where email like 'one%'`));
    const t1 = performance.now();
    const queue = [...leadRows.rows];
    const concurrency = 10;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...inboundHeaders },
            body: JSON.stringify({ events: [{ id: crypto.randomUUID(), type: 'lead.created', occurredAt: new Date().toISOString(), tenantId: tenant.id, lead: row.j }] }),
          });
          await res.arrayBuffer();
        }
      }),
    );
    await until(async () => (await working('one')) === M, 600_000);
    const singleRate = M / ((performance.now() - t1) / 1000);
    await describeExecutions('one event per execution', t1);
    console.log(
      `events/s through trigger → if → update lead: batched ${fmt(batchedRate)} /s (${N} events in ${fmt(batchedSec)} s; target ≥ 500/s) vs one event per execution ${fmt(singleRate)} /s (${M} events, ${concurrency} concurrent) — ratio ${fmt(batchedRate / singleRate)}×`,
    );
    console.log(`end: ${load()}`);
  } finally {
    await worker.stop();
    await new Promise((res) => server.close(res));
    await n8n.stop();
    await db.close();
    const cleanup = new pg.Client({ connectionString: maintenance.toString() });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${dbName} with (force)`);
    await cleanup.end();
  }
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runWorkflowBench().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
