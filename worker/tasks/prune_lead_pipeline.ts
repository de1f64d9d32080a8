import type { Task } from 'graphile-worker';
import { database } from '../../app/lib/db.server';
import { pruneJobRuns } from '../../app/models/job-run.server';
import { PgEnrichmentCache } from '../pipeline/enrichment-cache.server';
import { systemTenantIds } from '../pipeline/tenants.server';

/** Daily (crontab): expired enrichment cache rows, and job history older than 14 days. */
const task: Task = async () => {
  const db = database();
  await new PgEnrichmentCache(db.db).prune();
  for (const tenantId of await systemTenantIds(db)) await db.withTenant(tenantId, (tx) => pruneJobRuns(tx, 14));
};
export default task;
