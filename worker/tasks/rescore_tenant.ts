import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { rescoreTenant } from '../pipeline/rescore.server';
import { defineTenantTask } from '../pipeline/task.server';

// decay: the nightly run (explanation points that only moved with time are not rewritten).
const payloadSchema = z.object({ tenantId: z.uuid(), decay: z.boolean().optional() });

/**
 * Re-scores every lead of a tenant (queued when the scoring model or the active predictive model
 * changes, and nightly for behaviour decay): keyset chunks, only changed rows written
 * (worker/pipeline/rescore.server.ts says what counts as changed).
 */
export default defineTenantTask('rescore_tenant', payloadSchema, async ({ tenantId, decay }) => {
  const summary = await rescoreTenant(database(), tenantId, { concurrency: 2, decay });
  return { ...summary };
});
