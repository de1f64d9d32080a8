/**
 * Lead domain operations. Every function takes the caller's tenant transaction (RLS scopes it);
 * none of them filters by tenant by hand.
 */
import { and, asc, desc, eq, getTableColumns, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { exactIsoTime, schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';
import { audit } from './audit.server';
import { leadFieldsSchema, MERGEABLE_FIELDS, type LeadFields } from './lead-fields';
import type { LeadFilter } from './lead-filter';

export type Lead = typeof schema.leads.$inferSelect;
export type LeadEvent = typeof schema.leadEvents.$inferSelect;
export type ActorType = LeadEvent['actorType'];

export interface Actor {
  type: ActorType;
  id?: string | null;
}

export interface FieldConflict {
  field: string;
  kept: unknown;
  incoming: unknown;
}

export class LeadEmailTakenError extends Error {
  constructor(public readonly email: string) {
    super(`Another lead already has the email ${email}`);
    this.name = 'LeadEmailTakenError';
  }
}

function isEmailConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const pg = e?.code ? e : e?.cause;
  return pg?.code === '23505' && pg?.constraint === 'leads_tenant_email_key';
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** The insertable row for the given fields (camelCase → drizzle columns). */
function toRow(tenantId: string, fields: LeadFields) {
  const { custom, ...rest } = fields;
  return { ...rest, tenantId, custom: custom ?? {} };
}

export async function appendEvent(
  tx: Tx,
  tenantId: string,
  leadId: string,
  type: string,
  actor: Actor,
  payload: Record<string, unknown> = {},
  occurredAt?: Date,
): Promise<LeadEvent> {
  const [event] = await tx.insert(schema.leadEvents).values({
    tenantId,
    id: uuidv7(),
    leadId,
    type,
    actorType: actor.type,
    actorId: actor.id ?? null,
    payload,
    ...(occurredAt ? { occurredAt } : {}),
  }).returning();
  return event;
}

export interface UpsertResult {
  lead: Lead;
  status: 'created' | 'merged';
  changes: string[];
  conflicts: FieldConflict[];
}

/**
 * Merge rule (capture, import, API create of a known email): fill fields that are empty, add new
 * tags and custom keys, never overwrite a value already there — a differing incoming value is
 * recorded as a conflict in the 'merged' event. Restrictions (unsubscribe, do-not-contact) are
 * always applied: losing an opt-out would be worse than a conflict.
 */
export function planMerge(existing: Lead, incoming: LeadFields): { patch: Partial<Lead>; changes: string[]; conflicts: FieldConflict[] } {
  const patch: Record<string, unknown> = {};
  const changes: string[] = [];
  const conflicts: FieldConflict[] = [];
  const current = existing as unknown as Record<string, unknown>;
  for (const field of MERGEABLE_FIELDS) {
    const value = incoming[field];
    if (isEmpty(value)) continue;
    if (isEmpty(current[field])) {
      patch[field] = value;
      changes.push(field);
    } else if (current[field] !== value) {
      conflicts.push({ field, kept: current[field], incoming: value });
    }
  }
  if (incoming.stage && incoming.stage !== existing.stage) conflicts.push({ field: 'stage', kept: existing.stage, incoming: incoming.stage });
  if (incoming.ownerId && existing.ownerId && incoming.ownerId !== existing.ownerId) {
    conflicts.push({ field: 'ownerId', kept: existing.ownerId, incoming: incoming.ownerId });
  } else if (incoming.ownerId && !existing.ownerId) {
    patch.ownerId = incoming.ownerId;
    changes.push('ownerId');
  }
  const newTags = (incoming.tags ?? []).filter((t) => !existing.tags.includes(t));
  if (newTags.length) {
    patch.tags = [...existing.tags, ...newTags];
    changes.push('tags');
  }
  const custom = { ...(existing.custom as Record<string, unknown>) };
  let customChanged = false;
  for (const [key, value] of Object.entries(incoming.custom ?? {})) {
    if (isEmpty(value)) continue;
    if (isEmpty(custom[key])) {
      custom[key] = value;
      customChanged = true;
    } else if (custom[key] !== value) {
      conflicts.push({ field: `custom.${key}`, kept: custom[key], incoming: value });
    }
  }
  if (customChanged) {
    patch.custom = custom;
    changes.push('custom');
  }
  if (incoming.unsubscribed && !existing.unsubscribed) {
    patch.unsubscribed = true;
    changes.push('unsubscribed');
  }
  if (incoming.doNotContact && !existing.doNotContact) {
    patch.doNotContact = true;
    changes.push('doNotContact');
  }
  return { patch: patch as Partial<Lead>, changes, conflicts };
}

/**
 * Creates a lead, or merges into the tenant's lead with the same (normalised) email. Safe under
 * concurrency: the unique (tenant_id, email_key) index arbitrates, and the loser merges.
 */
export async function upsertLead(
  tx: Tx,
  tenantId: string,
  input: LeadFields,
  actor: Actor,
  opts: { eventType?: string; eventPayload?: Record<string, unknown>; touch?: Record<string, unknown> | null } = {},
): Promise<UpsertResult> {
  const fields = leadFieldsSchema.parse(input);
  const id = uuidv7();
  const touch = opts.touch ?? null;
  const inserted = await tx
    .insert(schema.leads)
    .values({ ...toRow(tenantId, fields), id, ...(touch ? { firstTouch: touch, lastTouch: touch } : {}) })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) {
    await appendEvent(tx, tenantId, id, opts.eventType ?? 'created', actor, { ...opts.eventPayload, ...(touch ? { touch } : {}) });
    return { lead: inserted[0], status: 'created', changes: [], conflicts: [] };
  }
  if (!fields.email) throw new Error('insert conflicted without an email'); // only the email key can conflict
  const [existing] = await tx
    .select()
    .from(schema.leads)
    .where(sql`${schema.leads.emailKey} = lower(btrim(${fields.email}))`)
    .for('update');
  const { patch, changes, conflicts } = planMerge(existing, fields);
  const [lead] = await tx
    .update(schema.leads)
    .set({ ...patch, ...(touch ? { lastTouch: touch } : {}), updatedAt: new Date() })
    .where(eq(schema.leads.id, existing.id))
    .returning();
  await appendEvent(tx, tenantId, existing.id, 'merged', actor, {
    ...opts.eventPayload,
    via: opts.eventType ?? 'created',
    changes,
    conflicts,
    ...(touch ? { touch } : {}),
  });
  return { lead, status: 'merged', changes, conflicts };
}

/** The first version's helper, kept for seeds and tests: create (or merge) and return the lead. */
export async function createLead(tx: Tx, tenantId: string, input: LeadFields, actorUserId?: string | null): Promise<Lead> {
  const result = await upsertLead(tx, tenantId, input, { type: 'user', id: actorUserId ?? null });
  return result.lead;
}

export async function getLead(tx: Tx, id: string): Promise<Lead | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const rows = await tx.select().from(schema.leads).where(eq(schema.leads.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * An explicit edit (a user in the UI, an API PATCH): the given values replace the stored ones.
 * Records 'updated', 'stage_changed' and 'assigned' events with before/after values.
 */
export async function updateLead(tx: Tx, tenantId: string, id: string, input: LeadFields, actor: Actor): Promise<Lead | null> {
  const patch = leadFieldsSchema.parse(input);
  const before = await tx.select().from(schema.leads).where(eq(schema.leads.id, id)).for('update');
  if (!before[0]) return null;
  const old = before[0] as unknown as Record<string, unknown>;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(patch)) {
    const prev = old[key];
    if (JSON.stringify(prev ?? null) !== JSON.stringify(value ?? null)) changes[key] = { from: prev ?? null, to: value ?? null };
  }
  if (Object.keys(changes).length === 0) return before[0];
  let lead: Lead;
  try {
    [lead] = await tx
      .update(schema.leads)
      .set({ ...(patch as Partial<Lead>), updatedAt: new Date(), ...(patch.stage === 'customer' && !before[0].convertedAt ? { convertedAt: new Date() } : {}) })
      .where(eq(schema.leads.id, id))
      .returning();
  } catch (err) {
    if (isEmailConflict(err)) throw new LeadEmailTakenError(String(patch.email));
    throw err;
  }
  const { stage, ownerId, ...rest } = changes;
  if (Object.keys(rest).length) await appendEvent(tx, tenantId, id, 'updated', actor, { changes: rest });
  if (stage) await appendEvent(tx, tenantId, id, 'stage_changed', actor, stage);
  if (ownerId) await appendEvent(tx, tenantId, id, 'assigned', actor, ownerId);
  return lead;
}

export async function deleteLead(tx: Tx, tenantId: string, id: string, actor: Actor): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const deleted = await tx.delete(schema.leads).where(eq(schema.leads.id, id)).returning({ id: schema.leads.id, email: schema.leads.email });
  if (deleted[0]) await audit(tx, { tenantId, actorUserId: actor.type === 'user' ? actor.id : null, action: 'lead.deleted', target: id, data: { email: deleted[0].email, actor } });
  return deleted.length > 0;
}

/**
 * Manual merge: `secondary` folds into `primary` by the merge rule (the user picked the primary,
 * so its values win), the secondary's history is copied over, and the secondary is deleted.
 */
export async function mergeLeads(tx: Tx, tenantId: string, primaryId: string, secondaryId: string, actor: Actor): Promise<Lead | null> {
  if (primaryId === secondaryId) return getLead(tx, primaryId);
  const rows = await tx
    .select()
    .from(schema.leads)
    .where(sql`${schema.leads.id} in (${primaryId}, ${secondaryId})`)
    .orderBy(asc(schema.leads.id))
    .for('update');
  const primary = rows.find((r) => r.id === primaryId);
  const secondary = rows.find((r) => r.id === secondaryId);
  if (!primary || !secondary) return null;
  const fields: LeadFields = {};
  for (const f of MERGEABLE_FIELDS) (fields as Record<string, unknown>)[f] = (secondary as unknown as Record<string, unknown>)[f];
  fields.tags = secondary.tags;
  fields.custom = secondary.custom as LeadFields['custom'];
  fields.unsubscribed = secondary.unsubscribed;
  fields.doNotContact = secondary.doNotContact;
  const { patch, changes, conflicts } = planMerge(primary, fields);
  await tx.execute(sql`
    insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload, occurred_at)
    select tenant_id, gen_random_uuid(), ${primaryId}, type, actor_type, actor_id,
           payload || jsonb_build_object('mergedFrom', ${secondaryId}::text), occurred_at
    from lead_events where lead_id = ${secondaryId}`);
  await tx.delete(schema.leads).where(eq(schema.leads.id, secondaryId));
  // The secondary's email becomes free; keep it on the primary when the primary has none.
  if (!primary.email && secondary.email) {
    patch.email = secondary.email;
    changes.push('email');
  }
  const [lead] = await tx.update(schema.leads).set({ ...patch, updatedAt: new Date() }).where(eq(schema.leads.id, primaryId)).returning();
  await appendEvent(tx, tenantId, primaryId, 'merged', actor, { via: 'manual', mergedFrom: secondaryId, mergedEmail: secondary.email, changes, conflicts });
  return lead;
}

export async function listEvents(tx: Tx, leadId: string, limit = 100): Promise<LeadEvent[]> {
  return tx
    .select()
    .from(schema.leadEvents)
    .where(eq(schema.leadEvents.leadId, leadId))
    .orderBy(desc(schema.leadEvents.occurredAt), desc(schema.leadEvents.id))
    .limit(limit);
}

// ---------------------------------------------------------------------------------------------
// Listing with keyset pagination

interface Cursor {
  v: number | string; // the sort column's value (score, or created_at ISO)
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(c.id)) return null;
    if (typeof c.v !== 'number' && (typeof c.v !== 'string' || Number.isNaN(Date.parse(c.v)))) return null;
    return c;
  } catch {
    return null;
  }
}

