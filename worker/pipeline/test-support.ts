/**
 * Test support for the lead pipeline: a database of its own per test file (created from the run's
 * test database server, migrated, dropped afterwards). Workers started by the pipeline tests then
 * never process jobs queued by other test files, and vice versa.
 *
 * Call `useScratchDatabase` before anything reads the configuration (env() is cached per file):
 * import worker/index dynamically after it.
 */
import { inject } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { createDatabase, type Database } from '../../db';
import { uuidv7 } from '../../db/ids';
import { migrateDatabase } from '../../db/migrate';
import { addMembership, createTenant } from '../../app/models/tenant.server';
import { createUser } from '../../app/models/user.server';
import type { Role } from '../../db/schema';

export interface ScratchDatabase {
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

export async function useScratchDatabase(label: string): Promise<ScratchDatabase> {
  const owner = new URL(inject('ownerDatabaseUrl'));
  const name = `${owner.pathname.slice(1)}_${label}_${process.pid}`.slice(0, 63);
  const maintenance = new URL(owner);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
  await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const ownerUrl = new URL(owner);
  ownerUrl.pathname = `/${name}`;
  // NOTE: no appPassword — the role is cluster-wide and the run's other files use its password.
  await migrateDatabase(ownerUrl.toString());
  const appUrl = new URL(process.env.APP_DATABASE_URL!);
  appUrl.pathname = `/${name}`;
  // NOTE: process.env outlives this file in the test process: drop() restores it.
  const saved = { APP_DATABASE_URL: process.env.APP_DATABASE_URL, DATABASE_URL: process.env.DATABASE_URL, LEADFLOW_PIPELINE_TASKS: process.env.LEADFLOW_PIPELINE_TASKS };
  process.env.APP_DATABASE_URL = appUrl.toString();
  process.env.DATABASE_URL = ownerUrl.toString();
  process.env.LEADFLOW_PIPELINE_TASKS = 'true';
  return {
    ownerUrl: ownerUrl.toString(),
    appUrl: appUrl.toString(),
    async drop() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      const c = new pg.Client({ connectionString: maintenance.toString() });
      await c.connect();
      await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`);
      await c.end();
    },
  };
}

export function scratchDatabase(scratch: ScratchDatabase): Database {
  return createDatabase(scratch.appUrl, { max: 12 });
}

let counter = 0;
export async function createWorkspace(db: Database, reps: number, opts: { roles?: Role[] } = {}) {
  const n = ++counter;
  const tenant = await createTenant(db, { slug: `ws-${process.pid}-${n}-${Math.random().toString(36).slice(2, 7)}`, name: `Workspace ${n}` });
  const users: string[] = [];
  await db.withTenant(tenant.id, async (tx) => {
    for (let i = 0; i < reps; i++) {
      const user = await createUser(tx, { email: `rep${i}-${tenant.slug}@example.com`, name: `Rep ${i}`, password: 'rep password 123' });
      await addMembership(tx, tenant.id, user.id, opts.roles?.[i] ?? 'rep');
      users.push(user.id);
    }
  });
  return { tenantId: tenant.id, slug: tenant.slug, users };
}

/** Polls `check` until it returns a truthy value (or throws after `ms`). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, ms = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Inserts leads without queueing pipeline jobs (tests that drive a step by hand). */
export async function insertLeadsQuietly(
  db: Database,
  tenantId: string,
  leads: Array<{ email?: string; country?: string; industry?: string; companySize?: string; stage?: string; ownerId?: string }>,
): Promise<string[]> {
  const base = Date.now();
  const rows = leads.map((l, i) => ({
    id: uuidv7(base + i),
    email: l.email ?? null,
    country: l.country ?? null,
    industry: l.industry ?? null,
    company_size: l.companySize ?? null,
    stage: l.stage ?? 'new',
    owner_id: l.ownerId ?? null,
  }));
  await db.withTenant(tenantId, async (tx) => {
    await tx.execute(sql`select set_config('leadflow.pipeline_write', 'on', true)`);
    await tx.execute(sql`
      insert into leads (tenant_id, id, email, country, industry, company_size, stage, owner_id)
      select ${tenantId}::uuid, id, email, country, industry, company_size, stage, owner_id
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id uuid, email text, country text, industry text, company_size text, stage text, owner_id uuid)`);
  });
  return rows.map((r) => r.id);
}
