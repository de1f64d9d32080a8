import type { Task } from 'graphile-worker';
import { sql } from 'drizzle-orm';
import { database } from '../../app/lib/db.server';

/** Hourly (crontab): drops expired rate-limit windows. Safe to repeat. */
const task: Task = async () => {
  await database().db.execute(sql`delete from rate_limits where reset_at < now() - interval '1 hour'`);
};
export default task;
