/**
 * Capture endpoint under concurrent load, beside a bare INSERT endpoint, in the same run.
 *  - app:  the built app started by scripts/start.ts (NODE_ENV=production, RUN_WORKER=false,
 *          RUN_N8N=false, rate limits raised) on the scratch database; POST
 *          /api/v1/capture/<key of the 1M-lead tenant>. Since issue 3's fix this is the product's
 *          capture path (formerly proposal P3 here): the express route in front of Remix
 *          (app/lib/capture-endpoint.server.ts), one prepared statement per new lead
 *          (app/models/capture-store.server.ts), and the pipeline/delivery work recorded in
 *          lead_pending_jobs instead of one add_job (NOTIFY) per capture. As the worker would,
 *          this process flushes lead_pending_jobs into Graphile Worker jobs every 200 ms during
 *          the run (worker/pending-jobs.ts); the jobs are not run (no worker), as before.
 *  - bare: bench/leads/bare-server.ts (node:http + pg, one INSERT into a same-indexed copy table).
 * autocannon (in this process) sends a realistic form post (JSON) with a unique email per request.
 * Each target gets a 3 s warm-up (not counted), then the timed run. After the app run the bench
 * checks that every captured lead reached a queued process_leads job. Then two decomposition
 * servers (bench/leads/capture-variants-server.ts): plain node:http + the product's storeCapture,
 * and plain node:http + upsertLead in a transaction (the write path before the fix, minus NOTIFY).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CAMPAIGNS, fakeLead, prng } from './data';
import type { BenchTenant } from './generate';
import { appUrl as appDbUrl, dbUrl, int, load, log, sec, withOwner } from './util';
import { findFreePort } from '../../app/lib/n8n/supervisor.server';
import { createDatabase } from '../../db';
import { flushPendingJobs, startPendingJobsFlusher } from '../../worker/pending-jobs';
import pino from 'pino';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface LoadFigures {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  non2xx: number;
  errors: number;
  cpuSeconds: number;
  seconds: number;
}
export interface CaptureFigures {
  app: LoadFigures;
  bare: LoadFigures;
  ratio: number;
  /** Decomposition on plain node:http: the product's storeCapture; upsertLead in a transaction. */
  variants: { store?: LoadFigures; upsert?: LoadFigures };
}

function cpuSecondsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (CLK_TCK = 100)
  } catch {
    return NaN;
  }
}

/** Busy fraction of all CPUs between two /proc/stat readings. */
function cpuTotals(): { busy: number; total: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + cpu[4];
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code && code !== 0) log(`  ${name} exited with ${code ?? signal}: ${tail}`);
  });
  (child as ChildProcess & { tail: () => string }).tail = () => tail;
  return child;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${(child as ChildProcess & { tail: () => string }).tail()}`);
    try {
      const r = await fetch(url, { method: 'GET' });
      await r.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} not up after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let seq = 0;
function formPost(prefix: string): string {
  const rand = prng(++seq * 7919);
  const l = fakeLead(rand, seq, `${prefix}-`);
  const campaign = CAMPAIGNS[seq % CAMPAIGNS.length];
  return JSON.stringify({
    email: l.email,
    first_name: l.firstName,
    last_name: l.lastName,
    company: l.company,
    title: l.title,
    ...(l.phone ? { phone: l.phone } : {}),
    page_url: `https://www.example-saas.com/pricing?utm_source=google&utm_medium=cpc&utm_campaign=${campaign}`,
    ...(seq % 3 === 0 ? { message: 'Hi, we would like a demo for our team of 40 next week.' } : {}),
    email_opt_in: seq % 2 ? 'yes' : 'no',
  });
}

async function hammer(url: string, prefix: string, seconds: number, connections: number, pid: number): Promise<LoadFigures> {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'Content-Type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: formPost(prefix) }) }],
  });
  const elapsed = (performance.now() - t0) / 1000;
  const ok = result['2xx'];
  return {
    rps: ok / elapsed,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuSeconds: cpuSecondsOf(pid) - cpu0,
    seconds: elapsed,
  };
}

