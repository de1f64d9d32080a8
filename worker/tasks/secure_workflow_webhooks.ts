import type { Task } from 'graphile-worker';
import { sql } from 'drizzle-orm';
import { database } from '../../app/lib/db.server';
import { secureUnprotectedWebhooks } from '../../app/lib/workflow-deploy.server';
import { systemTenantIds } from '../pipeline/tenants.server';

/**
 * Queued once when a worker starts, and hourly (crontab): published workflows whose lead-event
 * webhook still takes calls without a secret (published before migration 0013) are republished
 * with the graph they run, so n8n requires the secret (app/lib/workflow-deploy.server.ts
 * secureUnprotectedWebhooks). Per tenant under RLS; a tenant without such workflows costs one
 * query. Any failure (n8n not reachable yet) fails the job after the others are done, so
 * graphile-worker retries it with backoff. Safe to repeat.
 */
const task: Task = async (_payload, helpers) => {
  const db = database();
  const failures: string[] = [];
  let secured = 0;
  for (const tenantId of await systemTenantIds(db)) {
    const slug = await db.withTenant(tenantId, async (tx) => {
      const r = await tx.execute<{ slug: string }>(sql`select slug from tenants where id = ${tenantId}`);
      return r.rows[0]?.slug;
    });
    if (!slug) continue;
    const result = await secureUnprotectedWebhooks({ tenantId, tenantSlug: slug, userId: null, role: 'owner' });
    secured += result.secured.length;
    for (const f of result.failed) failures.push(`${slug}/${f.id}: ${f.error}`);
  }
  if (secured) helpers.logger.info(`gave ${secured} published workflow webhook(s) a secret`);
  if (failures.length) throw new Error(`could not secure ${failures.length} workflow webhook(s): ${failures.join(' | ')}`);
};
export default task;
