/**
 * Lead core figures (issue "lead core", benchmark section). `npm run bench -- leads`.
 *
 *  1. generate: scratch database `leadflow_bench_leads` (dropped and recreated, migrated), one
 *     tenant with 1,000,000 leads and 9 with 100,000 (bench/leads/generate.ts).
 *  2. list:     list page and text search p50/p95 via listLeads as leadflow_app, EXPLAIN of the slowest.
 *  3. capture:  the built app (scripts/start.ts) vs a bare node:http + pg INSERT endpoint, autocannon
 *     (then two decomposition servers; LEADS_BENCH_VARIANTS=0 skips them).
 *     (The list/search fixes once measured here as proposals P1/P2 are in the product since
 *     migration 0010: ascending list indexes, search usable under RLS — ADR 0006.)
 *  4. import:   a 1,000,000-row CSV through importLeads (child process, peak RSS) vs psql \copy of
 *     the same file into `leads_copy (LIKE leads INCLUDING ALL)`, in a second scratch database
 *     `leadflow_bench_leads_import` (both tables empty at the start, so the ratio compares like
 *     with like).
 *
 * Both scratch databases are LEFT IN PLACE at the end for inspection (BENCH_DROP=1 drops them);
 * each run drops and recreates them first.
 *
 * Environment:
 *   BENCH_DATABASE_URL   owner URL of the server (default postgres://postgres@127.0.0.1:5432)
 *   LEADS_BENCH_PARTS    comma list of generate,list,capture,import (default: all).
 *                        Without `generate`, the others reuse the tenants in leadflow_bench_leads
 *   LEADS_BENCH_SCALE    (0,1], scales row counts for a quick smoke run (default 1)
 *   LEADS_BENCH_RUNS     timed runs per list/search case (default 200; 20 s budget per case)
 *   LEADS_BENCH_CONNECTIONS / LEADS_BENCH_SECONDS   autocannon load (default 30 / 15)
 *   BENCH_SKIP_BUILD=1   do not run `npx remix build` before the capture part
 */
import { generate, type BenchTenant } from './generate';
import { runListSearch, type CaseResult } from './list-search';
import { runCapture, type CaptureFigures } from './capture';
import { runImport, type ImportFigures } from './import';
import { dropDatabase, freshDatabase, int, load, log, ms, scale, sec, withOwner } from './util';

export const BENCH_DB = 'leadflow_bench_leads';
export const IMPORT_DB = 'leadflow_bench_leads_import';

async function existingTenants(): Promise<BenchTenant[]> {
  return withOwner(BENCH_DB, async (c) => {
    const r = await c.query<{ id: string; slug: string; capture_key: string; n: number }>(
      `select t.id, t.slug, t.capture_key, (select count(*)::int from leads l where l.tenant_id = t.id) n
       from tenants t where t.slug like 'bench-%' order by t.slug = 'bench-big' desc, t.slug`,
    );
    if (!r.rows.length) throw new Error(`no bench tenants in ${BENCH_DB}: run with the generate part first`);
    return r.rows.map((t) => ({ id: t.id, slug: t.slug, captureKey: t.capture_key, size: t.n }));
  });
}

