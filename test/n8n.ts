/**
 * A real n8n for integration tests: the pinned runtime, supervised, on its own throw-away
 * database on the test database's server, bootstrapped headlessly, its API key stored the way
 * `npm start` stores it (encrypted in system_secrets) so app code finds it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { bootstrapN8n } from '../app/lib/n8n/bootstrap.server';
import { createN8nClient, type N8nClient } from '../app/lib/n8n/client.server';
import { storeN8n } from '../app/lib/n8n/connection.server';
import { isN8nRuntimeInstalled, startN8n, type N8nInstance } from '../app/lib/n8n/supervisor.server';

export const n8nAvailable = isN8nRuntimeInstalled();
export const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

export interface TestN8n {
  instance: N8nInstance;
  client: N8nClient;
  stop(): Promise<void>;
}

export async function startTestN8n(): Promise<TestN8n> {
  if (!n8nAvailable) throw new Error('the n8n runtime is not installed: run `npm install` (postinstall installs it)');
  const owner = new URL(process.env.TEST_OWNER_DATABASE_URL!);
  const database = `leadflow_n8n_it_${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-n8n-'));
  const instance = await startN8n({
    port: 0,
    dataDir,
    db: { host: owner.hostname, port: Number(owner.port || 5432), database, user: decodeURIComponent(owner.username), password: decodeURIComponent(owner.password) },
    adminDatabaseUrl: owner.toString(),
    encryptionKey: randomBytes(24).toString('hex'),
    jwtSecret: randomBytes(24).toString('hex'),
    logger: pino({ level: 'silent' }),
    readyTimeoutMs: 120_000,
  });
  const boot = await bootstrapN8n({ url: instance.url });
  await storeN8n({ url: instance.url, ownerEmail: boot.ownerEmail, ownerPassword: boot.ownerPassword, apiKey: boot.apiKey });
  const client = createN8nClient({ baseUrl: instance.url, apiKey: boot.apiKey, timeoutMs: 15_000 });
  return {
    instance,
    client,
    async stop() {
      await instance.stop();
      const maintenance = new URL(owner);
      maintenance.pathname = '/postgres';
      const admin = new pg.Client({ connectionString: maintenance.toString() });
      await admin.connect();
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
