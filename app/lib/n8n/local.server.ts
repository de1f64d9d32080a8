/**
 * The local n8n that `npm start` supervises (when N8N_URL is unset): started on loopback with
 * its own database on the same PostgreSQL server, bootstrapped headlessly on first run, its API
 * key kept encrypted in Leadflow's database (system_secrets).
 */
import path from 'node:path';
import type pino from 'pino';
import { env } from '../env.server';
import { bootstrapN8n } from './bootstrap.server';
import { createN8nClient } from './client.server';
import { readStoredN8n, storeN8n } from './connection.server';
import { isN8nRuntimeInstalled, startN8n, type N8nInstance } from './supervisor.server';

export async function startLocalN8n(log: pino.Logger): Promise<N8nInstance | null> {
  const e = env();
  if (e.N8N_URL || !e.RUN_N8N) return null;
  if (!isN8nRuntimeInstalled()) {
    log.warn('the n8n runtime is not installed (run `npm install`); workflows cannot be published until it is');
    return null;
  }
  if (!e.DATABASE_URL || !e.N8N_ENCRYPTION_KEY || !e.N8N_JWT_SECRET) {
    throw new Error('DATABASE_URL, N8N_ENCRYPTION_KEY and N8N_JWT_SECRET are required to run the local n8n');
  }
  const owner = new URL(e.DATABASE_URL);
  const database = `${owner.pathname.slice(1) || 'leadflow'}_n8n`;
  const instance = await startN8n({
    port: e.N8N_PORT,
    dataDir: path.resolve(e.DATA_DIR, 'n8n'),
    db: {
      host: owner.hostname,
      port: Number(owner.port || 5432),
      database,
      user: decodeURIComponent(owner.username),
      password: decodeURIComponent(owner.password),
    },
    adminDatabaseUrl: e.DATABASE_URL,
    encryptionKey: e.N8N_ENCRYPTION_KEY,
    jwtSecret: e.N8N_JWT_SECRET,
    logger: log,
    onGiveUp: (err) => log.error({ err }, 'n8n keeps crashing; the supervisor gave up'),
  });
  const stored = await readStoredN8n();
  // Reuse the stored key while it works; otherwise (fresh n8n, rotated key) bootstrap a new one.
  if (stored?.apiKey) {
    const probe = createN8nClient({ baseUrl: instance.url, apiKey: stored.apiKey, timeoutMs: 10_000 });
    const ok = await probe.listWorkflows({ limit: 1 }).then(
      () => true,
      () => false,
    );
    if (ok) {
      if (stored.url !== instance.url) await storeN8n({ ...stored, url: instance.url });
      return instance;
    }
  }
  const boot = await bootstrapN8n({ url: instance.url, stored: stored ?? undefined, logger: log });
  await storeN8n({ url: instance.url, ownerEmail: boot.ownerEmail, ownerPassword: boot.ownerPassword, apiKey: boot.apiKey });
  log.info({ url: instance.url }, 'local n8n ready');
  return instance;
}
