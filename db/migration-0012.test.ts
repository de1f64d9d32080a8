/**
 * Migration 0012 (import_errors.severity) converts the rows written before it: warnings were
 * stored with a "[warning] " prefix on the message. Migrates a scratch database up to the
 * migration before 0012, writes rows the old way, then applies the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import pg from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { MIGRATIONS_FOLDER } from './migrate';

const TAG = '0012_import_error_severity';
const quiet = new Logger(() => () => {});

describe(`migration ${TAG}`, () => {
  const owner = new URL(inject('ownerDatabaseUrl'));
  const scratch = new URL(owner);
  scratch.pathname = `${owner.pathname}_m0012`;
  const maintenance = new URL(owner);
  maintenance.pathname = '/postgres';
  const dbName = scratch.pathname.slice(1);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-m0012-'));

  async function admin(query: string) {
    const c = new pg.Client({ connectionString: maintenance.toString() });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  }

  afterAll(async () => {
    await admin(`drop database if exists "${dbName}" with (force)`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('moves the "[warning] " prefix into severity and leaves errors as they were', async () => {
    await admin(`drop database if exists "${dbName}" with (force)`);
    await admin(`create database "${dbName}"`);
    // The migrations folder as it was before 0012.
    const before = path.join(tmp, 'migrations');
    fs.cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalPath = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
    const at = journal.entries.findIndex((e) => e.tag === TAG);
    expect(at).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    fs.writeFileSync(journalPath, JSON.stringify(journal));

    const client = new pg.Client({ connectionString: scratch.toString() });
    await client.connect();
    try {
      await runWorkerMigrations({ connectionString: scratch.toString(), logger: quiet });
      await migrate(drizzle(client), { migrationsFolder: before });
      const tenant = await client.query<{ id: string }>(`insert into tenants (slug, name) values ('m0012', 'M') returning id`);
      const tenantId = tenant.rows[0].id;
      await client.query(
        `insert into import_errors (tenant_id, import_id, row, "column", message) values
          ($1, gen_random_uuid(), 2, 'email', 'Invalid email "bob@"'),
          ($1, gen_random_uuid(), 3, 'stage', '[warning] Unknown stage "x"; set to new'),
          ($1, gen_random_uuid(), 4, 'note', 'A [warning] in the middle stays')`,
        [tenantId],
      );

      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      const rows = await client.query(`select row, message, severity from import_errors order by row`);
      expect(rows.rows).toEqual([
        { row: 2, message: 'Invalid email "bob@"', severity: 'error' },
        { row: 3, message: 'Unknown stage "x"; set to new', severity: 'warning' },
        { row: 4, message: 'A [warning] in the middle stays', severity: 'error' },
      ]);
      const force = await client.query(`select relforcerowsecurity from pg_class where relname = 'import_errors'`);
      expect(force.rows[0].relforcerowsecurity).toBe(true);
    } finally {
      await client.end();
    }
  });
});
