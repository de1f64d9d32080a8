/**
 * The ids of all tenants, for periodic jobs that fan out per tenant (SLA sweep, nightly training
 * and re-scoring, pruning). The app role sees no tenant without a tenant context; this one
 * transaction states app.system_scan = 'tenant_ids', which a read-only policy on `tenants` honours
 * (db/migrations/0008). Only ids leave this function; tenant data is then read per tenant.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db';

export async function systemTenantIds(db: Database): Promise<string[]> {
  return db.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.system_scan', 'tenant_ids', true)`);
    const rows = await tx.execute<{ id: string }>(sql`select id from tenants order by id`);
    return rows.rows.map((r) => r.id);
  });
}
