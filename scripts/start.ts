/**
 * `npm start`: one process that brings up the whole platform on localhost.
 *   embedded PostgreSQL (when DATABASE_URL is unset) → migrations → demo tenant (first run)
 *   → Graphile Worker → the Remix app on http://localhost:3000.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import { broadcastDevReady, type ServerBuild } from '@remix-run/node';
import express from 'express';
import pino from 'pino';
import { ConfigError } from '../app/lib/env.server';
import { prepareEnvironment } from './runtime';

const boot = pino({ level: process.env.LOG_LEVEL || 'info', base: { service: 'leadflow' } });
const startedAt = Date.now();

async function main() {
  const prepared = await prepareEnvironment({ log: (m) => boot.info(m) });
  const { env } = prepared;
  // Modules below read configuration; import them after the environment is complete.
  const { logger } = await import('../app/lib/logger.server');
  const { database } = await import('../app/lib/db.server');
  const { seedDemo } = await import('../db/seed');
  const log = logger();

  const shouldSeed = env.SEED_DEMO ?? env.NODE_ENV !== 'production';
  const demo = shouldSeed ? await seedDemo(database()) : null;
  const demoFile = path.resolve(env.DATA_DIR, 'demo-login.json');
  if (demo) {
    fs.mkdirSync(path.dirname(demoFile), { recursive: true });
    fs.writeFileSync(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  }
  const demoLogin = demo ?? (shouldSeed && fs.existsSync(demoFile) ? (JSON.parse(fs.readFileSync(demoFile, 'utf8')) as typeof demo) : null);

  let worker: { stop(): Promise<void> } | null = null;
  if (env.RUN_WORKER) {
    const { startWorker } = await import('../worker/index');
    worker = await startWorker(log.child({ component: 'worker' }));
  }

  const buildPath = path.resolve('build/index.js');
  let build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  let remixHandler = createRequestHandler({ build, mode: env.NODE_ENV });
  // `npm run dev` runs this file under `remix dev --manual`: the compiler rebuilds on every change
  // and writes build/version.txt; load the new build in place and tell the dev server (which then
  // live-reloads the browser). The database, worker and n8n keep running.
  const devOrigin = process.env.REMIX_DEV_ORIGIN;
  if (devOrigin) {
    const versionFile = path.resolve('build/version.txt');
    let reloading = Promise.resolve();
    fs.watchFile(versionFile, { interval: 300 }, () => {
      reloading = reloading.then(async () => {
        const fresh = (await import(`${pathToFileURL(buildPath).href}?t=${Date.now()}`)) as ServerBuild;
        build = fresh;
        remixHandler = createRequestHandler({ build, mode: env.NODE_ENV });
        await broadcastDevReady(build);
        boot.info({ version: build.assets.version }, 'reloaded the app build');
      }).catch((err: unknown) => boot.error({ err }, 'could not load the new build; fix the error and save again'));
    });
  }
  const { captureHttpHandler, captureKeyFromPath } = await import('../app/lib/capture-endpoint.server');
  const app = express();
  app.disable('x-powered-by');
  app.use('/build', express.static('public/build', { immutable: true, maxAge: '1y' }));
  app.use(express.static('public', { maxAge: '1h' }));
  app.all('*', (req, res, next) => remixHandler(req, res, next));
  // The public capture endpoint is answered before express and Remix: it is the hot path (issue 3:
  // ≥ 2,000 captures/s) and needs none of their work. Same handler as the Remix route
  // app/routes/api.v1.capture.$captureKey.ts, which answers wherever this is not mounted.
  const server = http.createServer((req, res) => {
    const captureKey = captureKeyFromPath(req.url ?? '');
    if (captureKey === null) {
      app(req, res);
      return;
    }
    captureHttpHandler(req, res, captureKey).catch((err: unknown) => {
      log.error({ err }, 'capture request failed');
      res.destroy();
    });
  });
  server.listen(env.PORT, env.HOST, () => {
    const url = `http://localhost:${env.PORT}`;
    log.info({ url, ms: Date.now() - startedAt }, `Leadflow is running at ${url}`);
    if (demoLogin) {
      // The demo login lives in the git-ignored data folder (development only).
      process.stdout.write(
        `\n  Demo workspace ready. Log in at ${url}/login\n    email:    ${demoLogin.email}\n    password: ${demoLogin.password}\n\n`,
      );
    }
    if (devOrigin) void broadcastDevReady(build);
  });

  // n8n boots in ~10–20 s: serve the app first, bring the workflow runtime up beside it.
  let n8n: { stop(): Promise<void> } | null = null;
  const n8nStarting = import('../app/lib/n8n/local.server')
    .then(({ startLocalN8n }) => startLocalN8n(log.child({ component: 'n8n' })))
    .then((instance) => {
      n8n = instance;
    })
    .catch((err: unknown) => log.error({ err }, 'the local n8n could not start; workflows cannot be published'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await worker?.stop();
    await n8nStarting;
    await (n8n as { stop(): Promise<void> } | null)?.stop();
    await database().close();
    await prepared.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      shutdown(signal).catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`\nLeadflow cannot start: ${err.message}\n\n`);
  } else {
    boot.fatal({ err }, 'Leadflow failed to start');
  }
  process.exit(1);
});
