import type { Task } from 'graphile-worker';
import { sql } from 'drizzle-orm';
import { database } from '../../app/lib/db.server';
import { env } from '../../app/lib/env.server';
import { pruneTenantUploads } from '../../app/models/imports.server';
import { systemTenantIds } from '../pipeline/tenants.server';

/**
 * Hourly (crontab) maintenance. Safe to repeat.
 * - drops expired rate-limit windows;
 * - prunes abandoned CSV uploads: imports uploaded but never started for 24 h (row and file), and
 *   upload files no import needs any more (app/models/imports.server.ts), per tenant under RLS.
 */
const task: Task = async (_payload, helpers) => {
  const db = database();
  await db.db.execute(sql`delete from rate_limits where reset_at < now() - interval '1 hour'`);

  const dataDir = env().DATA_DIR;
  let imports = 0;
  let files = 0;
  for (const tenantId of await systemTenantIds(db)) {
    const pruned = await pruneTenantUploads(db, tenantId, { dataDir });
    imports += pruned.imports;
    files += pruned.files;
  }
  if (imports || files) helpers.logger.info(`pruned ${imports} abandoned imports, ${files} upload files`);
};
export default task;
