/**
 * Import throughput: a 1,000,000-row CRM-style CSV written to os.tmpdir(), loaded
 *  (a) by psql \copy into `leads_copy (LIKE leads INCLUDING ALL)` — the same indexes (primary
 *      key, unique (tenant, email_key), the four list indexes, the GIN search index, the partial
 *      owner index) and the same generated columns; no triggers, no RLS, no events — the raw
 *      floor; plus, for orientation, into an unindexed copy;
 *  (b) by the product's importLeads (a child process, as `leadflow import` runs it) into an empty
 *      tenant's `leads` as leadflow_app. It also writes one 'imported' lead_events row per lead
 *      and its insert trigger queues process_leads jobs (one per 500 leads).
 * Both targets start empty, in a fresh scratch database; a CHECKPOINT precedes each timed load.
 * The file has unique, valid emails (COPY into a unique index could not load duplicates); dirty
 * files are bench/import-parse.ts's subject.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PgDialect } from 'drizzle-orm/pg-core';
import { DEFAULT_IMPORT_BATCH, importBatchSql, importRowIds } from '../../app/models/lead-import.server';
import { fakeLead, prng, STAGE_LABELS } from './data';
import { appUrl, dbUrl, freshDatabase, int, load, log, mb, sec, withOwner } from './util';

export interface ImportFigures {
  rows: number;
  fileBytes: number;
  copySeconds: number;
  copyRowsPerSec: number;
  copyUnindexedSeconds: number;
  importSeconds: number;
  importRowsPerSec: number;
  ratio: number;
  peakRssMb: number;
}

const HEADER =
  'First Name,Last Name,Email,Phone,Company,Job Title,Country,Lead Status,Lead Source,Created Date,Tags,Email Opt In\r\n';
/** The leads_copy columns the CSV's columns go to, in order (Tags has no text[] form in CSV). */
const COPY_COLUMNS =
  'first_name, last_name, email, phone, company_name, title, country, stage, source, created_at, tags_raw, email_opt_in';

export async function writeCsv(file: string, rows: number): Promise<number> {
  const rand = prng(20251125);
  const out = createWriteStream(file);
  out.write(HEADER);
  const now = Date.now();
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const l = fakeLead(rand, i);
    const created = new Date(now - rand() * 730 * 86_400_000).toISOString().slice(0, 10);
    chunk += `${[
      l.firstName,
      l.lastName,
      l.email,
      l.phone,
      l.company,
      l.title,
      l.place[1],
      STAGE_LABELS[l.stage],
      l.origin[1] ?? '',
      created,
      l.tags.join(';'),
      l.emailOptIn === null ? '' : l.emailOptIn ? 'yes' : 'no',
    ].join(',')}\r\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return (await stat(file)).size;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

interface ChildFigures {
  seconds: number;
  cpuSeconds: number;
  rows: number;
  inserted: number;
  updated: number;
  skipped: number;
  problems: number;
  rejected: number;
  firstProblems: unknown[];
  rssAtStart: number;
  peakRss: number;
  vmHwm: number;
  timeline: Array<[number, number]>;
}

/** The file's data rows dealt alternately into two files with the same header. */
async function splitCsv(file: string): Promise<string[]> {
  const names = [`${file}.a`, `${file}.b`];
  const outs = names.map((n) => createWriteStream(n));
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let i = -1;
  for await (const line of lines) {
    const targets = i < 0 ? outs : [outs[i % 2]];
    for (const o of targets) if (!o.write(`${line}\r\n`)) await once(o, 'drain');
    i++;
  }
  await Promise.all(outs.map((o) => new Promise((r) => o.end(r))));
  return names;
}

async function psqlCopy(database: string, table: string, file: string): Promise<number> {
  const t = performance.now();
  const r = await run('psql', [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-d',
    dbUrl(database),
    '-c',
    `\\copy ${table} (${COPY_COLUMNS}) from '${file}' with (format csv, header true)`,
  ]);
  if (r.code !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`);
  return performance.now() - t;
}

// Variants of the product's batch statement (importBatchSql in app/models/lead-import.server.ts)
// for the DB-only breakdown below: the same sparse json_to_recordset input; `events` toggles the
// lead_events CTE, `onConflict` the ON CONFLICT clause.
const BATCH_COLUMNS = `id uuid, event_id uuid, row int, email text, first_name text, last_name text, phone text, title text,
  company_name text, website text, company_size text, industry text, country text, region text, city text,
  timezone text, channel text, source text, medium text, campaign text, referrer text, landing_page text,
  stage text, owner_id uuid, tags text[], email_opt_in boolean, sms_opt_in boolean, unsubscribed boolean,
  do_not_contact boolean, custom jsonb, created_at timestamptz, note text`;
