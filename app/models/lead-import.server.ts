/**
 * Imports parsed CSV batches into the tenant's leads. One transaction per batch: leads, their
 * 'imported' events, merges into known emails and the import's progress commit together, so a
 * retried job resumes exactly after the last committed row.
 *
 * Speed (bench/README.md, "import"): a batch (2,500 rows) is one INSERT … SELECT FROM
 * json_to_recordset(…) ON CONFLICT DO NOTHING with the events written by the same statement
 * (importBatchSql); only rows whose email already exists take the slower per-row merge path. Ids
 * increase with the row (importRowIds), so the indexes that end in the id are appended to. Parsing
 * the next batch overlaps the database's work on the current one (two stages, one batch ahead).
 */
import crypto from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../../db';
import { parseImport, type ByteSource, type ImportBatch, type ImportFileInfo, type LeadInput, type Mapping } from '../lib/import';
import { appendEvent, planMerge, type Actor, type Lead } from './lead.server';
import { schema } from '../../db';
import type { LeadFields } from './lead-fields';
import { eq } from 'drizzle-orm';

export interface ImportRowProblem {
  row: number;
  column: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface ImportSummary {
  rows: number;
  inserted: number;
  updated: number;
  skipped: number;
  errors: ImportRowProblem[];
}

export interface ImportOptions {
  dedupe: 'merge' | 'skip';
  dryRun?: boolean;
  mapping?: Mapping;
  /** Ids derived from (importId, row) make a retried batch idempotent. */
  importId?: string;
  actor: Actor;
  /** Rows ≤ this were committed by an earlier attempt. */
  resumeAfterRow?: number;
  /** Keep at most this many problems in the returned summary (all are passed to onBatch). */
  maxErrorsInSummary?: number;
  batchSize?: number;
  /**
   * Batches written at once, each on its own connection (default DEFAULT_IMPORT_WRITERS). They
   * still commit one after another in file order, so progress and resume are as with one writer.
   */
  writers?: number;
  onStart?(info: ImportFileInfo): void;
  /** Runs inside each batch's transaction (progress, error rows). */
  onBatch?(tx: Tx, batch: { summary: ImportSummary; problems: ImportRowProblem[]; lastRow: number; bytesRead: number }): Promise<void>;
}

const STAGE_SYNONYMS: Array<[RegExp, string]> = [
  [/^(new|lead|subscriber|open|not contacted|raw)$/, 'new'],
  [/^(working|contacted|in progress|attempting contact|attempted to contact|engaged|nurturing?)$/, 'working'],
  [/^(mql|marketing ?qualified( ?lead)?|marketingqualifiedlead)$/, 'mql'],
  [/^(sql|sales ?qualified( ?lead)?|salesqualifiedlead|opportunity|qualified)$/, 'sql'],
  [/^(customer|won|closed ?won|client|evangelist)$/, 'customer'],
  [/^(lost|closed ?lost|unqualified|disqualified|junk|bad fit)$/, 'lost'],
];

export function normaliseStage(raw: string | undefined, stages: readonly string[]): string | undefined {
  if (!raw) return undefined;
  const v = raw.trim().toLowerCase().replace(/[_-]+/g, ' ');
  if (stages.includes(v)) return v;
  for (const [re, stage] of STAGE_SYNONYMS) if (re.test(v) && stages.includes(stage)) return stage;
  return undefined;
}

/**
 * Ids for an import's rows: UUIDv7 with the import's start as the time part and the row number as
 * a counter (RFC 9562 §6.2 method 1), then 36 bits of a hash of the import key. Deterministic for
 * (import key, start, row, kind). Increasing with the row, so the leads' primary key and the
 * (…, score, id) list indexes are appended to rather than written at random pages (random ids made
 * the batch statement ~20 % slower at 1M rows, over twice as slow in a 200k-row run: bench/README.md).
 * Layout (hex digits): 12 ms · '7' · row bits 35–24 (3) · variant 0b10 + kind (1) · row bits
 * 23–0 (6) · import hash (9). Rows up to 2^36.
 */
export function importRowIds(importKey: string, ms: number): (row: number, kind: 'lead' | 'event') => string {
  const time = ms.toString(16).padStart(12, '0').slice(-12);
  const hash = crypto.createHash('sha1').update(importKey).digest('hex').slice(0, 9);
  const head = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
  return (row, kind) => {
    const hi = Math.floor(row / 0x1000000) & 0xfff;
    const lo = row % 0x1000000;
    const v = (kind === 'lead' ? 8 : 9).toString(16);
    const loHex = lo.toString(16).padStart(6, '0');
    return `${head}${hi.toString(16).padStart(3, '0')}-${v}${loHex.slice(0, 3)}-${loHex.slice(3)}${hash}`;
  };
}

const toFields = (lead: LeadInput, ownerId: string | null, stage: string | undefined): LeadFields => ({
  email: lead.email ?? null,
  firstName: lead.firstName ?? null,
  lastName: lead.lastName ?? null,
  phone: lead.phone ?? null,
  title: lead.title ?? null,
  companyName: lead.companyName ?? null,
  website: lead.website ?? null,
  companySize: lead.companySize ?? null,
  industry: lead.industry ?? null,
  country: lead.country ?? null,
  region: lead.region ?? null,
  city: lead.city ?? null,
  timezone: lead.timezone ?? null,
  channel: lead.channel ?? null,
  source: lead.source ?? null,
  medium: lead.medium ?? null,
  campaign: lead.campaign ?? null,
  referrer: lead.referrer ?? null,
  landingPage: lead.landingPage ?? null,
  ...(stage ? { stage } : {}),
  ...(ownerId ? { ownerId } : {}),
  tags: lead.tags ?? [],
  emailOptIn: lead.emailOptIn ?? null,
  smsOptIn: lead.smsOptIn ?? null,
  unsubscribed: lead.unsubscribed ?? false,
  doNotContact: lead.doNotContact ?? false,
  custom: lead.custom ?? {},
});

/** The columns of a batch's JSON records (json_to_recordset); absent keys are null. */
const RECORD_COLUMNS = sql.raw(`id uuid, event_id uuid, row int, email text, first_name text, last_name text, phone text,
  title text, company_name text, website text, company_size text, industry text, country text, region text, city text,
  timezone text, channel text, source text, medium text, campaign text, referrer text, landing_page text, stage text,
  owner_id uuid, tags text[], email_opt_in boolean, sms_opt_in boolean, unsubscribed boolean, do_not_contact boolean,
  custom jsonb, created_at timestamptz, note text`);

/**
 * One batch's new leads and their 'imported' events in one statement. `records` is a JSON array of
 * objects keyed by RECORD_COLUMNS, nulls and defaults left out (a sparse record is a fraction of
 * the bytes for Postgres to parse). ON CONFLICT DO NOTHING: a row whose email is already a lead of
 * the tenant (or whose id an earlier attempt of the same import wrote) is not inserted, and the
 * caller merges or skips it. Returns the rows NOT inserted.
 */
export function importBatchSql(tenantId: string, importKey: string, records: string): SQL {
  return sql`
    with input as (
      select * from json_to_recordset(${records}::json) as x(${RECORD_COLUMNS})
    ), ins as (
      insert into leads (tenant_id, id, email, first_name, last_name, phone, title, company_name, website, company_size,
        industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page, stage,
        owner_id, tags, email_opt_in, sms_opt_in, unsubscribed, do_not_contact, custom, created_at, updated_at)
      select ${tenantId}::uuid, id, email, first_name, last_name, phone, title, company_name, website, company_size,
        industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page,
        coalesce(stage, 'new'), owner_id, coalesce(tags, '{}'), email_opt_in, sms_opt_in, coalesce(unsubscribed, false),
        coalesce(do_not_contact, false), coalesce(custom, '{}'), coalesce(created_at, now()), now()
      from input
      order by row
      on conflict do nothing
      returning id
    ), ev as (
      insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
      select ${tenantId}::uuid, input.event_id, ins.id, 'imported', 'import', ${importKey},
        jsonb_build_object('importId', ${importKey}::text, 'row', input.row)
          || case when input.note is not null then jsonb_build_object('note', input.note) else '{}'::jsonb end
      from ins join input using (id)
    )
    select input.row from input where not exists (select 1 from ins where ins.id = input.id)`;
}

/** A row to write; `fields` (the merge input) is built only for rows that turn out to conflict. */
interface PreparedRow {
  row: number;
  lead: LeadInput;
  ownerId: string | null;
  stage: string | undefined;
}
const fieldsOf = (p: PreparedRow): LeadFields => toFields(p.lead, p.ownerId, p.stage);

/** A parsed batch made ready for its transaction (all CPU work, no I/O). */
interface BatchJob {
  problems: ImportRowProblem[];
  prepared: PreparedRow[];
  /** In-file duplicates: never inserted, merged or skipped after the batch's inserts. */
  duplicates: PreparedRow[];
  /** The sparse JSON records of `prepared` (importBatchSql). */
  records: string;
  rows: number;
  lastRow: number;
  bytesRead: number;
}

export async function importLeads(database: Database, tenantId: string, source: ByteSource, opts: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, inserted: 0, updated: 0, skipped: 0, errors: [] };
  const maxErrors = opts.maxErrorsInSummary ?? Number.POSITIVE_INFINITY;
  const importKey = opts.importId ?? crypto.randomUUID();
  const ids = importRowIds(importKey, Date.now());
  const { owners, stages } = await database.withTenant(tenantId, async (tx) => {
    const members = await tx.execute<{ id: string; email: string }>(
      sql`select u.id, lower(u.email) as email from memberships m join users u on u.id = m.user_id`,
    );
    const t = await tx.execute<{ settings: { stages?: string[] } }>(sql`select settings from tenants where id = ${tenantId}`);
    return {
      owners: new Map(members.rows.map((r) => [r.email, r.id])),
      stages: t.rows[0]?.settings?.stages ?? ['new', 'working', 'mql', 'sql', 'customer', 'lost'],
    };
  });
  const resumeAfter = opts.resumeAfterRow ?? 0;
  let fileInfo: ImportFileInfo | null = null;
  let definitionsWritten = false;

