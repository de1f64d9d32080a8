import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from './index';
import { appDatabase, ownerClient, pgErrorOf, uniqueSlug } from '../test/helpers';
import { createTenant } from '../app/models/tenant.server';
import { createLead, getLead, listLeads } from '../app/models/lead.server';
import { eq } from 'drizzle-orm';

describe('row-level security catalogue', () => {
  it('covers every table that has a tenant_id column: enabled, forced, with a policy on tenant_id', async () => {
    const owner = ownerClient();
    await owner.connect();
    try {
      const { rows } = await owner.query<{ table: string; enabled: boolean; forced: boolean; policies: number; tenant_policies: number }>(`
        select c.oid::regclass::text as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
               (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies,
               (select count(*)::int from pg_policy p where p.polrelid = c.oid
                  and pg_get_expr(p.polqual, p.polrelid) like '%tenant_id%app.tenant_id%'
                  and pg_get_expr(p.polwithcheck, p.polrelid) like '%tenant_id%app.tenant_id%') as tenant_policies
        from pg_class c
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
        where c.relkind in ('r', 'p') and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
        order by 1`);
      // The known tenant tables must be among them (the query must not silently find nothing).
      expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(['audit_log', 'leads', 'memberships']));
      const uncovered = rows.filter((r) => !r.enabled || !r.forced || r.tenant_policies < 1);
      expect(uncovered, `tables without enabled+forced RLS and a tenant policy: ${uncovered.map((r) => r.table).join(', ')}`).toEqual([]);
    } finally {
      await owner.end();
    }
  });

  it('the application role owns no table, is not a superuser and cannot bypass RLS', async () => {
    const db = appDatabase();
    const role = await db.db.execute<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      sql`select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user`,
    );
    expect(role.rows[0]).toEqual({ rolname: 'leadflow_app', rolsuper: false, rolbypassrls: false });
    const owned = await db.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = current_user`,
    );
    expect(owned.rows[0].n).toBe(0);
  });
});

describe('tenant isolation as the application role', () => {
  const db = appDatabase();
  let a: string;
  let b: string;
  let leadA: string;
  let leadB: string;

  beforeAll(async () => {
    a = (await createTenant(db, { slug: uniqueSlug('a'), name: 'Tenant A' })).id;
    b = (await createTenant(db, { slug: uniqueSlug('b'), name: 'Tenant B' })).id;
    leadA = (await db.withTenant(a, (tx) => createLead(tx, a, { email: 'same@example.com', firstName: 'A' }))).id;
    leadB = (await db.withTenant(b, (tx) => createLead(tx, b, { email: 'same@example.com', firstName: 'B' }))).id;
  });
  afterAll(async () => {
    await db.close();
  });

  it('the model layer sees only the current tenant', async () => {
    const seenByA = await db.withTenant(a, (tx) => listLeads(tx));
    expect(seenByA.leads.map((l) => l.id)).toEqual([leadA]);
    expect(await db.withTenant(a, (tx) => getLead(tx, leadB))).toBeNull();
    expect(await db.withTenant(b, (tx) => getLead(tx, leadB))).not.toBeNull();
  });

  it('raw SQL cannot read, update or delete another tenant’s rows', async () => {
    await db.withTenant(a, async (tx) => {
      const read = await tx.execute(sql`select id from leads where id = ${leadB}`);
      expect(read.rows).toEqual([]);
      const updated = await tx.execute(sql`update leads set first_name = 'hacked' where id = ${leadB}`);
      expect(updated.rowCount).toBe(0);
      const deleted = await tx.execute(sql`delete from leads where id = ${leadB}`);
      expect(deleted.rowCount).toBe(0);
    });
    const still = await db.withTenant(b, (tx) => tx.select().from(schema.leads).where(eq(schema.leads.id, leadB)));
    expect(still[0].firstName).toBe('B');
  });

  it('cannot insert a row for another tenant (WITH CHECK)', async () => {
    const err = await pgErrorOf(db.withTenant(a, (tx) => tx.execute(sql`insert into leads (tenant_id, email) values (${b}, 'x@example.com')`)));
    expect(err.message).toMatch(/row-level security/);
  });

  it('cannot move a row to another tenant', async () => {
    const err = await pgErrorOf(db.withTenant(a, (tx) => tx.execute(sql`update leads set tenant_id = ${b} where id = ${leadA}`)));
    expect(err.message).toMatch(/row-level security/);
  });

  it('sees nothing without a tenant, and nothing after the tenant transaction ended on the same connection', async () => {
    const none = await db.db.execute(sql`select count(*)::int as n from leads`);
    expect(none.rows[0]).toEqual({ n: 0 });
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('app.tenant_id', $1, true)`, [a]);
      expect((await client.query('select count(*)::int as n from leads')).rows[0].n).toBe(1);
      await client.query('commit');
      // The setting was transaction-local: the pooled connection is back to "no tenant".
      expect((await client.query('select count(*)::int as n from leads')).rows[0].n).toBe(0);
    } finally {
      client.release();
    }
  });

  it('a tenant cannot see or change another tenant’s tenant row', async () => {
    await db.withTenant(a, async (tx) => {
      const rows = await tx.execute(sql`select id from tenants where id = ${b}`);
      expect(rows.rows).toEqual([]);
      const upd = await tx.execute(sql`update tenants set name = 'x' where id = ${b}`);
      expect(upd.rowCount).toBe(0);
    });
  });

  it('rejects a tenant id that is not a UUID before touching the database', async () => {
    await expect(db.withTenant("x' or 1=1 --", async () => 1)).rejects.toThrow(/UUID/);
  });

  it('the audit log is append-only for the app role', async () => {
    const err = await pgErrorOf(db.withTenant(a, (tx) => tx.execute(sql`delete from audit_log`)));
    expect(err.message).toMatch(/permission denied/);
  });
});
