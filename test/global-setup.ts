/**
 * Prepares a fresh test database on real PostgreSQL: TEST_DATABASE_URL or DATABASE_URL when set
 * (CI uses the machine's server), otherwise an embedded server under .data/test-pg.
 * Tests then connect as the application role (leadflow_app), never as the owner.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { startEmbeddedPostgres, type EmbeddedPg } from '../app/lib/embedded-postgres.server';

let embedded: EmbeddedPg | undefined;

export default async function setup(project: TestProject) {
  const password = crypto.randomBytes(12).toString('hex');
  let baseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!baseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve('.data/test-pg'),
      port: Number(process.env.EMBEDDED_TEST_PG_PORT ?? 54339),
      password: 'leadflow-test',
      database: 'postgres',
      log: (m) => process.stderr.write(`${m}\n`),
    });
    baseUrl = embedded.url;
  }
  // A fresh database per run, named after the base URL's database.
  const base = new URL(baseUrl);
  const dbName = `${base.pathname.slice(1) || 'leadflow'}_test_${process.pid}`;
  // Create/drop through the maintenance database: the named one need not exist.
  const maintenance = new URL(baseUrl);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${admin.escapeIdentifier(dbName)} with (force)`);
  await admin.query(`create database ${admin.escapeIdentifier(dbName)}`);
  await admin.end();

  const ownerUrl = new URL(baseUrl);
  ownerUrl.pathname = `/${dbName}`;
  await migrateDatabase(ownerUrl.toString(), { appPassword: password });
  const appUrl = new URL(ownerUrl);
  appUrl.username = 'leadflow_app';
  appUrl.password = password;

  process.env.TEST_OWNER_DATABASE_URL = ownerUrl.toString();
  process.env.APP_DATABASE_URL = appUrl.toString();
  process.env.DATABASE_URL = ownerUrl.toString();
  process.env.SESSION_SECRET ??= crypto.randomBytes(32).toString('hex');
  process.env.LEADFLOW_ENCRYPTION_KEY ??= crypto.randomBytes(32).toString('base64');
  process.env.LOG_LEVEL ??= 'silent';
  project.provide('ownerDatabaseUrl', ownerUrl.toString());

  return async () => {
    const cleanup = new pg.Client({ connectionString: maintenance.toString() });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${cleanup.escapeIdentifier(dbName)} with (force)`);
    await cleanup.end();
    await embedded?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    ownerDatabaseUrl: string;
  }
}
