/**
 * The one door to the database.
 *
 * - `createDatabase(url)` connects as the application role (leadflow_app: no table ownership,
 *   NOBYPASSRLS). All tenant data goes through `withTenant`, which opens a transaction and sets
 *   `app.tenant_id` with a bound parameter, transaction-local — never string-built, never
 *   session-level on a pooled connection.
 * - The owner connection (migrations, seeds, cross-tenant maintenance) is created by
 *   `createOwnerPool` and used only by db/migrate.ts, db/seed.ts and the CLI.
 */
import { sql, type SQLWrapper } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export { schema };
export type Schema = typeof schema;
export type Db = NodePgDatabase<Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface TenantContext {
  tenantId: string;
  userId?: string | null;
}

export interface Database {
  pool: pg.Pool;
  db: Db;
  /** Runs `fn` in one transaction scoped to `tenantId` (and, when given, the acting user). */
  withTenant<T>(ctx: string | TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` scoped to a user only: their memberships and tenants, no tenant's data. */
  withUser<T>(userId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The id of the tenant with this slug, or null (reads that one row only; see 0002_tenant_lookup). */
  tenantIdBySlug(slug: string): Promise<string | null>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A timestamptz as ISO-8601 UTC text with microseconds — exact, unlike a JS Date (milliseconds):
 * the value a keyset cursor must carry, compared back as `::timestamptz`.
 */
export const exactIsoTime = (column: SQLWrapper) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function assertUuid(value: string, what: string): void {
  if (!UUID.test(value)) throw new TypeError(`${what} must be a UUID`);
}

export function createPool(url: string, opts: { max?: number; onError?: (err: Error) => void } = {}) {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // NOTE: an idle client's error (server restart, network) is emitted on the pool; unhandled it
  // would crash the process.
  pool.on('error', (err) => opts.onError?.(err));
  return pool;
}

export function createDatabase(url: string, opts: { max?: number; onError?: (err: Error) => void } = {}): Database {
  const pool = createPool(url, opts);
  const db = drizzle(pool, { schema });

  async function withTenant<T>(ctx: string | TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const { tenantId, userId } = typeof ctx === 'string' ? { tenantId: ctx, userId: null } : ctx;
    assertUuid(tenantId, 'tenantId');
    if (userId) assertUuid(userId, 'userId');
    return db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', ${userId ?? ''}, true)`,
      );
      return fn(tx);
    });
  }

  async function withUser<T>(userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    assertUuid(userId, 'userId');
    return db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
      return fn(tx);
    });
  }

  async function tenantIdBySlug(slug: string): Promise<string | null> {
    return db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.lookup_slug', ${slug}, true)`);
      const rows = await tx.execute<{ id: string }>(sql`select id from tenants where slug = ${slug}`);
      return rows.rows[0]?.id ?? null;
    });
  }

  return { pool, db, withTenant, withUser, tenantIdBySlug, close: () => pool.end() };
}
