import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { deliverPendingEvents } from '../../app/lib/workflow-deploy.server';

const payloadSchema = z.object({ tenantId: z.uuid() });

/**
 * Queued by the outbox triggers (one job per tenant, 200 ms batching window): posts the tenant's
 * pending lead events to its published workflows in batches. Throws on failure so Graphile Worker
 * retries with exponential backoff; already delivered events are never re-sent to a workflow.
 */
const task: Task = async (payload, helpers) => {
  const { tenantId } = payloadSchema.parse(payload);
  const result = await deliverPendingEvents(tenantId);
  if (result.delivered > 0) helpers.logger.debug(`delivered ${result.delivered} events in ${result.batches} batches`);
};
export default task;
