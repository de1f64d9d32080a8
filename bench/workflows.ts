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
  // 1. Compile (pure, no services).
  const { benchCompile } = await import('@leadflow/workflow-compiler');
  const c = benchCompile(500, 30);
  console.log(`compile 500-node graph: mean ${fmt(c.meanMs)} ms, min ${fmt(c.minMs)} ms, max ${fmt(c.maxMs)} ms over ${c.runs} runs (target < 20 ms)`);

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
    await until(async () => (await working('tp')) === N, 600_000);
    const batchedSec = (performance.now() - t0) / 1000;
    const batchedRate = N / batchedSec;

    // 3c. Baseline: one event per n8n execution (what an unbatched deliverer would do), same workflow.
    await deploy.unpublishWorkflow(ctx, wf.id);
    const M = Number(process.env.BENCH_WF_SINGLE ?? 150);
    const emails = Array.from({ length: M }, (_, i) => `one${i}@bench.example`);
    await db.withTenant(tenant.id, (tx) =>
      tx.execute(sql`insert into leads (tenant_id, id, email) select ${tenant.id}::uuid, gen_random_uuid(), e from jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb) as t(e)`),
    );
    const r = await deploy.publishWorkflow(ctx, wf.id);
    if (!r.ok) throw new Error('republish failed');
    const fresh = await db.withTenant(tenant.id, (tx) => tx.execute<{ webhook_path: string }>(sql`select webhook_path from workflows where id = ${wf.id}`));
    const url = n8n.client.webhookUrl(fresh.rows[0].webhook_path);
    const leadRows = await db.withTenant(tenant.id, (tx) => tx.execute<{ j: Record<string, unknown> }>(sql`select leadflow_lead_json(l) as j from leads l where email like 'one%'`));
    const t1 = performance.now();
    const queue = [...leadRows.rows];
    const concurrency = 10;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ events: [{ id: crypto.randomUUID(), type: 'lead.created', occurredAt: new Date().toISOString(), tenantId: tenant.id, lead: row.j }] }),
          });
          await res.arrayBuffer();
        }
      }),
    );
    await until(async () => (await working('one')) === M, 600_000);
    const singleRate = M / ((performance.now() - t1) / 1000);
    console.log(
      `events/s through trigger → if → update lead: batched ${fmt(batchedRate)} /s (${N} events in ${fmt(batchedSec)} s; target ≥ 500/s) vs one event per execution ${fmt(singleRate)} /s (${M} events, ${concurrency} concurrent) — ratio ${fmt(batchedRate / singleRate)}×`,
    );
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
