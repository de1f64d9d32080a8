/**
 * End to end, as a new user would: `scripts/start.ts` on a fresh database seeds the demo tenant
 * and prints its login; Debian's Chromium logs in and sees the app shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('npm start → demo login → app shell (Chromium)', () => {
  let server: ChildProcess;
  let browser: Browser;
  let baseUrl: string;
  let output = '';
  const dbName = `leadflow_e2e_${process.pid}`;
  const owner = new URL(inject('ownerDatabaseUrl'));
  const maintenance = new URL(owner);
  maintenance.pathname = '/postgres';

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const admin = new pg.Client({ connectionString: maintenance.toString() });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const dbUrl = new URL(owner);
    dbUrl.pathname = `/${dbName}`;
    const appUrl = new URL(process.env.APP_DATABASE_URL!);
    appUrl.pathname = `/${dbName}`;
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: dbUrl.toString(),
        APP_DATABASE_URL: appUrl.toString(),
        PORT: String(port),
        HOST: '127.0.0.1',
        SEED_DEMO: '1',
        LOG_LEVEL: 'info',
        DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-e2e-')),
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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    const admin = new pg.Client({ connectionString: maintenance.toString() });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  it('logs in as the printed demo user and sees the shell with the seeded leads', async () => {
    const email = /email:\s+(\S+)/.exec(output)![1];
    const password = /password:\s+(\S+)/.exec(output)![1];
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/leads$/);
    fs.mkdirSync('e2e/.out', { recursive: true });
    await page.screenshot({ path: 'e2e/.out/after-login.png', fullPage: true });
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const item of ['Leads', 'Workflows', 'Analytics', 'Settings']) {
      await nav.getByRole('link', { name: item }).waitFor({ state: 'visible', timeout: 5000 });
    }
    await page.getByRole('cell', { name: 'ada@analytical.example' }).waitFor({ state: 'visible', timeout: 5000 });
    await page.screenshot({ path: 'e2e/.out/shell.png', fullPage: true });

    // Wrong password: a clear message, no stack trace.
    const other = await browser.newPage();
    await other.goto(`${baseUrl}/login`);
    await other.fill('input[name=email]', email);
    await other.fill('input[name=password]', 'not the password');
    await other.click('button[type=submit]');
    await other.getByRole('alert').waitFor({ timeout: 5000 });
    expect(await other.getByRole('alert').textContent()).toContain('Email or password is incorrect.');

    // An unknown page is a friendly 404.
    const missing = await page.goto(`${baseUrl}/no-such-page`);
    expect(missing?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor({ state: 'visible', timeout: 5000 });

    // Log out through the shell's form.
    await page.goto(`${baseUrl}/leads`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);

    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: { ok: true } });
  });
});
