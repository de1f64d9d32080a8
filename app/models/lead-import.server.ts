/**
 * Imports parsed CSV batches into the tenant's leads. One transaction per batch: leads, their
 * 'imported' events, merges into known emails and the import's progress commit together, so a
 * retried job resumes exactly after the last committed row.
 *
 * Speed: a batch is one INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO NOTHING, with
 * the events written by the same statement; only rows whose email already exists take the
 * slower per-row merge path.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db';
import { parseImport, type ImportFileInfo, type LeadInput, type Mapping, type ByteSource } from '../lib/import';
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

/** A UUIDv7 whose time part is the import's start and whose rest is derived from (import, row). */
function rowId(importKey: string, row: number, kind: string, ms: number): string {
  const h = crypto.createHash('sha1').update(`${importKey}:${row}:${kind}`).digest();
  h.writeUIntBE(ms, 0, 6);
  h[6] = (h[6] & 0x0f) | 0x70;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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

export async function importLeads(database: Database, tenantId: string, source: ByteSource, opts: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, inserted: 0, updated: 0, skipped: 0, errors: [] };
  const maxErrors = opts.maxErrorsInSummary ?? Number.POSITIVE_INFINITY;
  const importKey = opts.importId ?? crypto.randomUUID();
  const startedMs = Date.now();
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
  for await (const batch of parseImport(source, { mapping: opts.mapping, batchSize: opts.batchSize ?? 2000, onStart })) {
    const problems: ImportRowProblem[] = batch.errors.map((e) => ({ row: e.row, column: e.column, message: e.message, severity: e.severity }));
    const rows = batch.leads.filter((l) => l.row > resumeAfter);
    const rejected = new Set(batch.errors.filter((e) => e.severity === 'error').map((e) => e.row));
    const lastRow = Math.max(0, ...batch.leads.map((l) => l.row), ...batch.errors.map((e) => e.row));
    if (lastRow <= resumeAfter) continue;
    const prepared = rows.map((r) => {
      const ownerId = r.lead.owner ? (owners.get(r.lead.owner) ?? null) : null;
      if (r.lead.owner && !ownerId) problems.push({ row: r.row, column: 'owner', message: `Owner ${r.lead.owner} is not a member of this workspace; left unassigned`, severity: 'warning' });
      const stage = normaliseStage(r.lead.stage, stages);
      if (r.lead.stage && !stage) problems.push({ row: r.row, column: 'stage', message: `Unknown stage "${r.lead.stage}"; set to new`, severity: 'warning' });
      return { ...r, fields: toFields(r.lead, ownerId, stage) };
    });
    const batchSummary: ImportSummary = { rows: rows.length + [...rejected].filter((r) => r > resumeAfter).length, inserted: 0, updated: 0, skipped: 0, errors: [] };

    const work = async (tx: Tx) => {
      let conflicted = prepared;
      if (!opts.dryRun && !definitionsWritten && fileInfo) {
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
        definitionsWritten = true;
      }
      if (!opts.dryRun) {
        const payload = prepared.map((p) => ({
          id: rowId(importKey, p.row, 'lead', startedMs),
          event_id: rowId(importKey, p.row, 'event', startedMs),
          row: p.row,
          email: p.fields.email,
          first_name: p.fields.firstName,
          last_name: p.fields.lastName,
          phone: p.fields.phone,
          title: p.fields.title,
          company_name: p.fields.companyName,
          website: p.fields.website,
          company_size: p.fields.companySize,
          industry: p.fields.industry,
          country: p.fields.country,
          region: p.fields.region,
          city: p.fields.city,
          timezone: p.fields.timezone,
          channel: p.fields.channel,
          source: p.fields.source,
          medium: p.fields.medium,
          campaign: p.fields.campaign,
          referrer: p.fields.referrer,
          landing_page: p.fields.landingPage,
          stage: p.fields.stage ?? 'new',
          owner_id: p.fields.ownerId ?? null,
          tags: p.fields.tags,
          email_opt_in: p.fields.emailOptIn,
          sms_opt_in: p.fields.smsOptIn,
          unsubscribed: p.fields.unsubscribed,
          do_not_contact: p.fields.doNotContact,
          custom: p.fields.custom,
          created_at: p.lead.createdAt ?? null,
          note: p.lead.notes ?? null,
        }));
        const result = await tx.execute<{ row: number; inserted: boolean }>(sql`
          with input as (
            select * from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as x(
              id uuid, event_id uuid, row int, email text, first_name text, last_name text, phone text, title text,
              company_name text, website text, company_size text, industry text, country text, region text, city text,
              timezone text, channel text, source text, medium text, campaign text, referrer text, landing_page text,
              stage text, owner_id uuid, tags text[], email_opt_in boolean, sms_opt_in boolean, unsubscribed boolean,
              do_not_contact boolean, custom jsonb, created_at timestamptz, note text)
          ), ins as (
            insert into leads (tenant_id, id, email, first_name, last_name, phone, title, company_name, website, company_size,
              industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page, stage,
              owner_id, tags, email_opt_in, sms_opt_in, unsubscribed, do_not_contact, custom, created_at, updated_at)
            select ${tenantId}::uuid, id, email, first_name, last_name, phone, title, company_name, website, company_size,
              industry, country, region, city, timezone, channel, source, medium, campaign, referrer, landing_page, stage,
              owner_id, tags, email_opt_in, sms_opt_in, unsubscribed, do_not_contact, custom,
              coalesce(created_at, now()), now()
            from input order by row
            on conflict do nothing
            returning id
          ), ev as (
            insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
            select ${tenantId}::uuid, input.event_id, ins.id, 'imported', 'import', ${importKey},
              jsonb_build_object('importId', ${importKey}::text, 'row', input.row)
                || case when input.note is not null then jsonb_build_object('note', input.note) else '{}'::jsonb end
            from ins join input using (id)
          )
          select input.row, (ins.id is not null) as inserted from input left join ins using (id)`);
        const insertedRows = new Set(result.rows.filter((r) => r.inserted).map((r) => Number(r.row)));
        batchSummary.inserted = insertedRows.size;
        conflicted = prepared.filter((p) => !insertedRows.has(p.row));
      } else {
        // Dry run: nothing is written; rows whose email exists would merge or be skipped.
        const emails = prepared.map((p) => p.fields.email).filter((e): e is string => Boolean(e));
        const existing = emails.length
          ? await tx.execute<{ email_key: string }>(sql`select email_key from leads where email_key in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`)
          : { rows: [] };
        const known = new Set(existing.rows.map((r) => r.email_key));
        const seen = new Set<string>();
        conflicted = [];
        for (const p of prepared) {
          const e = p.fields.email;
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
        for (const p of conflicted) problems.push({ row: p.row, column: 'email', message: `Skipped: a lead with ${p.fields.email} exists`, severity: 'warning' });
        return;
      }
      const emails = [...new Set(conflicted.map((p) => p.fields.email).filter((e): e is string => Boolean(e)))];
      const existingRows = emails.length
        ? await tx.select().from(schema.leads).where(sql`${schema.leads.emailKey} in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`).for('update')
        : [];
      const byEmail = new Map<string, Lead>(existingRows.map((l) => [l.emailKey!, l]));
      for (const p of conflicted) {
        const current = p.fields.email ? byEmail.get(p.fields.email) : undefined;
        if (!current) {
          batchSummary.skipped++; // already imported by an earlier attempt of this import
          continue;
        }
        const { patch, changes, conflicts } = planMerge(current, p.fields);
        if (changes.length) {
          const [updated] = await tx.update(schema.leads).set({ ...patch, updatedAt: new Date() }).where(eq(schema.leads.id, current.id)).returning();
          byEmail.set(p.fields.email!, updated);
        }
        await appendEvent(tx, tenantId, current.id, 'merged', opts.actor, { via: 'import', importId: importKey, row: p.row, changes, conflicts });
        batchSummary.updated++;
      }
    };

    if (opts.dryRun) await database.withTenant(tenantId, work);
    else {
      await database.withTenant(tenantId, async (tx) => {
        await work(tx);
        await opts.onBatch?.(tx, { summary: batchSummary, problems, lastRow, bytesRead: batch.bytesRead });
      });
    }
    summary.rows += batchSummary.rows;
    summary.inserted += batchSummary.inserted;
    summary.updated += batchSummary.updated;
    summary.skipped += batchSummary.skipped;
    for (const p of problems) if (summary.errors.length < maxErrors && p.row > resumeAfter) summary.errors.push(p);
  }
  summary.errors.sort((a, b) => a.row - b.row);
  return summary;
}
