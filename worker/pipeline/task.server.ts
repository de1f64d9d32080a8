/**
 * Defines a tenant job: the payload is validated with zod before anything runs, and every finished
 * attempt — success with its summary, or failure with its error — is recorded in the tenant's
 * `job_runs` (Settings → Jobs). A failure is recorded in its own transaction (the job's own work
 * rolled back) and re-thrown, so Graphile Worker retries with backoff.
 */
import type { JobHelpers, Task } from 'graphile-worker';
import type { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { recordJobRun } from '../../app/models/job-run.server';

export function defineTenantTask<P extends { tenantId: string }>(
  name: string,
  payloadSchema: z.ZodType<P>,
  run: (payload: P, helpers: JobHelpers) => Promise<Record<string, unknown> | null>,
): Task {
  return async (raw, helpers) => {
    const payload = payloadSchema.parse(raw);
    const startedAt = new Date();
    const job = { task: name, jobId: String(helpers.job.id), attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts, startedAt };
    let summary: Record<string, unknown> | null;
    try {
      summary = await run(payload, helpers);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await database()
        .withTenant(payload.tenantId, (tx) => recordJobRun(tx, payload.tenantId, { ...job, status: 'failed', error: message }))
        .catch((recordError: unknown) => helpers.logger.warn(`could not record the failed run: ${String(recordError)}`));
      throw error;
    }
    // null: nothing worth listing. {status: 'failed', error} is a data problem (e.g. too few
    // labelled leads): listed as failed, not retried.
    if (!summary) return;
    const failed = summary.status === 'failed';
    await database().withTenant(payload.tenantId, (tx) =>
      recordJobRun(tx, payload.tenantId, { ...job, status: failed ? 'failed' : 'succeeded', summary, error: failed ? String(summary.error ?? 'failed') : null }),
    );
  };
}