  const onStart = (info: ImportFileInfo) => {
    fileInfo = info;
    opts.onStart?.(info);
  };

  const prepare = (batch: ImportBatch): BatchJob | null => {
    const problems: ImportRowProblem[] = batch.errors.map((e) => ({ row: e.row, column: e.column, message: e.message, severity: e.severity }));
    let lastRow = 0;
    for (const l of batch.leads) if (l.row > lastRow) lastRow = l.row;
    for (const e of batch.errors) if (e.row > lastRow) lastRow = e.row;
    if (lastRow <= resumeAfter) return null;
    const rejected = new Set<number>();
    for (const e of batch.errors) if (e.severity === 'error' && e.row > resumeAfter) rejected.add(e.row);
    const prepared: PreparedRow[] = [];
    const duplicates: PreparedRow[] = [];
    const records: Array<Record<string, unknown>> = [];
    for (const r of batch.leads) {
      if (r.row <= resumeAfter) continue;
      const ownerId = r.lead.owner ? (owners.get(r.lead.owner) ?? null) : null;
      if (r.lead.owner && !ownerId) problems.push({ row: r.row, column: 'owner', message: `Owner ${r.lead.owner} is not a member of this workspace; left unassigned`, severity: 'warning' });
      const stage = normaliseStage(r.lead.stage, stages);
      if (r.lead.stage && !stage) problems.push({ row: r.row, column: 'stage', message: `Unknown stage "${r.lead.stage}"; set to new`, severity: 'warning' });
      const p: PreparedRow = { row: r.row, lead: r.lead, ownerId, stage };
      if (r.duplicateOf !== undefined) {
        duplicates.push(p);
        continue;
      }
      prepared.push(p);
      if (!opts.dryRun) records.push(sparseRecord(p, ids));
    }
    return {
      problems,
      prepared,
      duplicates,
      records: opts.dryRun ? '' : JSON.stringify(records),
      rows: prepared.length + duplicates.length + rejected.size,
      lastRow,
      bytesRead: batch.bytesRead,
    };
  };