export async function runCapture(database: string, big: BenchTenant): Promise<CaptureFigures> {
  log(`\n## Capture endpoint vs bare INSERT endpoint — ${load()}`);
  if (process.env.BENCH_SKIP_BUILD !== '1') {
    const t = performance.now();
    const b = spawnSync('npx', ['remix', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`remix build failed: ${b.stderr}`);
    log(`  npx remix build: ${sec(performance.now() - t)}`);
  }
  await withOwner(database, async (c) => {
    await c.query(`DROP TABLE IF EXISTS leads_bare; CREATE TABLE leads_bare (LIKE leads INCLUDING ALL)`);
    await c.query(`delete from leads where tenant_id = $1 and email like 'cap-%'`, [big.id]);
    // Jobs and pending rows left by earlier runs (no worker runs them here).
    await c.query(`delete from lead_pending_jobs where tenant_id = $1`, [big.id]);
    await c.query(
      `delete from graphile_worker._private_jobs j using graphile_worker._private_tasks t
       where t.id = j.task_id and t.identifier = 'process_leads' and j.payload::json ->> 'tenantId' = $1`,
      [big.id],
    );
    await c.query(`VACUUM ANALYZE leads_bare`);
  });
  const connections = Number(process.env.LEADS_BENCH_CONNECTIONS ?? 30);
  const seconds = Number(process.env.LEADS_BENCH_SECONDS ?? 15);
  const appPort = await findFreePort();
  const barePort = await findFreePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-'));
  // LEADS_BENCH_CPU_PROF=<dir>: the app writes a V8 CPU profile there when it stops.
  const prof = process.env.LEADS_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LEADS_BENCH_CPU_PROF}`] : [];
  const app = startChild('app', [...prof, '--import', 'tsx', 'scripts/start.ts'], {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl(database),
    APP_DATABASE_URL: '',
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    LEADFLOW_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    RUN_WORKER: 'false',
    RUN_N8N: 'false',
    SEED_DEMO: 'false',
    HOST: '127.0.0.1',
    PORT: String(appPort),
    DATA_DIR: dataDir,
    CAPTURE_RATE_PER_KEY: '100000000',
    CAPTURE_RATE_PER_IP: '100000000',
  });
  const bare = startChild(
    'bare',
    ['--import', 'tsx', 'bench/leads/bare-server.ts', String(barePort), dbUrl(database), big.id],
    process.env,
  );
  try {
    const appUrl = `http://127.0.0.1:${appPort}/api/v1/capture/${big.captureKey}`;
    const bareUrl = `http://127.0.0.1:${barePort}/capture`;
    await waitFor(appUrl, app, 120_000);
    await waitFor(bareUrl, bare, 30_000);
    log(
      `  ${connections} connections, ${seconds} s per target, unique email per request; app pid ${app.pid}, bare pid ${bare.pid}`,
    );
    // What the worker does in production: flush lead_pending_jobs into jobs every 200 ms.
    const flushDb = createDatabase(appDbUrl(database), { max: 1, onError: () => undefined });
    const flusher = startPendingJobsFlusher(flushDb, pino({ level: 'warn' }));
    let appFig: LoadFigures;
    let bareFig: LoadFigures;
    let c0 = cpuTotals();
    let c1 = c0;
    try {
      await hammer(appUrl, 'cap-warm', 3, connections, app.pid!);
      await hammer(bareUrl, 'cap-warm', 3, connections, bare.pid!);
      c0 = cpuTotals();
      log(`  bare… — ${load()}`);
      bareFig = await hammer(bareUrl, 'cap-bare', seconds, connections, bare.pid!);
      c1 = cpuTotals();
      log(`  app…  — ${load()}`);
      appFig = await hammer(appUrl, 'cap-app', seconds, connections, app.pid!);
    } finally {
      await flusher.stop();
    }
    const c2 = cpuTotals();
    // Requests still in flight when autocannon stopped commit a moment later: then flush them too.
    await new Promise((r) => setTimeout(r, 1000));
    while ((await flushPendingJobs(flushDb)) > 0);
    await flushDb.close();
    const busy = (a: typeof c0, b: typeof c0) => `${((100 * (b.busy - a.busy)) / (b.total - a.total)).toFixed(0)} %`;
    const stored = await withOwner(database, async (c) => ({
      app: (await c.query(`select count(*)::int n from leads where tenant_id = $1 and email like 'cap-app-%'`, [big.id])).rows[0]
        .n as number,
      events: (
        await c.query(`select count(*)::int n from lead_events where tenant_id = $1 and type = 'form_submitted'`, [big.id])
      ).rows[0].n as number,
      bare: (await c.query(`select count(*)::int n from leads_bare where email like 'cap-bare-%'`)).rows[0].n as number,
      // Every captured lead must have reached a queued process_leads job.
      pipeline: (
        await c.query(
          `with queued as (
             select distinct x::uuid as id
             from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id,
                  json_array_elements_text(j.payload::json -> 'leadIds') x
             where t.identifier = 'process_leads' and j.payload::json ->> 'tenantId' = $1::text)
           select (select count(*)::int from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
                   where t.identifier = 'process_leads' and j.payload::json ->> 'tenantId' = $1::text) as jobs,
                  count(*) filter (where q.id is null)::int as missing
           from leads l left join queued q on q.id = l.id
           where l.tenant_id = $1::uuid and l.email like 'cap-%'`,
          [big.id],
        )
      ).rows[0] as { jobs: number; missing: number },
    }));
    const row = (name: string, f: LoadFigures, machine: string) =>
      log(
        `  ${name.padEnd(20)} ${int(f.rps).padStart(6)} req/s  latency p50 ${f.p50} ms, p90 ${f.p90} ms, p99 ${f.p99} ms, max ${f.max} ms; ${int(f.ok)} × 2xx, ${f.non2xx} non-2xx, ${f.errors} errors; server process CPU ${((100 * f.cpuSeconds) / f.seconds).toFixed(0)} % of a core; machine CPU busy ${machine}`,
      );
    row('bare', bareFig, busy(c0, c1));
    row('app', appFig, busy(c1, c2));
    log(
      `  stored: app ${int(stored.app)} leads (${int(stored.events)} form_submitted events incl. warm-up), bare ${int(stored.bare)} rows`,
    );
    log(
      `  pipeline: ${int(stored.pipeline.jobs)} process_leads jobs queued (flushed from lead_pending_jobs); captured leads not in any: ${stored.pipeline.missing}`,
    );
    const ratio = appFig.rps / bareFig.rps;
    log(`  ratio capture / bare INSERT endpoint: ${(ratio * 100).toFixed(0)} % — ${load()}`);

    const variants: CaptureFigures['variants'] = {};
    if (process.env.LEADS_BENCH_VARIANTS !== '0') {
      // Decomposition: the same validation and the product's writes without express, then the
      // transaction path it replaced (bench/leads/capture-variants-server.ts).
      for (const mode of ['store', 'upsert'] as const) {
        const port = await findFreePort();
        const v = startChild(
          mode,
          ['--import', 'tsx', 'bench/leads/capture-variants-server.ts', String(port), mode, appDbUrl(database), big.id, big.captureKey],
          process.env,
        );
        try {
          const url = `http://127.0.0.1:${port}/capture`;
          await waitFor(url, v, 30_000);
          await hammer(url, `cap-warm-${mode}`, 3, connections, v.pid!);
          const c4 = cpuTotals();
          const f = await hammer(url, `cap-${mode}`, seconds, connections, v.pid!);
          variants[mode] = f;
          row(mode === 'store' ? 'http+storeCapture' : 'http+upsertLead tx', f, busy(c4, cpuTotals()));
        } finally {
          await stop(v);
        }
      }
    }
    return { app: appFig, bare: bareFig, ratio, variants };
  } finally {
    await Promise.all([stop(app), stop(bare)]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
