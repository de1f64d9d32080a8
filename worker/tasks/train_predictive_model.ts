import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { defineTenantTask } from '../pipeline/task.server';
import { trainPredictiveModel } from '../pipeline/training.server';

const payloadSchema = z.object({ tenantId: z.uuid(), modelId: z.uuid() });

/** Trains one predictive model (queued from Settings or the nightly job); see training.server.ts. */
export default defineTenantTask('train_predictive_model', payloadSchema, async ({ tenantId, modelId }) => {
  // A data problem (too few labelled leads, one class only) comes back as status 'failed': listed
  // in the tenant's jobs and on the model, not retried.
  return { ...(await trainPredictiveModel(database(), tenantId, modelId)) };
});
