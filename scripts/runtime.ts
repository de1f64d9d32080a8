/**
 * Shared start-up for `npm start`, the CLI and benchmarks: local secrets, the embedded PostgreSQL
 * when DATABASE_URL is unset, validated configuration and migrations.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { migrateDatabase } from '../db/migrate';
import { startEmbeddedPostgres, type EmbeddedPg } from '../app/lib/embedded-postgres.server';
import { ConfigError, parseEnv, type Env } from '../app/lib/env.server';

interface LocalSecrets {
  sessionSecret: string;
  encryptionKey: string;
  postgresPassword: string;
  appDbPassword: string;
  n8nEncryptionKey?: string;
  n8nJwtSecret?: string;
}

/** Development secrets, generated once into the git-ignored data folder. Never used in production. */
function localSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) {
    const existing = JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSecrets;
    if (existing.n8nEncryptionKey && existing.n8nJwtSecret) return existing;
    // Older data folders: add the n8n secrets once, keep everything else.
    const upgraded = {
      ...existing,
      n8nEncryptionKey: crypto.randomBytes(24).toString('base64url'),
      n8nJwtSecret: crypto.randomBytes(24).toString('base64url'),
    };
    fs.writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const secrets: LocalSecrets = {
    sessionSecret: crypto.randomBytes(32).toString('hex'),
    encryptionKey: crypto.randomBytes(32).toString('base64'),
    postgresPassword: crypto.randomBytes(16).toString('hex'),
    appDbPassword: crypto.randomBytes(16).toString('hex'),
    n8nEncryptionKey: crypto.randomBytes(24).toString('base64url'),
    n8nJwtSecret: crypto.randomBytes(24).toString('base64url'),
  };
  // NOTE: not 0700: as root, the embedded server runs as the OS user `postgres`, which must be able
  // to traverse this folder to reach its data directory. The secrets file itself is 0600.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export interface Prepared {
  env: Env;
  embedded: EmbeddedPg | null;
  stop(): Promise<void>;
}

export async function prepareEnvironment(opts: { migrate?: boolean; log: (msg: string) => void }): Promise<Prepared> {
  const production = process.env.NODE_ENV === 'production';
  const dataDir = path.resolve(process.env.DATA_DIR || '.data');
  // Fill development defaults before validating, so a fresh clone needs no .env.
  if (!production) {
    const s = localSecrets(dataDir);
    process.env.SESSION_SECRET ||= s.sessionSecret;
    process.env.LEADFLOW_ENCRYPTION_KEY ||= s.encryptionKey;
    process.env.N8N_ENCRYPTION_KEY ||= s.n8nEncryptionKey;
    process.env.N8N_JWT_SECRET ||= s.n8nJwtSecret;
    if (!process.env.DATABASE_URL) process.env.APP_DB_PASSWORD ||= s.appDbPassword;
  }
  let env = parseEnv(process.env);
  let embedded: EmbeddedPg | null = null;
  if (!env.DATABASE_URL) {
    if (production) throw new ConfigError(['DATABASE_URL: is required in production']);
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'pg'),
      port: env.EMBEDDED_PG_PORT,
      password: localSecrets(dataDir).postgresPassword,
      database: 'leadflow',
      log: opts.log,
    });
    process.env.DATABASE_URL = embedded.url;
    env = parseEnv(process.env);
  }
  if (opts.migrate !== false) {
    await migrateDatabase(env.DATABASE_URL!, {
      appPassword: env.APP_DATABASE_URL ? null : (env.APP_DB_PASSWORD ?? null),
      appLogin: true,
    });
  }
  return { env, embedded, stop: async () => embedded?.stop() };
}
