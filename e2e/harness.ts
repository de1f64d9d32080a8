/**
 * What every browser test needs: Leadflow started as `npm start` starts it (scripts/start.ts) on
 * a fresh database of the test server — so the demo tenant is seeded and its login printed — and
 * Debian's Chromium. The local n8n is not started (RUN_N8N=false): browser tests do not need it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';
import { findFreePort } from '../app/lib/n8n/supervisor.server';

export const CHROMIUM = '/usr/bin/chromium';
export const OUT = 'e2e/.out';


export interface RunningApp {
  baseUrl: string;
  /** Owner URL of the app's own database (for tests that arrange data directly). */
  databaseUrl: string;
  demo: { email: string; password: string };
  output(): string;
  stop(): Promise<void>;
}

export async function startLeadflow(name: string): Promise<RunningApp> {
  const dbName = `leadflow_e2e_${name}_${process.pid}`;
  const owner = new URL(inject('ownerDatabaseUrl'));
  const maintenance = new URL(owner);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const dbUrl = new URL(owner);
  dbUrl.pathname = `/${dbName}`;
  const appUrl = new URL(process.env.APP_DATABASE_URL!);
  appUrl.pathname = `/${dbName}`;
  const port = await findFreePort();
  let output = '';
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl.toString(),
      APP_DATABASE_URL: appUrl.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: '1',
      RUN_N8N: 'false',
      LOG_LEVEL: 'info',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `leadflow-e2e-${name}-`)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (c) => (output += c));
  server.stderr!.on('data', (c) => (output += c));
  const deadline = Date.now() + 90_000;
  while (!/password: \S+/.test(output)) {
    if (server.exitCode !== null) throw new Error(`server exited ${server.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  fs.mkdirSync(OUT, { recursive: true });
  return {
    baseUrl: `http://localhost:${port}`,
    databaseUrl: dbUrl.toString(),
    demo: { email: /email:\s+(\S+)/.exec(output)![1], password: /password:\s+(\S+)/.exec(output)![1] },
    output: () => output,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
      const cleanup = new pg.Client({ connectionString: maintenance.toString() });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${dbName} with (force)`);
      await cleanup.end();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