export class BadCursorError extends Error {
  constructor() {
    super('The page cursor is invalid or expired; start from the first page.');
    this.name = 'BadCursorError';
  }
}

/** WHERE conditions for a filter (shared by list and export). */
export type LeadQuery = Partial<LeadFilter> & { ids?: string[] };

export function filterConditions(filter: LeadQuery): SQL[] {
  const l = schema.leads;
  const where: SQL[] = [];
  if (filter.ids) where.push(sql`${l.id} in (${sql.join(filter.ids.length ? filter.ids.map((id) => sql`${id}::uuid`) : [sql`null`], sql`, `)})`);
  if (filter.stage?.length === 1) where.push(eq(l.stage, filter.stage[0]));
  else if (filter.stage?.length) where.push(sql`${l.stage} in (${sql.join(filter.stage.map((s) => sql`${s}`), sql`, `)})`);
  if (filter.owner === 'none') where.push(sql`${l.ownerId} is null`);
  else if (filter.owner) where.push(eq(l.ownerId, filter.owner));
  if (filter.channel) where.push(eq(l.channel, filter.channel));
  if (filter.source) where.push(eq(l.source, filter.source));
  if (filter.tag?.length) where.push(sql`${l.tags} @> ${sql`array[${sql.join(filter.tag.map((t) => sql`${t}`), sql`, `)}]::text[]`}`);
  if (filter.scoreMin !== undefined) where.push(gte(l.score, filter.scoreMin));
  if (filter.scoreMax !== undefined) where.push(lte(l.score, filter.scoreMax));
  if (filter.createdAfter) where.push(gte(l.createdAt, filter.createdAfter));
  if (filter.createdBefore) where.push(lt(l.createdAt, filter.createdBefore));
  for (const [key, value] of Object.entries(filter.custom ?? {})) where.push(sql`${l.custom} ->> ${key} = ${value}`);
  if (filter.q) {
    // Tokenise the query with the document's own parser (emails, hosts and words alike) and
    // match each token as a prefix. leadflow_prefix_tsquery is IMMUTABLE, so the planner folds
    // it to a constant and can estimate it and use the GIN index (migration 0010; under RLS that
    // also needs ts_match_vq LEAKPROOF — see docs/decisions/0006-search-under-rls.md).
    where.push(sql`${l.search} @@ leadflow_prefix_tsquery(${filter.q})`);
  }
  return where;
}