const LEAD_COLUMNS = `id, email, first_name, last_name, phone, title, company_name, website, company_size,
  industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page, stage,
  owner_id, tags, email_opt_in, sms_opt_in, unsubscribed, do_not_contact, custom, created_at, updated_at`;
const LEAD_VALUES = `id, email, first_name, last_name, phone, title, company_name, website, company_size,
  industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page,
  coalesce(stage, 'new'), owner_id, coalesce(tags, '{}'), email_opt_in, sms_opt_in, coalesce(unsubscribed, false),
  coalesce(do_not_contact, false), coalesce(custom, '{}'), coalesce(created_at, now()), now()`;
function batchStatement(table: string, opts: { events: boolean; onConflict: boolean }): string {
  return `
    with input as (select * from json_to_recordset($1::json) as x(${BATCH_COLUMNS})),
    ins as (
      insert into ${table} (tenant_id, ${LEAD_COLUMNS})
      select $2::uuid, ${LEAD_VALUES} from input order by row
      ${opts.onConflict ? 'on conflict do nothing' : ''} returning id
    )${
      opts.events
        ? `, ev as (
      insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
      select $2::uuid, input.event_id, ins.id, 'imported', 'import', 'bench',
        jsonb_build_object('importId', 'bench', 'row', input.row)
      from ins join input using (id))`
        : ''
    }
    select input.row from input where not exists (select 1 from ins where ins.id = input.id)`;
}

/**
 * Where the import's database time goes: the batch statement alone (payload prepared up front, so
 * no parsing in Node), DEFAULT_IMPORT_BATCH-row batches, variants interleaved batch by batch so
 * they share the machine's load over time. Each variant gets its own fresh tenant in the import
 * database (leads_copy: its own table).
 */
