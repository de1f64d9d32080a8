import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loader as healthz } from '../app/routes/healthz';
import { appDatabase } from '../test/helpers';
import { startWorker, type WorkerHandle } from './index';

// One file, run in order: /healthz before and after the worker starts (they share the heartbeat).
describe('Graphile Worker as the application role, and /healthz', () => {
  let worker: WorkerHandle | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  it('/healthz reports a missing worker heartbeat as degraded (database ok)', async () => {
    await appDatabase().db.execute(sql`delete from system_heartbeats where component = 'worker'`);
    const res = await healthz();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'degraded', database: { ok: true }, worker: { ok: false, lastBeatSecondsAgo: null } });
  });

  it('runs a job enqueued with graphile_worker.add_job by the app role; /healthz turns ok', async () => {
    worker = await startWorker(pino({ level: 'silent' }));
    const db = appDatabase().db;
    await db.execute(sql`insert into rate_limits (key, count, reset_at) values ('test:expired', 3, now() - interval '2 hours') on conflict (key) do update set reset_at = excluded.reset_at`);
    await db.execute(sql`insert into rate_limits (key, count, reset_at) values ('test:live', 1, now() + interval '1 hour') on conflict (key) do update set reset_at = excluded.reset_at`);
    await db.execute(sql`select graphile_worker.add_job('prune_rate_limits', '{}'::json)`);
    const deadline = Date.now() + 20_000;
    let keys: string[] = [];
    while (Date.now() < deadline) {
      const rows = await db.execute<{ key: string }>(sql`select key from rate_limits where key like 'test:%' order by key`);
      keys = rows.rows.map((r) => r.key);
      if (!keys.includes('test:expired')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(keys).toEqual(['test:live']);
    expect(await (await healthz()).json()).toMatchObject({ status: 'ok', database: { ok: true }, worker: { ok: true } });
  });
});
