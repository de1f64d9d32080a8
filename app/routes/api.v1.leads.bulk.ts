import type { ActionFunctionArgs } from '@remix-run/node';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Tx } from '../../db';
import { ApiError, apiRoute, json, readJson, requireApiKey } from '~/lib/api.server';
import { database } from '~/lib/db.server';
import { leadFieldsSchema } from '~/models/lead-fields';
import { appendEvent, getLead, updateLead, type Actor } from '~/models/lead.server';

const base = { leadId: z.uuid(), eventId: z.string().max(100).optional(), idempotencyKey: z.string().min(1).max(300).optional() };

/** The operations workflows send back (workflow-compiler/README.md, "HTTP contract"). */
export const bulkOperationSchema = z.discriminatedUnion('op', [
  z.object({ ...base, op: z.literal('update'), fields: leadFieldsSchema }),
  z.object({ ...base, op: z.literal('stage'), stage: z.string().trim().min(1).max(40) }),
  z.object({ ...base, op: z.literal('assign'), owner: z.string().trim().min(1).max(254) }),
  z.object({ ...base, op: z.literal('addTag'), tag: z.string().trim().min(1).max(60) }),
  z.object({ ...base, op: z.literal('removeTag'), tag: z.string().trim().min(1).max(60) }),
  z.object({ ...base, op: z.literal('note'), body: z.string().trim().min(1).max(10_000) }),
  z.object({ ...base, op: z.literal('enrol'), sequenceId: z.string().trim().min(1).max(100) }),
]);
export const bulkBodySchema = z.object({ operations: z.array(bulkOperationSchema).min(1).max(1000) });

type Operation = z.infer<typeof bulkOperationSchema>;
interface OpResult {
  leadId: string;
  eventId?: string;
  op: Operation['op'];
  ok: boolean;
  error?: string;
  lead?: Record<string, unknown>;
}

class OpError extends Error {}

async function resolveOwner(tx: Tx, owner: string): Promise<string> {
  if (owner === 'round_robin') {
    const { assignByRules } = await import('~/models/assignment.server').catch(() => ({ assignByRules: null }));
    if (!assignByRules) throw new OpError('Round-robin assignment is not configured for this workspace');
    return 'round_robin';
  }
  const rows = await tx.execute<{ id: string }>(sql`
    select u.id from memberships m join users u on u.id = m.user_id
    where u.id::text = ${owner} or lower(u.email) = lower(${owner}) limit 1`);
  if (!rows.rows[0]) throw new OpError(`No member "${owner}" in this workspace`);
  return rows.rows[0].id;
}

async function apply(tx: Tx, tenantId: string, op: Operation, actor: Actor): Promise<void> {
  const lead = await getLead(tx, op.leadId);
  if (!lead) throw new OpError('Lead not found');
  switch (op.op) {
    case 'update':
      await updateLead(tx, tenantId, op.leadId, op.fields, actor);
      return;
    case 'stage':
      await updateLead(tx, tenantId, op.leadId, { stage: op.stage }, actor);
      return;
    case 'assign': {
      const owner = await resolveOwner(tx, op.owner);
      if (owner === 'round_robin') {
        const { assignByRules } = await import('~/models/assignment.server');
        await assignByRules(tx, tenantId, op.leadId, actor);
      } else await updateLead(tx, tenantId, op.leadId, { ownerId: owner }, actor);
      return;
    }
    case 'addTag':
      if (!lead.tags.includes(op.tag)) await updateLead(tx, tenantId, op.leadId, { tags: [...lead.tags, op.tag] }, actor);
      return;
    case 'removeTag':
      if (lead.tags.includes(op.tag)) await updateLead(tx, tenantId, op.leadId, { tags: lead.tags.filter((t) => t !== op.tag) }, actor);
      return;
    case 'note':
      await appendEvent(tx, tenantId, op.leadId, 'note', actor, { text: op.body });
      return;
    case 'enrol':
      // Outreach sequences are not built yet: the enrolment is recorded on the lead's timeline.
      await appendEvent(tx, tenantId, op.leadId, 'sequence_enrolled', actor, { sequenceId: op.sequenceId });
      return;
  }
}

/**
 * POST /api/v1/leads/bulk — the lead actions of a workflow batch, applied in order. Each
 * operation succeeds or fails on its own (a savepoint each); the answer is 200 with one result
 * per operation. Operations with an idempotencyKey run once: a retry gets the stored result.
 */
export const action = apiRoute(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Use POST on /api/v1/leads/bulk.');
  const principal = await requireApiKey(request, 'write');
  const body = await readJson(request, bulkBodySchema);
  const actor: Actor = { type: 'workflow', id: principal.keyId };
  const results = await database().withTenant(principal.tenantId, async (tx) => {
    const out: OpResult[] = [];
    for (const op of body.operations) {
      const key = op.idempotencyKey;
      if (key) {
        const prior = await tx.select().from(schema.workflowOperations).where(eq(schema.workflowOperations.idempotencyKey, key));
        if (prior[0]) {
          out.push(prior[0].result as OpResult);
          continue;
        }
      }
      let result: OpResult;
      try {
        await tx.transaction((sp) => apply(sp, principal.tenantId, op, actor));
        const lead = await tx.execute<{ j: Record<string, unknown> }>(sql`select leadflow_lead_json(l) as j from leads l where id = ${op.leadId}`);
        result = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: true, lead: lead.rows[0]?.j };
      } catch (err) {
        if (!(err instanceof OpError) && !(err instanceof z.ZodError) && !(err as Error).name?.endsWith('Error')) throw err;
        result = { leadId: op.leadId, eventId: op.eventId, op: op.op, ok: false, error: err instanceof OpError ? err.message : 'The operation could not be applied' };
      }
      if (key) await tx.insert(schema.workflowOperations).values({ tenantId: principal.tenantId, idempotencyKey: key, result }).onConflictDoNothing();
      out.push(result);
    }
    return out;
  });
  return json({ results });
});