  // `earlier` settles when the previous batch has committed (or failed). A batch's new leads are
  // inserted at once (parallel with the previous batch); then it waits for that commit before
  // anything else: merges (into leads of earlier batches too, now visible — in-file duplicates are
  // never in the insert), its progress row and its commit. So batches commit in file order, a
  // failure of batch k rolls back every later batch still open, and while waiting a batch holds
  // locks only on its own uncommitted new rows (and no job-key row: see leadflow.batch_jobs below),
  // so the wait cannot close a lock cycle behind the server's back.
  const write = async (job: BatchJob, earlier: Promise<void>): Promise<void> => {
    const { problems } = job;
    const batchSummary: ImportSummary = { rows: job.rows, inserted: 0, updated: 0, skipped: 0, errors: [] };

    const work = async (tx: Tx) => {
      let conflicted: PreparedRow[];
      if (!opts.dryRun && !definitionsWritten && fileInfo) {
        definitionsWritten = true; // before the await: the next batch may start meanwhile
        // Columns kept as custom fields become the tenant's custom field definitions.
        const defs = (fileInfo as ImportFileInfo).mapping
          .filter((m) => m.field?.startsWith('custom.'))
          .map((m) => ({ key: m.field!.slice('custom.'.length), label: m.header || m.field!.slice('custom.'.length) }));
        if (defs.length) {
          await tx.execute(sql`
            insert into custom_field_definitions (tenant_id, key, label)
            select ${tenantId}::uuid, key, label from jsonb_to_recordset(${JSON.stringify(defs)}::jsonb) as x(key text, label text)
            on conflict do nothing`);
        }
      }
      if (!opts.dryRun) {
        // Workflow-delivery requests go to lead_pending_jobs instead of upserting the tenant's
        // keyed delivery job, whose row lock two open batches would otherwise share (migration 0015).
        await tx.execute(sql`select set_config('leadflow.batch_jobs', 'delivery', true)`);
        let notInserted: number[] = [];
        if (job.prepared.length) {
          const result = await tx.execute<{ row: number }>(importBatchSql(tenantId, importKey, job.records));
          notInserted = result.rows.map((r) => Number(r.row));
        }
        batchSummary.inserted = job.prepared.length - notInserted.length;
        const skippedRows = new Set(notInserted);
        conflicted = job.prepared.filter((p) => skippedRows.has(p.row)).concat(job.duplicates);
        conflicted.sort((a, b) => a.row - b.row);
        await earlier;
      } else {
        // Dry run: nothing is written; rows whose email exists would merge or be skipped.
        const all = job.prepared.concat(job.duplicates).sort((a, b) => a.row - b.row);
        const emails = all.map((p) => p.lead.email).filter((e): e is string => Boolean(e));
        const existing = emails.length
          ? await tx.execute<{ email_key: string }>(sql`select email_key from leads where email_key in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`)
          : { rows: [] };
        const known = new Set(existing.rows.map((r) => r.email_key));
        const seen = new Set<string>();
        conflicted = [];
        for (const p of all) {
          const e = p.lead.email;
          if (e && (known.has(e) || seen.has(e))) conflicted.push(p);
          else batchSummary.inserted++;
          if (e) seen.add(e);
        }
        if (opts.dedupe === 'skip') batchSummary.skipped += conflicted.length;
        else batchSummary.updated += conflicted.length;
        return;
      }
      if (conflicted.length === 0) return;
      if (opts.dedupe === 'skip') {
        batchSummary.skipped += conflicted.length;
        for (const p of conflicted) problems.push({ row: p.row, column: 'email', message: `Skipped: a lead with ${p.lead.email} exists`, severity: 'warning' });
        return;
      }
      const emails = [...new Set(conflicted.map((p) => p.lead.email).filter((e): e is string => Boolean(e)))];
      const existingRows = emails.length
        ? await tx.select().from(schema.leads).where(sql`${schema.leads.emailKey} in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`).for('update')
        : [];
      const byEmail = new Map<string, Lead>(existingRows.map((l) => [l.emailKey!, l]));
      for (const p of conflicted) {
        const current = p.lead.email ? byEmail.get(p.lead.email) : undefined;
        if (!current) {
          batchSummary.skipped++; // already imported by an earlier attempt of this import
          continue;
        }
        const { patch, changes, conflicts } = planMerge(current, fieldsOf(p));
        if (changes.length) {
          const [updated] = await tx.update(schema.leads).set({ ...patch, updatedAt: new Date() }).where(eq(schema.leads.id, current.id)).returning();
          byEmail.set(p.lead.email!, updated);
        }
        await appendEvent(tx, tenantId, current.id, 'merged', opts.actor, { via: 'import', importId: importKey, row: p.row, changes, conflicts });
        batchSummary.updated++;
      }
    };

    if (opts.dryRun) await database.withTenant(tenantId, work);
    else {
      await database.withTenant(tenantId, async (tx) => {
        await work(tx);
        await opts.onBatch?.(tx, { summary: batchSummary, problems, lastRow: job.lastRow, bytesRead: job.bytesRead });
      });
    }
    summary.rows += batchSummary.rows;
    summary.inserted += batchSummary.inserted;
    summary.updated += batchSummary.updated;
    summary.skipped += batchSummary.skipped;
    for (const p of problems) if (summary.errors.length < maxErrors && p.row > resumeAfter) summary.errors.push(p);
  };

