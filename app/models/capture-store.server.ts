/**
 * Stores one public form capture: the lead and its `form_submitted` event, committed before the
 * endpoint answers. Hot path (issue 3: ≥ 2,000 captures/s), so a new email takes ONE prepared
 * statement in autocommit — no BEGIN/COMMIT round trips, no connection held between them — and a
 * known email takes the ordinary merge path (`upsertLead` in a tenant transaction).
 *
 * Both set `leadflow.batch_jobs = 'on'` for their transaction: the lead triggers then record the
 * pipeline/outbox work in `lead_pending_jobs` instead of calling graphile_worker.add_job, whose
 * NOTIFY serialises concurrent commits; the worker turns those rows into jobs every ~200 ms
 * (db/migrations/0011_capture_pending_jobs.sql, worker/pending-jobs.ts).
 */
import { getTableColumns, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { assertUuid, schema, type Database } from '../../db';
import { uuidv7 } from '../../db/ids';
import { leadFieldsSchema, type LeadFields } from './lead-fields';
import { upsertLead, type Actor } from './lead.server';

export interface CaptureStoreOptions {
  eventType?: string;
  eventPayload?: Record<string, unknown>;
  touch?: Record<string, unknown> | null;
}

const leadColumns = getTableColumns(schema.leads) as Record<string, PgColumn>;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Statement texts by the set of lead columns given (captures come in a handful of shapes). */
const statements = new Map<string, { name?: string; text: string }>();
const MAX_NAMED = 64;

/**
 * The lead INSERT … ON CONFLICT DO NOTHING and, only when it inserted, its event — one statement,
 * prepared once per connection (named): no query building, parsing or planning per capture.
 * NOTE: the tenant is set by the statement itself. `cfg` (MATERIALIZED: evaluated once, before
 * anything reads it) runs set_config transaction-locally with a bound parameter — what withTenant
 * does, never session-level — and the lead row's tenant_id is read from it, so the setting is in
 * place before the RLS checks on the row and before the statement-level triggers at its end. The
 * event reads the inserted id from `ins`, so it exists only for a new lead.
 * NOTE: the statement queues the new lead for the pipeline itself (one lead_pending_jobs row) and
 * sets leadflow.pipeline_write = 'on', which turns the pipeline triggers off for it, as for the
 * pipeline's own writes (db/migrations/0008). Those triggers would have queued exactly this lead,
 * twice (for the INSERT and for its form_submitted event); their per-statement work was a third of
 * the statement's cost. The outbox triggers run as usual (batched by leadflow.batch_jobs).
 */
function statementFor(keys: string[]): { name?: string; text: string } {
  const signature = keys.join(',');
  let statement = statements.get(signature);
  if (!statement) {
    const n = keys.length;
    const text = `with cfg as materialized (
  select set_config('app.tenant_id', $1, true)::uuid as tenant_id, set_config('app.user_id', '', true) as user_id,
         set_config('leadflow.batch_jobs', 'on', true) as batch_jobs,
         set_config('leadflow.pipeline_write', 'on', true) as pipeline_queued_here
), ins as (
  insert into leads (tenant_id, ${keys.map((k) => quote(leadColumns[k].name)).join(', ')})
  values ((select tenant_id from cfg), ${keys.map((_, i) => `$${i + 2}`).join(', ')})
  on conflict do nothing
  returning id
), ev as (
  insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
  select (select tenant_id from cfg), $${n + 2}::uuid, ins.id, $${n + 3}::text, $${n + 4}::text, $${n + 5}::text, $${n + 6}::jsonb
  from ins
), pending as (
  insert into lead_pending_jobs (tenant_id, task, lead_id)
  select (select tenant_id from cfg), 'process_leads', ins.id
  from ins
)
select id from ins`;
    statement = statements.size < MAX_NAMED ? { name: `leadflow_capture_${statements.size}`, text } : { text };
    statements.set(signature, statement);
  }
  return statement;
}

async function insertNewLead(database: Database, tenantId: string, fields: LeadFields, actor: Actor, opts: CaptureStoreOptions) {
  const { custom, ...rest } = fields;
  const touch = opts.touch ?? null;
  const row: Record<string, unknown> = { ...rest, custom: custom ?? {}, id: uuidv7(), ...(touch ? { firstTouch: touch, lastTouch: touch } : {}) };
  const keys = Object.keys(row)
    .filter((k) => row[k] !== undefined)
    .sort();
  for (const k of keys) if (!leadColumns[k] || k === 'tenantId') throw new Error(`not a lead column: ${k}`);
  const { name, text } = statementFor(keys);
  const values = [
    tenantId,
    // As drizzle would send them (jsonb as JSON text, arrays as array literals).
    ...keys.map((k) => (row[k] === null ? null : leadColumns[k].mapToDriverValue(row[k]))),
    uuidv7(),
    opts.eventType ?? 'created',
    actor.type,
    actor.id ?? null,
    JSON.stringify({ ...opts.eventPayload, ...(touch ? { touch } : {}) }),
  ];
  const result = await database.pool.query<{ id: string }>({ name, text, values });
  return result.rows[0]?.id ?? null;
}

/**
 * Creates the lead (one statement) or, when its email is known, merges into the existing lead
 * exactly as `upsertLead` does (fills empty fields, records conflicts in the `merged` event).
 * Resolves after the commit.
 */
export async function storeCapture(
  database: Database,
  tenantId: string,
  input: LeadFields,
  actor: Actor,
  opts: CaptureStoreOptions = {},
): Promise<{ status: 'created' | 'merged'; leadId: string }> {
  assertUuid(tenantId, 'tenantId');
  const fields = leadFieldsSchema.parse(input);
  const leadId = await insertNewLead(database, tenantId, fields, actor, opts);
  if (leadId) return { status: 'created', leadId };
  // Nothing inserted: the (tenant, email) key exists (a new id cannot collide). The merge path
  // locks the existing lead; its own INSERT attempt also covers a lead deleted in between.
  const result = await database.withTenant(tenantId, async (tx) => {
    await tx.execute(sql`select set_config('leadflow.batch_jobs', 'on', true)`);
    return upsertLead(tx, tenantId, fields, actor, opts);
  });
  return { status: result.status, leadId: result.lead.id };
}
