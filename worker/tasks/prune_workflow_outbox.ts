import type { Task } from 'graphile-worker';
import { database } from '../../app/lib/db.server';
import { env } from '../../app/lib/env.server';
import { pruneWorkflowOutbox } from '../../app/lib/workflow-outbox.server';
import { systemTenantIds } from '../pipeline/tenants.server';

/**
 * Every 10 minutes (crontab): per tenant under RLS, deletes workflow outbox events that no
 * published workflow is still waiting for, and those older than WORKFLOW_OUTBOX_RETENTION_HOURS,
 * with their delivery rows (app/lib/workflow-outbox.server.ts). Safe to repeat.
 */
const task: Task = async (_payload, helpers) => {
  const db = database();
  const retentionHours = env().WORKFLOW_OUTBOX_RETENTION_HOURS;
  let events = 0;
  let undelivered = 0;
  let deliveries = 0;
  for (const tenantId of await systemTenantIds(db)) {
    const pruned = await pruneWorkflowOutbox(db, tenantId, { retentionHours });
    events += pruned.events;
    deliveries += pruned.deliveries;
    undelivered += pruned.undelivered;
    if (pruned.undelivered > 0) {
      helpers.logger.warn(
        `tenant ${tenantId}: dropped ${pruned.undelivered} workflow events never delivered within ${retentionHours} h`,
      );
    }
  }
  if (events || deliveries)
    helpers.logger.info(`pruned ${events} outbox events (${undelivered} undelivered), ${deliveries} delivery rows`);
};
export default task;