  // A pipeline: while Postgres writes up to `writers` batches (each its own transaction and
  // connection, so the server works on them in parallel), Node parses and prepares the next one.
  // Memory stays at writers + 1 batches. Dry runs write nothing and keep one batch at a time.
  const writers = opts.dryRun ? 1 : Math.max(1, Math.floor(opts.writers ?? DEFAULT_IMPORT_WRITERS));
  const batches = parseImport(source, { mapping: opts.mapping, batchSize: opts.batchSize ?? DEFAULT_IMPORT_BATCH, onStart });
  const inFlight: Array<Promise<void>> = [];
  let lastCommit: Promise<void> = Promise.resolve();
  try {
    let next = batches.next();
    for (;;) {
      const step = await next;
      if (step.done) break;
      const job = prepare(step.value);
      while (inFlight.length >= writers) await inFlight.shift();
      if (job) {
        const writing = write(job, lastCommit);
        writing.catch(() => {}); // awaited in order; this only keeps a failure from being "unhandled" meanwhile
        inFlight.push(writing);
        lastCommit = writing;
      }
      next = batches.next();
    }
    while (inFlight.length) await inFlight.shift();
  } catch (error) {
    await Promise.allSettled(inFlight);
    await batches.return(undefined);
    throw error;
  }
  summary.errors.sort((a, b) => a.row - b.row);
  return summary;
}

