/**
 * The lead operations workflows call back with (POST /api/v1/leads/bulk), applied set-based: a
 * batch of 500 operations is a handful of statements, not 2,500 — n8n sends whole batches, and a
 * per-operation loop capped the workflow path at ~150 leads/s.
 *
 * Semantics match the single-lead model (updateLead / appendEvent): same events, same "explicit
 * values replace stored ones" rule, operations on one lead compose in order. Operations the fast
 * path cannot decide alone (an email change, which may collide with another lead; round-robin
 * assignment) run through the per-lead model in order after it.
 */
import { getTableColumns, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';
import type { LeadFields } from './lead-fields';
import { appendEvent, updateLead, type Actor, type Lead } from './lead.server';

export type WorkflowOperation =
  | { op: 'update'; leadId: string; fields: LeadFields; eventId?: string; idempotencyKey?: string }
  | { op: 'stage'; leadId: string; stage: string; eventId?: string; idempotencyKey?: string }
  | { op: 'assign'; leadId: string; owner: string; eventId?: string; idempotencyKey?: string }
  | { op: 'addTag' | 'removeTag'; leadId: string; tag: string; eventId?: string; idempotencyKey?: string }
  | { op: 'note'; leadId: string; body: string; eventId?: string; idempotencyKey?: string }
  | { op: 'enrol'; leadId: string; sequenceId: string; eventId?: string; idempotencyKey?: string };

export interface OperationResult {
  leadId: string;
  eventId?: string;
  op: WorkflowOperation['op'];
  ok: boolean;
  error?: string;
  lead?: Record<string, unknown>;
}

const columns = getTableColumns(schema.leads);
const WRITABLE = Object.entries(columns)
  .filter(([key]) => !['tenantId', 'id', 'emailKey', 'search', 'createdAt', 'updatedAt'].includes(key))
  .map(([key, col]) => ({ key, column: col.name }));
const COLUMN_OF = new Map(WRITABLE.map((w) => [w.key, w.column]));

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export async function applyWorkflowOperations(
  tx: Tx,
  tenantId: string,
  operations: WorkflowOperation[],
  actor: Actor,
  opts: { roundRobin?: (tx: Tx, leadId: string) => Promise<void> } = {},
): Promise<OperationResult[]> {
  const results: Array<OperationResult | undefined> = new Array(operations.length);
  // Idempotency: operations already applied answer with their stored result.
  const keys = operations.map((o) => o.idempotencyKey).filter((k): k is string => Boolean(k));
  const stored = new Map<string, OperationResult>();
  if (keys.length) {
    const rows = await tx.execute<{ idempotency_key: string; result: OperationResult }>(
      sql`select idempotency_key, result from workflow_operations where idempotency_key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
    );
    for (const r of rows.rows) stored.set(r.idempotency_key, r.result);
  }
  const leadIds = [...new Set(operations.map((o) => o.leadId))];
  const leadRows = await tx
    .select()
    .from(schema.leads)
    .where(sql`${schema.leads.id} in (select (jsonb_array_elements_text(${JSON.stringify(leadIds)}::jsonb))::uuid)`)
    .orderBy(schema.leads.id)
    .for('update');
  const state = new Map<string, Lead>(leadRows.map((l) => [l.id, { ...l }]));
  const original = new Map<string, Lead>(leadRows.map((l) => [l.id, l]));
  const members = await tx.execute<{ id: string; email: string }>(sql`select u.id, lower(u.email) as email from memberships m join users u on u.id = m.user_id`);
  const memberByKey = new Map<string, string>();
  for (const m of members.rows) {
    memberByKey.set(m.id, m.id);
    memberByKey.set(m.email, m.id);
  }
  const events: Array<{ id: string; lead_id: string; type: string; payload: unknown }> = [];
  const slow: number[] = [];
  const changedLeads = new Set<string>();

  operations.forEach((op, i) => {
    const prior = op.idempotencyKey ? stored.get(op.idempotencyKey) : undefined;
    if (prior) {
      results[i] = prior;
      return;
    }
    const lead = state.get(op.leadId);
    const fail = (error: string) => (results[i] = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: false, error });
    if (!lead) return fail('Lead not found');
    const current = lead as unknown as Record<string, unknown>;
    const change = (patch: Record<string, unknown>) => {
      const diff: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(patch)) if (!same(current[k], v)) diff[k] = { from: current[k] ?? null, to: v ?? null };
      for (const [k, d] of Object.entries(diff)) current[k] = d.to;
      if (Object.keys(diff).length) changedLeads.add(op.leadId);
      const { stage, ownerId, ...rest } = diff;
      if (Object.keys(rest).length) events.push({ id: uuidv7(), lead_id: op.leadId, type: 'updated', payload: { changes: rest } });
      if (stage) events.push({ id: uuidv7(), lead_id: op.leadId, type: 'stage_changed', payload: stage });
      if (ownerId) events.push({ id: uuidv7(), lead_id: op.leadId, type: 'assigned', payload: ownerId });
      if (stage && stage.to === 'customer' && !current.convertedAt) current.convertedAt = new Date();
    };
    switch (op.op) {
      case 'update':
        if (op.fields.email !== undefined && !same(op.fields.email, lead.email)) {
          slow.push(i); // may collide with another lead's email: the model decides
          return;
        }
        change(op.fields as Record<string, unknown>);
        break;
      case 'stage':
        change({ stage: op.stage });
        break;
      case 'assign': {
        if (op.owner === 'round_robin') {
          slow.push(i);
          return;
        }
        const owner = memberByKey.get(op.owner.toLowerCase()) ?? memberByKey.get(op.owner);
        if (!owner) return fail(`No member "${op.owner}" in this workspace`);
        change({ ownerId: owner });
        break;
      }
      case 'addTag':
        if (!lead.tags.includes(op.tag)) change({ tags: [...lead.tags, op.tag] });
        break;
      case 'removeTag':
        if (lead.tags.includes(op.tag)) change({ tags: lead.tags.filter((t) => t !== op.tag) });
        break;
      case 'note':
        events.push({ id: uuidv7(), lead_id: op.leadId, type: 'note', payload: { text: op.body } });
        break;
      case 'enrol':
        // Outreach sequences are not built yet: the enrolment is recorded on the lead's timeline.
        events.push({ id: uuidv7(), lead_id: op.leadId, type: 'sequence_enrolled', payload: { sequenceId: op.sequenceId } });
        break;
    }
    results[i] = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: true };
  });

  // One UPDATE for every changed lead: its final row, column by column.
  if (changedLeads.size) {
    const rows = [...changedLeads].map((id) => {
      const lead = state.get(id)! as unknown as Record<string, unknown>;
      const before = original.get(id)! as unknown as Record<string, unknown>;
      const patch: Record<string, unknown> = {};
      for (const { key, column } of WRITABLE) if (!same(lead[key], before[key])) patch[column] = lead[key];
      return { id, patch };
    });
    const touched = [...new Set(rows.flatMap((r) => Object.keys(r.patch)))];
    const targets = sql.join(touched.map((c) => sql.identifier(c)), sql`, `);
    const values = sql.join(touched.map((c) => sql`r.${sql.identifier(c)}`), sql`, `);
    // jsonb_populate_record(l, patch): the current row with the patched columns replaced.
    await tx.execute(sql`
      update leads l set (${targets}, updated_at) = (select ${values}, now() from jsonb_populate_record(l, x.patch) as r)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, patch jsonb)
      where l.id = x.id`);
  }
  if (events.length) {
    await tx.execute(sql`
      insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload)
      select ${tenantId}::uuid, e.id, e.lead_id, e.type, ${actor.type}, ${actor.id ?? null}, e.payload
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as e(id uuid, lead_id uuid, type text, payload jsonb)`);
  }
  // The operations that need the per-lead model, in their original order.
  for (const i of slow) {
    const op = operations[i];
    try {
      await tx.transaction(async (sp) => {
        if (op.op === 'update') await updateLead(sp, tenantId, op.leadId, op.fields, actor);
        else if (op.op === 'assign') {
          if (!opts.roundRobin) throw new OperationError('Round-robin assignment is not configured for this workspace');
          await opts.roundRobin(sp, op.leadId);
        }
      });
      results[i] = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: true };
    } catch (err) {
      const message = err instanceof OperationError || (err as Error).name === 'LeadEmailTakenError' ? (err as Error).message : 'The operation could not be applied';
      results[i] = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: false, error: message };
    }
  }
  // The lead as workflows see it, after the batch.
  const after = await tx.execute<{ id: string; j: Record<string, unknown> }>(
    sql`select l.id, leadflow_lead_json(l) as j from leads l where l.id in (select (jsonb_array_elements_text(${JSON.stringify(leadIds)}::jsonb))::uuid)`,
  );
  const json = new Map(after.rows.map((r) => [r.id, r.j]));
  const final = results.map((r) => (r && r.ok && !r.lead ? { ...r, lead: json.get(r.leadId) } : r!));
  const toStore = operations
    .map((op, i) => ({ key: op.idempotencyKey, result: final[i] }))
    .filter((x): x is { key: string; result: OperationResult } => Boolean(x.key) && !stored.has(x.key!));
  if (toStore.length) {
    await tx.execute(sql`
      insert into workflow_operations (tenant_id, idempotency_key, result)
      select ${tenantId}::uuid, x.key, x.result from jsonb_to_recordset(${JSON.stringify(toStore)}::jsonb) as x(key text, result jsonb)
      on conflict do nothing`);
  }
  return final;
}

export class OperationError extends Error {}
export { appendEvent };
