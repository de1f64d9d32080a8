/**
 * Capture endpoint under concurrent load, beside a bare INSERT endpoint, in the same run.
 *  - app:  the built Remix app behind express, started by scripts/start.ts (NODE_ENV=production,
 *          RUN_WORKER=false, RUN_N8N=false, rate limits raised) on the scratch database;
 *          POST /api/v1/capture/<key of the 1M-lead tenant>.
 *  - bare: bench/leads/bare-server.ts (node:http + pg, one INSERT into a same-indexed copy table).
 * autocannon (in this process) sends a realistic form post (JSON) with a unique email per request.
 * Each target gets a 3 s warm-up (not counted), then the timed run. Then proposal P3 is applied
 * in the scratch database and the app is measured again, followed by two decomposition prototypes
 * (bench/leads/capture-variants-server.ts): plain node:http + the product's upsertLead, and plain
 * node:http + one SQL statement per capture. P3 is reverted at the end.
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
  /** The app again with proposal P3 applied in the scratch database (no NOTIFY per capture). */
  appP3: LoadFigures | null;
  /** Decomposition prototypes with P3: plain node:http + upsertLead, plain node:http + one statement. */
  variants: { upsert?: LoadFigures; single?: LoadFigures };
}

/**
 * P3 (proposed fix, scratch database only): the single-lead branch of leadflow_enqueue_pipeline
 * calls graphile_worker.add_job, which runs pg_notify('jobs:insert') for every new job. A
 * transaction that has NOTIFYed takes a cluster-wide lock from pre-commit until after its commit
 * record is flushed, so every capture commit (and its WAL fsync) is serialised behind the others.
 * P3 records the lead in a plain table instead (same transaction, RLS like every tenant table); a
 * sweeper (one worker loop, e.g. every 200 ms) turns the pending rows into one add_jobs call —
 * one NOTIFY per sweep instead of one per lead. Only the capture side is measured here.
 */
const P3_SQL = `
  CREATE TABLE IF NOT EXISTS leadflow_pipeline_pending (
    tenant_id uuid NOT NULL, lead_id uuid NOT NULL, queued_at timestamptz NOT NULL DEFAULT now());
  SELECT leadflow_enable_tenant_rls('leadflow_pipeline_pending');
  CREATE OR REPLACE FUNCTION leadflow_enqueue_pipeline(p_tenant uuid, p_ids uuid[]) RETURNS void
  LANGUAGE plpgsql AS $fn$
  DECLARE n int := coalesce(array_length(p_ids, 1), 0);
  BEGIN
    IF n = 0 THEN RETURN; END IF;
    IF n = 1 THEN
      INSERT INTO leadflow_pipeline_pending (tenant_id, lead_id) VALUES (p_tenant, p_ids[1]);
      RETURN;
    END IF;
    PERFORM graphile_worker.add_jobs(array(
      SELECT ROW('process_leads', json_build_object('tenantId', p_tenant, 'leadIds', p_ids[s:least(s + 499, n)]),
                 NULL, NULL, 10, NULL, 5, NULL)::graphile_worker.job_spec
      FROM generate_series(1, n, 500) AS s
    ));
  END
  $fn$;`;


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
    await hammer(appUrl, 'cap-warm', 3, connections, app.pid!);
    await hammer(bareUrl, 'cap-warm', 3, connections, bare.pid!);
    const c0 = cpuTotals();
    log(`  bare… — ${load()}`);
    const bareFig = await hammer(bareUrl, 'cap-bare', seconds, connections, bare.pid!);
    const c1 = cpuTotals();
    log(`  app…  — ${load()}`);
    const appFig = await hammer(appUrl, 'cap-app', seconds, connections, app.pid!);
    const c2 = cpuTotals();
    const busy = (a: typeof c0, b: typeof c0) => `${((100 * (b.busy - a.busy)) / (b.total - a.total)).toFixed(0)} %`;
    const stored = await withOwner(database, async (c) => ({
      app: (await c.query(`select count(*)::int n from leads where tenant_id = $1 and email like 'cap-app-%'`, [big.id])).rows[0]
        .n as number,
      events: (
        await c.query(`select count(*)::int n from lead_events where tenant_id = $1 and type = 'form_submitted'`, [big.id])
      ).rows[0].n as number,
      bare: (await c.query(`select count(*)::int n from leads_bare where email like 'cap-bare-%'`)).rows[0].n as number,
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
    const ratio = appFig.rps / bareFig.rps;
    log(`  ratio capture / bare INSERT endpoint: ${(ratio * 100).toFixed(0)} %`);

    let appP3: LoadFigures | null = null;
    const variants: CaptureFigures['variants'] = {};
    if (process.env.LEADS_BENCH_P3 !== '0') {
      const original = await withOwner(database, async (c) => {
        const def = (await c.query(`select pg_get_functiondef('leadflow_enqueue_pipeline(uuid, uuid[])'::regprocedure) as d`))
          .rows[0].d as string;
        await c.query(P3_SQL);
        return def;
      });
      try {
        log(
          `  P3 applied (scratch DB): single-lead pipeline enqueue → leadflow_pipeline_pending row, no add_job/NOTIFY per capture; app… — ${load()}`,
        );
        await hammer(appUrl, 'cap-warm3', 3, connections, app.pid!);
        const c3 = cpuTotals();
        appP3 = await hammer(appUrl, 'cap-p3', seconds, connections, app.pid!);
        row('app+P3', appP3, busy(c3, cpuTotals()));
        log(`  ratio capture with P3 / bare INSERT endpoint: ${((appP3.rps / bareFig.rps) * 100).toFixed(0)} %`);
        // Decomposition (with P3 in place): the same validation and writes without express/Remix,
        // then as one statement (bench/leads/capture-variants-server.ts).
        for (const mode of ['upsert', 'single'] as const) {
          const port = await findFreePort();
          const v = startChild(
            mode,
            [
              '--import',
              'tsx',
              'bench/leads/capture-variants-server.ts',
              String(port),
              mode,
              appDbUrl(database),
              big.id,
              big.captureKey,
            ],
            process.env,
          );
          try {
            const url = `http://127.0.0.1:${port}/capture`;
            await waitFor(url, v, 30_000);
            await hammer(url, `cap-warm-${mode}`, 3, connections, v.pid!);
            const c4 = cpuTotals();
            const f = await hammer(url, `cap-${mode}`, seconds, connections, v.pid!);
            variants[mode] = f;
            row(mode === 'upsert' ? 'http+upsertLead+P3' : 'http+1 statement+P3', f, busy(c4, cpuTotals()));
          } finally {
            await stop(v);
          }
        }
      } finally {
        await withOwner(database, (c) => c.query(original));
      }
    }
    return { app: appFig, bare: bareFig, ratio, appP3, variants };
  } finally {
    await Promise.all([stop(app), stop(bare)]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
