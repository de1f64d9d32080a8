import { sql } from 'drizzle-orm';
import type { Db } from '../../db';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counter in Postgres (shared by every app instance). `hit` counts one event;
 * `peek` reads without counting.
 */
export async function hitRateLimit(db: Db, key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
  const result = await db.execute<{ count: number; reset_at: Date }>(sql`
    insert into rate_limits (key, count, reset_at)
    values (${key}, 1, now() + make_interval(secs => ${windowSeconds}))
    on conflict (key) do update set
      count = case when rate_limits.reset_at <= now() then 1 else rate_limits.count + 1 end,
      reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
    returning count, reset_at`);
  return toResult(result.rows[0], limit);
}

export async function peekRateLimit(db: Db, key: string, limit: number): Promise<RateLimitResult> {
  const result = await db.execute<{ count: number; reset_at: Date }>(
    sql`select count, reset_at from rate_limits where key = ${key} and reset_at > now()`,
  );
  const row = result.rows[0];
  return row ? toResult(row, limit, true) : { allowed: true, count: 0, retryAfterSeconds: 0 };
}

export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from rate_limits where key = ${key}`);
}

function toResult(row: { count: number; reset_at: Date } | undefined, limit: number, peek = false): RateLimitResult {
  const count = Number(row?.count ?? 0);
  const resetAt = row ? new Date(row.reset_at).getTime() : Date.now();
  return {
    allowed: peek ? count < limit : count <= limit,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)),
  };
}
