import type { Task } from 'graphile-worker';
import { database } from '../../app/lib/db.server';
import { systemTenantIds } from '../pipeline/tenants.server';
import { pruneOldModels, queueNightlyTraining } from '../pipeline/training.server';

/**
 * Nightly (crontab), per tenant: queue a predictive training run when there are enough labelled
 * leads and new ones since the last model, and a re-score (behaviour points decay with time).
 * Only queues jobs; the work runs in train_predictive_model and rescore_tenant.
 */
const task: Task = async (_payload, helpers) => {
  const db = database();
  for (const tenantId of await systemTenantIds(db)) {
    const training = await queueNightlyTraining(db, tenantId);
    if (training.queued) helpers.logger.info(`nightly training queued for ${tenantId}`);
    await pruneOldModels(db, tenantId);
    // Its own job key: replacing a pending re-score queued by a model change would turn that
    // full refresh into a decay-only run. Same queue, so the two never run at once.
    await helpers.addJob(
      'rescore_tenant',
      { tenantId, decay: true },
      { jobKey: `rescore-decay:${tenantId}`, jobKeyMode: 'replace', queueName: `rescore:${tenantId}` },
    );
  }
};
export default task;