export async function runLeadsBench(): Promise<void> {
  const started = performance.now();
  const parts = new Set(
    (process.env.LEADS_BENCH_PARTS ?? 'generate,list,capture,import').split(',').map((s) => s.trim()),
  );
  const s = scale();
  const big = Math.round(1_000_000 * s);
  const small = Math.round(100_000 * s);
  log(`# Leads bench — ${new Date().toISOString()}, Node ${process.version}, ${load()}`);
  log(`  parts: ${[...parts].join(', ')}; scale ${s}`);

  let tenants: BenchTenant[] | null = null;
  const timings: Record<string, number> = {};
  if (parts.has('generate')) {
    const t = performance.now();
    log(`\n## Generate: 1 tenant × ${int(big)} + 9 tenants × ${int(small)} leads into ${BENCH_DB} — ${load()}`);
    await freshDatabase(BENCH_DB);
    tenants = await generate(BENCH_DB, [big, ...Array(9).fill(small)]);
    timings.generate = performance.now() - t;
    log(`  generate total ${sec(timings.generate)}`);
  }
  let list: CaseResult[] = [];
  if (parts.has('list')) {
    tenants ??= await existingTenants();
    const t = performance.now();
    list = await runListSearch(BENCH_DB, tenants[0]);
    timings.list = performance.now() - t;
  }
  let capture: CaptureFigures | null = null;
  if (parts.has('capture')) {
    tenants ??= await existingTenants();
    const t = performance.now();
    capture = await runCapture(BENCH_DB, tenants[0]);
    timings.capture = performance.now() - t;
  }
  let imp: ImportFigures | null = null;
  if (parts.has('import')) {
    const t = performance.now();
    imp = await runImport(IMPORT_DB, Math.round(1_000_000 * s));
    timings.import = performance.now() - t;
  }

  log(`\n## Summary (targets from the issue) — ${load()}`);
  const line = (what: string, got: string, target: string, ok: boolean) =>
    log(`  ${ok ? 'ok    ' : 'MISSED'}  ${what.padEnd(44)} ${got.padEnd(36)} target ${target}`);
  if (list.length) {
    const worst = (g: string) => list.filter((r) => r.group === g).sort((a, b) => b.p95 - a.p95)[0];
    const wl = worst('list');
    const ws = worst('search');
    line('list p95 (worst case)', `${ms(wl.p95)} ms (${wl.name})`, '< 50 ms', wl.p95 < 50);
    line('search p95 (worst case)', `${ms(ws.p95)} ms (${ws.name})`, '< 100 ms', ws.p95 < 100);
  }
  if (imp) {
    line('import throughput', `${int(imp.importRowsPerSec)} rows/s`, '≥ 20,000 rows/s', imp.importRowsPerSec >= 20_000);
    line(
      'import vs raw COPY (same indexes)',
      `${(imp.ratio * 100).toFixed(0)} % of ${int(imp.copyRowsPerSec)} rows/s`,
      '≥ 50 %',
      imp.ratio >= 0.5,
    );
    line('import peak RSS', `${imp.peakRssMb.toFixed(0)} MB`, '< 300 MB', imp.peakRssMb < 300);
  }
  if (capture) {
    line('capture throughput', `${int(capture.app.rps)} leads/s`, '≥ 2,000 leads/s', capture.app.rps >= 2000);
    line('capture p99', `${capture.app.p99} ms`, '< 50 ms', capture.app.p99 < 50);
    line(
      'capture vs bare INSERT endpoint',
      `${(capture.ratio * 100).toFixed(0)} % of ${int(capture.bare.rps)} req/s`,
      '≥ 55 %',
      capture.ratio >= 0.55,
    );
    const extra = [
      capture.variants.store && `http+storeCapture ${int(capture.variants.store.rps)}/s p99 ${capture.variants.store.p99} ms`,
      capture.variants.upsert && `http+upsertLead tx ${int(capture.variants.upsert.rps)}/s p99 ${capture.variants.upsert.p99} ms`,
    ].filter(Boolean);
    if (extra.length) log(`          (capture decomposition: ${extra.join('; ')})`);
  }
  const total = performance.now() - started;
  log(
    `\n  time: ${Object.entries(timings)
      .map(([k, v]) => `${k} ${sec(v)}`)
      .join(', ')}; total ${sec(total)}`,
  );
  if (process.env.BENCH_DROP === '1') {
    await dropDatabase(BENCH_DB);
    await dropDatabase(IMPORT_DB);
    log(`  dropped ${BENCH_DB} and ${IMPORT_DB}`);
  } else {
    log(`  scratch databases ${BENCH_DB} and ${IMPORT_DB} left in place (BENCH_DROP=1 drops them)`);
  }
}
