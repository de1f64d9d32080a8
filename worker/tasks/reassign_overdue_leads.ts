import type { Task } from 'graphile-worker';
import { database } from '../../app/lib/db.server';
import { hasSlaRules, reassignOverdueLeads } from '../../app/models/assignment.server';
import { recordJobRun } from '../../app/models/job-run.server';
import { systemTenantIds } from '../pipeline/tenants.server';

/**
 * Every minute (crontab): per tenant with an SLA rule, reassigns leads nobody touched within the
 * SLA after their assignment. A run that found something is listed in the tenant's jobs.
 */
const task: Task = async (_payload, helpers) => {
  const db = database();
  for (const tenantId of await systemTenantIds(db)) {
    const startedAt = new Date();
    const result = await db.withTenant(tenantId, async (tx) => ((await hasSlaRules(tx)) ? reassignOverdueLeads(tx, tenantId) : null));
    if (result && result.checked > 0) {
      await db.withTenant(tenantId, (tx) =>
        recordJobRun(tx, tenantId, {
          task: 'reassign_overdue_leads',
          jobId: String(helpers.job.id),
          status: 'succeeded',
          attempt: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          summary: { ...result },
          startedAt,
        }),
      );
    }
  }
};
export default task;
