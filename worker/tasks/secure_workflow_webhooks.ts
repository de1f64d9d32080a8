import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { secureUnprotectedWebhooks } from '../../app/lib/workflow-deploy.server';
import { recordJobRun } from '../../app/models/job-run.server';
import { systemTenantIds } from '../pipeline/tenants.server';

const payloadSchema = z.object({ tenantId: z.uuid().optional() });

/**
 * Queued once when a worker starts, and hourly (crontab): published workflows whose lead-event
 * webhook still takes calls without a secret (published before migration 0013) are republished
 * with the graph they run, so n8n requires the secret (app/lib/workflow-deploy.server.ts
 * secureUnprotectedWebhooks). Every tenant, or the one in the payload; under RLS, one query for a
 * tenant with nothing to do. What it did or could not do is listed in the tenant's jobs (Settings →
 * Jobs): a published graph that no longer deploys needs its owner to publish again and is not
 * retried; a deployment failure (n8n not reachable yet) fails the job after the other tenants are
 * done, so graphile-worker retries it with backoff. Safe to repeat.
 */
const task: Task = async (raw, helpers) => {
  const payload = payloadSchema.parse(raw ?? {});
  const db = database();
  const failures: string[] = [];
  const tenantIds = payload.tenantId ? [payload.tenantId] : await systemTenantIds(db);
  for (const tenantId of tenantIds) {
    const startedAt = new Date();
    const result = await secureUnprotectedWebhooks(tenantId);
    if (!result.secured.length && !result.invalid.length && !result.failed.length) continue;
    const problems = [...result.invalid, ...result.failed].map((p) => `"${p.name}": ${p.error}`);
    await db.withTenant(tenantId, (tx) =>
      recordJobRun(tx, tenantId, {
        task: 'secure_workflow_webhooks',
        jobId: String(helpers.job.id),
        attempt: helpers.job.attempts,
        maxAttempts: helpers.job.max_attempts,
        startedAt,
        status: problems.length ? 'failed' : 'succeeded',
        summary: {
          secured: result.secured.length,
          needPublishing: result.invalid.map((p) => p.id),
          failed: result.failed.length,
        },
        error: problems.length ? `Webhook secret not added to ${problems.join('; ')}` : null,
      }),
    );
    if (result.secured.length)
      helpers.logger.info(`tenant ${tenantId}: gave ${result.secured.length} published workflow webhook(s) a secret`);
    for (const p of result.invalid)
      helpers.logger.warn(`tenant ${tenantId}: workflow ${p.id} no longer deploys, publish it again: ${p.error}`);
    for (const p of result.failed) failures.push(`${tenantId}/${p.id}: ${p.error}`);
  }
  if (failures.length) throw new Error(`could not secure ${failures.length} workflow webhook(s): ${failures.join(' | ')}`);
};
export default task;
