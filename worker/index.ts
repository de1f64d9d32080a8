/**
 * The Graphile Worker runner. `npm start` runs it in-process; production runs it as its own
 * service (`node --import tsx worker/main.ts`), scaled out by starting more of them.
 */
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { Logger, parseCrontab, run, type Runner } from 'graphile-worker';
import type pino from 'pino';
import { database } from '../app/lib/db.server';
import { appDatabaseUrl, env, pipelineTasksEnabled } from '../app/lib/env.server';
import { crontab } from './crontab';
import { startPendingJobsFlusher } from './pending-jobs';
import { workerTaskList } from './tasks';

export interface WorkerHandle {
  runner: Runner;
  stop(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;

export async function startWorker(log: pino.Logger): Promise<WorkerHandle> {
  const instance = `${os.hostname()}:${process.pid}`;
  const logger = new Logger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'debug' ? 'debug' : 'info';
    log[method]({ ...scope, ...meta }, message);
  });
  const runner = await run({
    connectionString: appDatabaseUrl(),
    concurrency: env().WORKER_CONCURRENCY,
    noHandleSignals: true,
    // NOTE: a job scheduled in the near future (the outbox's batching window) is picked up by the
    // next poll, not by LISTEN/NOTIFY: the poll interval bounds event → workflow latency.
    pollInterval: 200,
    taskList: workerTaskList(pipelineTasksEnabled()),
    parsedCronItems: parseCrontab(crontab),
    logger,
  });
  const beat = async () => {
    await database().db.execute(sql`
      insert into system_heartbeats (component, instance, beat_at, details)
      values ('worker', ${instance}, now(), ${JSON.stringify({ concurrency: env().WORKER_CONCURRENCY })}::jsonb)
      on conflict (component) do update set instance = excluded.instance, beat_at = now(), details = excluded.details`);
  };
  await beat();
  // Published workflows whose webhook has no secret yet (published before migration 0013) get one
  // soon after an upgrade, not only at the next hourly run (job key: one queued at a time). Not in
  // tests: their workers start often, against databases shared with other files' n8n workflows.
  if (env().NODE_ENV !== 'test') {
    await runner
      .addJob('secure_workflow_webhooks', {}, { jobKey: 'secure_workflow_webhooks', maxAttempts: 10 })
      .catch((err: unknown) => log.warn({ err }, 'could not queue secure_workflow_webhooks'));
  }
  // Captures record their pipeline/delivery work in lead_pending_jobs; queue it in batches.
  const flusher = startPendingJobsFlusher(database(), log);
  const timer = setInterval(() => {
    beat().catch((err: unknown) => log.warn({ err }, 'worker heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    runner,
    async stop() {
      clearInterval(timer);
      await flusher.stop();
      await runner.stop();
    },
  };
}
