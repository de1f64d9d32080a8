import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { rescoreTenant } from '../pipeline/rescore.server';
import { defineTenantTask } from '../pipeline/task.server';

const payloadSchema = z.object({ tenantId: z.uuid() });

/**
 * Re-scores every lead of a tenant (queued when the scoring model or the active predictive model
 * changes, and nightly for behaviour decay): keyset chunks, only changed rows written.
 */
export default defineTenantTask('rescore_tenant', payloadSchema, async ({ tenantId }) => {
  const summary = await rescoreTenant(database(), tenantId, { concurrency: 2 });
  return { ...summary };
});