/** Rows per batch (one transaction each). */
export const DEFAULT_IMPORT_BATCH = 2500;
/** Batches written at once (bench/README.md "import": the server is CPU-bound per connection). */
export const DEFAULT_IMPORT_WRITERS = 2;

/** A row's JSON record for importBatchSql: only the keys with a value (absent = null/default). */
function sparseRecord(p: PreparedRow, ids: (row: number, kind: 'lead' | 'event') => string): Record<string, unknown> {
  const l = p.lead;
  const r: Record<string, unknown> = { id: ids(p.row, 'lead'), event_id: ids(p.row, 'event'), row: p.row };
  // The same values as toFields (LeadInput's optional fields; undefined is left out by JSON).
  r.email = l.email;
  r.first_name = l.firstName;
  r.last_name = l.lastName;
  r.phone = l.phone;
  r.title = l.title;
  r.company_name = l.companyName;
  r.website = l.website;
  r.company_size = l.companySize;
  r.industry = l.industry;
  r.country = l.country;
  r.region = l.region;
  r.city = l.city;
  r.timezone = l.timezone;
  r.channel = l.channel;
  r.source = l.source;
  r.medium = l.medium;
  r.campaign = l.campaign;
  r.referrer = l.referrer;
  r.landing_page = l.landingPage;
  r.stage = p.stage;
  if (p.ownerId) r.owner_id = p.ownerId;
  if (l.tags?.length) r.tags = l.tags;
  r.email_opt_in = l.emailOptIn;
  r.sms_opt_in = l.smsOptIn;
  if (l.unsubscribed) r.unsubscribed = true;
  if (l.doNotContact) r.do_not_contact = true;
  if (l.custom && Object.keys(l.custom).length) r.custom = l.custom;
  r.created_at = l.createdAt;
  r.note = l.notes;
  return r;
}
