/**
 * Scratch databases for the stand-alone benches: a per-process database name on the server of
 * TEST_DATABASE_URL/DATABASE_URL (default the local trust-auth server), the maintenance URL to
 * create/drop it, and the application role on the owner's connection (RLS applies).
 */
import { createDatabase, type Database } from '../db';

export interface Scratch {
  base: URL;
  dbName: string;
  /** The server's `postgres` database, to create and drop the scratch one. */
  maintenance: URL;
  /** The scratch database as its owner. */
  ownerUrl: URL;
}

export function scratchDatabase(prefix: string): Scratch {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `${prefix}_${process.pid}`;
  const maintenance = new URL(base);
  maintenance.pathname = '/postgres';
  const ownerUrl = new URL(base);
  ownerUrl.pathname = `/${dbName}`;
  return { base, dbName, maintenance, ownerUrl };
}

/** The application role on the owner's connection (SET ROLE): RLS applies, no password to change. */
export function appRoleDatabase(ownerUrl: URL, max: number): Database {
  const db = createDatabase(ownerUrl.toString(), { max });
  db.pool.on('connect', (client) => {
    client.query('set role leadflow_app').catch((err: unknown) => console.error('set role failed', err));
  });
  return db;
}
