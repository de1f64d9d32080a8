import type { ActionFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import type { Tx } from '../../db';
import { ApiError, apiRoute, json, readJson, requireApiKey } from '~/lib/api.server';
import { database } from '~/lib/db.server';
import { leadFieldsSchema } from '~/models/lead-fields';
import type { Actor } from '~/models/lead.server';
import { applyWorkflowOperations, OperationError } from '~/models/workflow-operations.server';
import { assignByRules } from '~/models/assignment.server';

/** `owner: 'round_robin'` assigns through the tenant's assignment rules (worker/assignment). */
function roundRobinAssigner(tenantId: string, actor: Actor): (tx: Tx, leadId: string) => Promise<void> {
  return async (tx, leadId) => {
    const owner = await assignByRules(tx, tenantId, leadId, actor);
    if (!owner) throw new OperationError('No assignment rule could assign this lead (configure them in Settings → Assignment)');
  };
}

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

/**
 * POST /api/v1/leads/bulk — the lead actions of a workflow batch, applied in order (set-based,
 * see app/models/workflow-operations.server.ts). Each operation succeeds or fails on its own; the
 * answer is 200 with one result per operation. Operations with an idempotencyKey run once: a
 * retry gets the stored result.
 */
export const action = apiRoute(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Use POST on /api/v1/leads/bulk.');
  const principal = await requireApiKey(request, 'write');
  const body = await readJson(request, bulkBodySchema);
  const actor: Actor = { type: 'workflow', id: principal.keyId };
  const results = await database().withTenant(principal.tenantId, (tx) =>
    applyWorkflowOperations(tx, principal.tenantId, body.operations, actor, { roundRobin: roundRobinAssigner(principal.tenantId, actor) }),
  );
  return json({ results });
});
