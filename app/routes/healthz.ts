import { json } from '@remix-run/node';
import { sql } from 'drizzle-orm';
import { database } from '~/lib/db.server';

/** Liveness for load balancers and `npm start`: database reachable, worker heartbeat fresh. */
export async function loader() {
  const started = Date.now();
  let db: { ok: boolean; latencyMs?: number; error?: string };
  let worker: { ok: boolean; lastBeatSecondsAgo?: number | null };
  try {
    const res = await database().db.execute<{ age: number | null }>(
      sql`select extract(epoch from now() - max(beat_at))::float as age from system_heartbeats where component = 'worker'`,
    );
    db = { ok: true, latencyMs: Date.now() - started };
    const age = res.rows[0]?.age;
    worker = { ok: age !== null && age !== undefined && age < 30, lastBeatSecondsAgo: age === null || age === undefined ? null : Math.round(age) };
  } catch {
    db = { ok: false, error: 'database unreachable' };
    worker = { ok: false, lastBeatSecondsAgo: null };
  }
  // 503 only when this instance cannot serve (no database); a stopped worker is reported, not fatal.
  const status = !db.ok ? 'down' : worker.ok ? 'ok' : 'degraded';
  return json({ status, database: db, worker }, { status: db.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
