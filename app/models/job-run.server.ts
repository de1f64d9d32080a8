/**
 * The tenant's view of its background jobs: one `job_runs` row per finished attempt, written by
 * the task wrapper (worker/pipeline/task.server.ts). Graphile Worker's own tables are shared by all
 * tenants and never shown.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';

export type JobRun = typeof schema.jobRuns.$inferSelect;

export async function recordJobRun(
  tx: Tx,
  tenantId: string,
  run: {
    task: string;
    jobId?: string | null;
    status: JobRun['status'];
    attempt: number;
    maxAttempts: number;
    summary?: Record<string, unknown>;
    error?: string | null;
    startedAt: Date;
    finishedAt?: Date;
  },
): Promise<void> {
  const finishedAt = run.finishedAt ?? new Date();
  await tx.insert(schema.jobRuns).values({
    tenantId,
    id: uuidv7(finishedAt.getTime()),
    task: run.task,
    jobId: run.jobId ?? null,
    status: run.status,
    attempt: run.attempt,
    maxAttempts: run.maxAttempts,
    summary: run.summary ?? {},
    error: run.error ? run.error.slice(0, 2000) : null,
    startedAt: run.startedAt,
    finishedAt,
    durationMs: Math.max(0, finishedAt.getTime() - run.startedAt.getTime()),
  });
}

export async function listJobRuns(tx: Tx, options: { failedOnly?: boolean; limit?: number } = {}): Promise<JobRun[]> {
  return tx
    .select()
    .from(schema.jobRuns)
    .where(options.failedOnly ? eq(schema.jobRuns.status, 'failed') : undefined)
    .orderBy(desc(schema.jobRuns.finishedAt), desc(schema.jobRuns.id))
    .limit(options.limit ?? 100);
}

export interface JobStats {
  task: string;
  succeeded: number;
  failed: number;
  leads: number;
  avgMs: number;
}

/** Per task, the last 24 hours. */
export async function jobStats(tx: Tx): Promise<JobStats[]> {
  const rows = await tx
    .select({
      task: schema.jobRuns.task,
      succeeded: sql<number>`count(*) filter (where ${schema.jobRuns.status} = 'succeeded')::int`,
      failed: sql<number>`count(*) filter (where ${schema.jobRuns.status} = 'failed')::int`,
      leads: sql<number>`coalesce(sum((${schema.jobRuns.summary} ->> 'leads')::int), 0)::int`,
      avgMs: sql<number>`coalesce(avg(${schema.jobRuns.durationMs}), 0)::int`,
    })
    .from(schema.jobRuns)
    .where(and(sql`${schema.jobRuns.finishedAt} > now() - interval '24 hours'`))
    .groupBy(schema.jobRuns.task)
    .orderBy(schema.jobRuns.task);
  return rows.map((r) => ({ ...r, succeeded: Number(r.succeeded), failed: Number(r.failed), leads: Number(r.leads), avgMs: Number(r.avgMs) }));
}

/** Keeps job history bounded (crontab). */
export async function pruneJobRuns(tx: Tx, olderThanDays = 14): Promise<number> {
  const rows = await tx.execute(sql`delete from job_runs where finished_at < now() - make_interval(days => ${olderThanDays})`);
  return rows.rowCount ?? 0;
}
