import os from 'node:os';
import pg from 'pg';
import { migrateDatabase, APP_ROLE } from '../../db/migrate';

/** The server's owner URL (no database): BENCH_DATABASE_URL or the machine's PostgreSQL. */
export function serverUrl(): string {
  return process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432';
}

export function dbUrl(database: string, user?: string): string {
  const u = new URL(serverUrl());
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = process.env.BENCH_APP_PASSWORD ?? '';
  }
  return u.toString();
}

/** leadflow_app on the scratch database (RLS applies); trust auth or BENCH_APP_PASSWORD. */
export const appUrl = (database: string) => dbUrl(database, APP_ROLE);

/** Drops and recreates `database`, then applies every migration as the owner. */
export async function freshDatabase(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(dbUrl(database), { appLogin: true, appPassword: process.env.BENCH_APP_PASSWORD || null });
}

export async function dropDatabase(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function withOwner<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const sec = (msecs: number) => `${(msecs / 1000).toFixed(1)} s`;

export function load(): string {
  const [a, b, c] = os.loadavg();
  return `load avg ${a.toFixed(2)} ${b.toFixed(2)} ${c.toFixed(2)} (${os.cpus().length} cores)`;
}

export function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

export function table(rows: Array<Record<string, string | number>>): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(width[i]) : s.padStart(width[i]))).join('  ');
  log(`  ${line(cols)}`);
  for (const r of rows) log(`  ${line(cols.map((c) => String(r[c])))}`);
}

export function scale(): number {
  const s = Number(process.env.LEADS_BENCH_SCALE ?? 1);
  if (!(s > 0 && s <= 1)) throw new Error('LEADS_BENCH_SCALE must be in (0, 1]');
  return s;
}