async function importBreakdown(database: string, rows: number): Promise<void> {
  const dialect = new PgDialect();
  const product = (tenant: string, records: string) => {
    const q = dialect.sqlToQuery(importBatchSql(tenant, 'bench', records));
    return { text: q.sql, values: q.params };
  };
  const local = (sqlText: string) => (tenant: string, records: string) => ({ text: sqlText, values: [records, tenant] });
  const variants: Array<{
    name: string;
    owner: boolean;
    ids: 'row' | 'random';
    query: (tenant: string, records: string) => { text: string; values: unknown[] };
  }> = [
    {
      name: 'importBatchSql (the product: leads + imported events, ids increase with the row), as leadflow_app',
      owner: false,
      ids: 'row',
      query: product,
    },
    { name: '  same with random ids (gen_random_uuid-like, as before this change)', owner: false, ids: 'random', query: product },
    {
      name: '  same, owner with triggers/FKs off (no RLS check, no FK checks, no outbox/pipeline triggers)',
      owner: true,
      ids: 'row',
      query: product,
    },
    {
      name: '  same without the lead_events insert, as leadflow_app',
      owner: false,
      ids: 'row',
      query: local(batchStatement('leads', { events: false, onConflict: true })),
    },
    {
      name: '  INSERT … SELECT json_to_recordset into leads_copy (no ON CONFLICT, random ids; ≈ the COPY)',
      owner: true,
      ids: 'random',
      query: local(batchStatement('leads_copy', { events: false, onConflict: false })),
    },
  ];
  const rand = prng(99);
  const rowIds = importRowIds('bench-breakdown', Date.now());
  const batches: Array<{ row: string; random: string }> = [];
  const size = DEFAULT_IMPORT_BATCH;
  for (let b = 0; b < rows / size; b++) {
    const payload: Array<Record<string, unknown> & { row: number }> = [];
    for (let i = 0; i < size; i++) {
      const n = b * size + i + 1;
      const l = fakeLead(rand, n, 'bd-');
      // Sparse, as the product sends it (absent keys are null / the column default).
      payload.push({
        id: '',
        event_id: '',
        row: n,
        email: l.email,
        first_name: l.firstName,
        last_name: l.lastName,
        phone: l.phone || undefined,
        title: l.title,
        company_name: l.company,
        country: l.place[0],
        source: l.origin[1] ?? undefined,
        stage: l.stage,
        tags: l.tags.length ? l.tags : undefined,
        email_opt_in: l.emailOptIn ?? undefined,
        created_at: new Date().toISOString(),
      });
    }
    const withIds = (f: (p: { row: number }) => [string, string]) =>
      JSON.stringify(
        payload.map((p) => {
          const [id, event_id] = f(p);
          return { ...p, id, event_id };
        }),
      );
    batches.push({
      row: withIds((p) => [rowIds(p.row, 'lead'), rowIds(p.row, 'event')]),
      random: withIds(() => [crypto.randomUUID(), crypto.randomUUID()]),
    });
  }
  const clients = await Promise.all(
    variants.map(async (v) => {
      const c = new pg.Client({ connectionString: v.owner ? dbUrl(database) : appUrl(database) });
      await c.connect();
      if (v.owner) await c.query('SET session_replication_role = replica');
      return c;
    }),
  );
  const tenants = await withOwner(database, async (c) => {
    const ids: string[] = [];
    for (let i = 0; i < variants.length; i++) {
      ids.push(
        (await c.query(`insert into tenants (slug, name) values ($1, $1) returning id`, [`bench-breakdown-${i}`])).rows[0]
          .id as string,
      );
    }
    await c.query('TRUNCATE leads_copy');
    await c.query('CHECKPOINT');
    return ids;
  });
  const ms = variants.map(() => 0);
  try {
    for (const payload of batches) {
      for (const [i, v] of variants.entries()) {
        const c = clients[i];
        const q = v.query(tenants[i], payload[v.ids]);
        const t = performance.now();
        await c.query('begin');
        await c.query(`select set_config('app.tenant_id', $1, true)`, [tenants[i]]);
        await c.query(q.text, q.values);
        await c.query('commit');
        ms[i] += performance.now() - t;
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  log(`\n  DB-only breakdown: ${int(rows)} rows per variant, ${int(size)}-row batches, interleaved — ${load()}`);
  for (const [i, v] of variants.entries()) log(`    ${v.name.padEnd(100)} ${int(rows / (ms[i] / 1000)).padStart(7)} rows/s`);
}

export async function runImport(database: string, rows: number): Promise<ImportFigures> {
  log(`\n## Import: ${int(rows)}-row CSV — ${load()}`);
  const file = path.join(os.tmpdir(), `leadflow-bench-leads-${rows}.csv`);
  const t = performance.now();
  const fileBytes = await writeCsv(file, rows);
  log(`  wrote ${file}: ${mb(fileBytes)} in ${sec(performance.now() - t)}`);
  await freshDatabase(database);

  const tenantId = await withOwner(database, async (c) => {
    const r = await c.query<{ id: string }>(
      `insert into tenants (slug, name) values ('bench-import', 'Import Bench') returning id`,
    );
    const id = r.rows[0].id;
    await c.query(`CREATE TABLE leads_copy (LIKE leads INCLUDING ALL)`);
    await c.query(`ALTER TABLE leads_copy ALTER COLUMN tenant_id SET DEFAULT '${id}'::uuid, ADD COLUMN tags_raw text`);
    await c.query(`CREATE TABLE leads_copy_unindexed (LIKE leads INCLUDING DEFAULTS INCLUDING GENERATED)`);
    await c.query(`ALTER TABLE leads_copy_unindexed ALTER COLUMN tenant_id SET DEFAULT '${id}'::uuid, ADD COLUMN tags_raw text`);
    const ix = await c.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'leads_copy' order by 1`);
    log(`  leads_copy indexes: ${ix.rows.map((r) => r.indexname).join(', ')}`);
    return id;
  });
  const checkpoint = () => withOwner(database, (c) => c.query('CHECKPOINT'));

  await checkpoint();
  const unindexedMs = await psqlCopy(database, 'leads_copy_unindexed', file);
  log(`  raw COPY into an unindexed copy of leads:        ${sec(unindexedMs)}  (${int(rows / (unindexedMs / 1000))} rows/s)`);
  await checkpoint();
  log(`  raw COPY into leads_copy (same indexes)… — ${load()}`);
  const copyMs = await psqlCopy(database, 'leads_copy', file);
  const copyRowsPerSec = rows / (copyMs / 1000);
  log(`  raw COPY into leads_copy (LIKE leads INCLUDING ALL): ${sec(copyMs)}  (${int(copyRowsPerSec)} rows/s)`);

  // Two COPYs of the two halves of the file at once: what the server does with two connections
  // (the product's import writes two batches at once). Information only; the ratio is against the
  // single COPY above.
  const halves = await splitCsv(file);
  await withOwner(database, (c) => c.query('TRUNCATE leads_copy'));
  await checkpoint();
  const t2 = performance.now();
  await Promise.all(halves.map((h) => psqlCopy(database, 'leads_copy', h)));
  const copy2Ms = performance.now() - t2;
  log(`  two raw COPYs at once (halves of the file) into leads_copy: ${sec(copy2Ms)}  (${int(rows / (copy2Ms / 1000))} rows/s)`);
  for (const h of halves) await rm(h, { force: true });
  await withOwner(database, (c) => c.query('TRUNCATE leads_copy, leads_copy_unindexed'));

  const importOnce = async (writers: number | null) => {
    await checkpoint();
    log(`  importLeads (child process, as \`leadflow import\`${writers ? `, ${writers} writer` : ''})… — ${load()}`);
    const started = performance.now();
    const child = await run(process.execPath, [
      '--import',
      'tsx',
      'bench/leads/import-child.ts',
      file,
      tenantId,
      appUrl(database),
      ...(writers ? [String(writers)] : []),
    ]);
    const wall = performance.now() - started;
    if (child.code !== 0) throw new Error(`import child failed (${child.code}): ${child.stderr}`);
    return { wall, res: JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildFigures };
  };
  // Same-run baseline: one batch at a time (the previous implementation's concurrency).
  if (process.env.LEADS_BENCH_IMPORT_BASELINE !== '0') {
    const single = await importOnce(1);
    log(
      `  importLeads with one writer (baseline): ${single.res.seconds.toFixed(1)} s (${int(single.res.inserted / single.res.seconds)} rows/s; CPU ${single.res.cpuSeconds.toFixed(1)} s in Node)`,
    );
    await withOwner(database, (c) =>
      c.query('TRUNCATE leads, lead_events, lead_outbox, lead_pending_jobs CASCADE; DELETE FROM graphile_worker._private_jobs'),
    );
  }
  const { wall: wallMs, res } = await importOnce(null);
  const importRowsPerSec = res.inserted / res.seconds;
  const peak = Math.max(res.peakRss, res.vmHwm);
  const after = await withOwner(database, async (c) => {
    const q = async (s: string) => (await c.query(s)).rows[0].n as number;
    return {
      leads: await q(`select count(*)::int n from leads where tenant_id = '${tenantId}'`),
      events: await q(`select count(*)::int n from lead_events where tenant_id = '${tenantId}' and type = 'imported'`),
      jobs: await q(`select count(*)::int n from graphile_worker._private_jobs`),
    };
  });
  log(
    `  importLeads: ${res.seconds.toFixed(1)} s (${int(importRowsPerSec)} rows/s; process wall incl. start-up ${sec(wallMs)}; CPU ${res.cpuSeconds.toFixed(1)} s in Node)`,
  );
  log(
    `    rows ${int(res.rows)}: inserted ${int(res.inserted)}, updated ${int(res.updated)}, skipped ${int(res.skipped)}, problems ${int(res.problems)} (rejected ${res.rejected})${res.problems ? ` e.g. ${JSON.stringify(res.firstProblems)}` : ''}`,
  );
  log(
    `    also wrote ${int(after.events)} 'imported' lead_events rows (one per lead) and queued ${int(after.jobs)} process_leads jobs; leads in tenant: ${int(after.leads)}`,
  );
  log(
    `    peak RSS ${mb(peak)} (sampled every 100 ms: ${mb(res.peakRss)}, VmHWM ${mb(res.vmHwm)}; at start ${mb(res.rssAtStart)})`,
  );
  log(
    `    RSS every 5 s: ${res.timeline.map(([ts, rss]) => `${(ts / 1000).toFixed(0)}s ${(rss / 1048576).toFixed(0)}`).join(', ')} MB`,
  );
  const ratio = importRowsPerSec / copyRowsPerSec;
  log(
    `  ratio import / raw COPY (same indexes): ${(ratio * 100).toFixed(0)} %  (${int(importRowsPerSec)} vs ${int(copyRowsPerSec)} rows/s)`,
  );
  await rm(file, { force: true });
  if (process.env.LEADS_BENCH_BREAKDOWN !== '0')
    await importBreakdown(
      database,
      Math.max(DEFAULT_IMPORT_BATCH, Math.round(rows / 10 / DEFAULT_IMPORT_BATCH) * DEFAULT_IMPORT_BATCH),
    );
  return {
    rows,
    fileBytes,
    copySeconds: copyMs / 1000,
    copyRowsPerSec,
    copyUnindexedSeconds: unindexedMs / 1000,
    importSeconds: res.seconds,
    importRowsPerSec,
    ratio,
    peakRssMb: peak / 1048576,
  };
}
