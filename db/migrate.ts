/**
 * Applies every migration as the owner role: drizzle's versioned SQL (db/migrations), then
 * Graphile Worker's own schema, then the grants the application role needs on it. Idempotent.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = path.join(here, 'migrations');
export const APP_ROLE = 'leadflow_app';

export interface MigrateOptions {
  /** When given, leadflow_app may log in with this password (ALTER ROLE … LOGIN PASSWORD). */
  appPassword?: string | null;
  /** Allow leadflow_app to log in without a password (trust auth on a local/CI server). */
  appLogin?: boolean;
}

export async function migrateDatabase(ownerUrl: string, opts: MigrateOptions = {}): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // Serialise concurrent migrators (two processes starting at once).
    await client.query('select pg_advisory_lock(7263541)');
    // Graphile Worker's schema first: our SQL functions call graphile_worker.add_job.
    await runWorkerMigrations({ connectionString: ownerUrl, logger: quietLogger });
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query(`
      GRANT USAGE ON SCHEMA graphile_worker TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO ${APP_ROLE};
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA graphile_worker TO ${APP_ROLE};
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO ${APP_ROLE};
    `);
    // Graphile Worker enables RLS (without policies) on its private tables, so only their owner
    // may use them. The queue holds no tenant data beyond ids, and the app role must enqueue in
    // the same transaction as a lead change and run the queue: grant it the queue explicitly.
    await client.query(`
      DO $$
      DECLARE t record;
      BEGIN
        FOR t IN SELECT c.relname FROM pg_class c
                 WHERE c.relnamespace = 'graphile_worker'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
        LOOP
          IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'graphile_worker'
                         AND tablename = t.relname AND policyname = 'leadflow_app_queue') THEN
            EXECUTE format('CREATE POLICY leadflow_app_queue ON graphile_worker.%I TO ${APP_ROLE} USING (true) WITH CHECK (true)', t.relname);
          END IF;
        END LOOP;
      END $$;
    `);
    if (opts.appPassword) {
      // Utility statements take no bind parameters: the literal is escaped by the driver.
      await client.query(`ALTER ROLE ${APP_ROLE} LOGIN PASSWORD ${client.escapeLiteral(opts.appPassword)}`);
    } else if (opts.appLogin) {
      await client.query(`ALTER ROLE ${APP_ROLE} LOGIN`);
    }
    await client.query('select pg_advisory_unlock(7263541)');
  } finally {
    await client.end();
  }
}

const quietLogger = new Logger(() => () => undefined);