/**
 * The list page's query (one page + 1 row to know whether there is a next one). Exposed so
 * db/list-plans.test.ts can EXPLAIN exactly what the page runs.
 */
export function leadListQuery(tx: Tx, filter: LeadQuery = {}) {
  const l = schema.leads;
  const sort = filter.sort ?? '-created';
  const limit = filter.limit ?? 50;
  const where = filterConditions(filter);
  const cursor = decodeCursor(filter.cursor);
  if (filter.cursor && !cursor) throw new BadCursorError();
  const byScore = sort.endsWith('score');
  const descending = sort.startsWith('-');
  const col = byScore ? l.score : l.createdAt;
  if (cursor) {
    // The created cursor is the exact timestamp (microseconds, see `cursorAt`), compared as such: a
    // JS Date (milliseconds) repeated or skipped rows created within the same millisecond.
    const v = byScore ? sql`${Number(cursor.v)}::int` : sql`${String(cursor.v)}::timestamptz`;
    // Row-value comparison matches the (…, sort column, id) index order.
    where.push(descending ? sql`(${col}, ${l.id}) < (${v}, ${cursor.id}::uuid)` : sql`(${col}, ${l.id}) > (${v}, ${cursor.id}::uuid)`);
  }
  const query = tx
    // cursorAt: the next page's cursor value for a created sort, the exact timestamp as ISO text.
    .select({ ...getTableColumns(l), cursorAt: exactIsoTime(l.createdAt) })
    .from(l)
    .where(where.length ? and(...where) : undefined)
    .orderBy(...(descending ? [desc(col), desc(l.id)] : [asc(col), asc(l.id)]))
    .limit(limit + 1);
  return { query, limit, byScore };
}

export async function listLeads(tx: Tx, filter: LeadQuery = {}): Promise<{ leads: Lead[]; nextCursor: string | null }> {
  const { query, limit, byScore } = leadListQuery(tx, filter);
  const rows = await query;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ v: byScore ? last.score : last.cursorAt, id: last.id }) : null;
  return { leads: page.map(({ cursorAt: _cursorAt, ...lead }) => lead), nextCursor };
}

export async function countLeadsByStage(tx: Tx): Promise<Array<{ stage: string; count: number }>> {
  return tx
    .select({ stage: schema.leads.stage, count: sql<number>`count(*)::int` })
    .from(schema.leads)
    .groupBy(schema.leads.stage)
    .orderBy(schema.leads.stage);
}

