/**
 * Turns `lead_pending_jobs` rows (work recorded by captures instead of one add_job each; see
 * db/migrations/0011_capture_pending_jobs.sql) into Graphile Worker jobs, one add_jobs call per
 * flush. Every worker runs the loop; the SQL function lets one flush at a time.
 */
import { sql } from 'drizzle-orm';
import type pino from 'pino';
import type { Database } from '../db';

/** The batching window: how long a capture's pipeline/delivery work may wait to be queued. */
export const PENDING_JOBS_FLUSH_MS = 200;
const BATCH = 5000;

/** One flush: queues the jobs for up to `limit` pending rows; returns how many rows it took. */
export async function flushPendingJobs(db: Database, limit = BATCH): Promise<number> {
  const r = await db.db.execute<{ n: number }>(sql`select leadflow_flush_pending_jobs(${limit}::int) as n`);
  return Number(r.rows[0]?.n ?? 0);
}

export interface PendingJobsFlusher {
  stop(): Promise<void>;
}

/** Flushes every `intervalMs` (immediately again while a flush comes back full). */
export function startPendingJobsFlusher(db: Database, log: pino.Logger, intervalMs = PENDING_JOBS_FLUSH_MS): PendingJobsFlusher {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      while (!stopped && (await flushPendingJobs(db)) >= BATCH);
    } catch (err) {
      log.warn({ err }, 'flushing pending lead jobs failed; retrying');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
