/**
 * CSV imports seen as a whole: the tenant's list of past imports (the import page), and the
 * pruning of uploads that were never started (hourly maintenance, worker/tasks/prune_rate_limits.ts).
 * The import itself is app/models/lead-import.server.ts (rows) and worker/tasks/import_leads.ts (job).
 *
 * Uploads live at `${DATA_DIR}/uploads/<tenant id>/<import id>.csv` (app/routes/_app.leads.import.tsx):
 * written first, then recorded as an `imports` row (status 'uploaded'); the job deletes the file
 * once the import is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { exactIsoTime, type Database, type schema, type Tx } from '../../db';

type ImportStatus = (typeof schema.imports.$inferSelect)['status'];

export interface ImportListItem {
  id: string;
  filename: string;
  status: ImportStatus;
  dedupe: 'merge' | 'skip';
  rows: number;
  inserted: number;
  updated: number;
  skipped: number;
  errorCount: number;
  /** The import has an error report (errors or warnings). */
  hasReport: boolean;
  createdAt: string;
  finishedAt: string | null;
  /** Who uploaded it: the user's name (or email); null when not recorded. */
  createdBy: string | null;
}

export interface ImportPage {
  imports: ImportListItem[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const IMPORT_PAGE_SIZE = 20;

interface Cursor {
  /** created_at with microseconds, UTC (a JS Date would lose them and skip or repeat rows). */
  t: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The cursor of a page link, or null when it is not one this module wrote. */
export function decodeImportCursor(raw: string | null | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof c.id !== 'string' || !UUID.test(c.id) || typeof c.t !== 'string' || !CURSOR_TIME.test(c.t)) return null;
    return { t: c.t, id: c.id };
  } catch {
    return null;
  }
}

/**
 * The tenant's imports (RLS: call inside withTenant), newest first, a page at a time (keyset on
 * (created_at, id), served by imports_recent_idx). `before`: a cursor from the previous page.
 */
export async function listImports(tx: Tx, options: { before?: string | null; limit?: number } = {}): Promise<ImportPage> {
  const limit = Math.min(Math.max(options.limit ?? IMPORT_PAGE_SIZE, 1), 100);
  const cursor = decodeImportCursor(options.before);
  const result = await tx.execute<{
    id: string;
    filename: string;
    status: ImportStatus;
    dedupe: 'merge' | 'skip';
    rows: number;
    inserted: number;
    updated: number;
    skipped: number;
    error_count: number;
    has_report: boolean;
    created_at: string;
    finished_at: string | null;
    cursor_t: string;
    created_by: string | null;
  }>(sql`
    select i.id, i.filename, i.status, i.dedupe, i.rows, i.inserted, i.updated, i.skipped, i.error_count,
      -- exists, not count: a large import's report has up to a row per line of the file.
      exists (select 1 from import_errors e where e.tenant_id = i.tenant_id and e.import_id = i.id) as has_report,
      to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
      to_char(i.finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished_at,
      ${exactIsoTime(sql`i.created_at`)} as cursor_t,
      coalesce(nullif(u.name, ''), u.email) as created_by
    from imports i
    left join users u on u.id = i.created_by
    where ${cursor ? sql`(i.created_at, i.id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)` : sql`true`}
    order by i.created_at desc, i.id desc
    limit ${limit + 1}`);
  const rows = result.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    imports: rows.map((r) => ({
      id: r.id,
      filename: r.filename,
      status: r.status,
      dedupe: r.dedupe,
      rows: Number(r.rows),
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      skipped: Number(r.skipped),
      errorCount: Number(r.error_count),
      hasReport: Boolean(r.has_report),
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      createdBy: r.created_by,
    })),
    nextCursor: result.rows.length > limit && last ? encodeCursor({ t: last.cursor_t, id: last.id }) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Pruning abandoned uploads

/** An upload not started within this many hours is abandoned: its row and file are removed. */
export const ABANDONED_UPLOAD_HOURS = 24;

export interface PruneResult {
  /** `imports` rows deleted (uploaded, never started). */
  imports: number;
  /** Upload files deleted (of those rows, and files no started import still needs). */
  files: number;
}

/** The directory of a tenant's uploads (the upload route writes there). */
export function uploadDir(dataDir: string, tenantId: string): string {
  return path.resolve(dataDir, 'uploads', tenantId);
}

/**
 * Deletes the tenant's imports still 'uploaded' (never started) and older than `olderThanHours`
 * (RLS: call inside withTenant), returning their upload files' paths for the caller to delete
 * after the commit. A start racing with this is safe: the start action only queues an import
 * still 'uploaded', and this only deletes one still 'uploaded' (the row lock decides).
 */
export async function deleteAbandonedImports(tx: Tx, olderThanHours = ABANDONED_UPLOAD_HOURS): Promise<string[]> {
  const deleted = await tx.execute<{ storage_path: string }>(sql`
    delete from imports
    where status = 'uploaded' and created_at < now() - make_interval(hours => ${olderThanHours})
    returning storage_path`);
  return deleted.rows.map((r) => r.storage_path);
}

/**
 * Removes the abandoned imports of one tenant and, in its upload directory, every file older than
 * the cutoff that no import still needs: an upload whose row was never written (the process died
 * between writing the file and recording it), one of a finished or failed import (the job keeps a
 * failed import's file), one of a deleted import. Files of 'uploaded', 'queued' and 'running'
 * imports stay (a queued import may wait longer than the cutoff), as does any file younger than it
 * (an upload in progress has a file but no row yet).
 */
export async function pruneTenantUploads(
  db: Pick<Database, 'withTenant'>,
  tenantId: string,
  opts: { dataDir: string; olderThanHours?: number; now?: number },
): Promise<PruneResult> {
  const hours = opts.olderThanHours ?? ABANDONED_UPLOAD_HOURS;
  const dir = uploadDir(opts.dataDir, tenantId);
  const paths = await db.withTenant(tenantId, (tx) => deleteAbandonedImports(tx, hours));
  let files = 0;
  for (const p of paths) if (isInside(dir, p) && (await removeFile(p))) files++;

  const cutoff = (opts.now ?? Date.now()) - hours * 3600_000;
  const candidates = new Map<string, string>(); // import id → file
  for (const name of await readDir(dir)) {
    const m = /^([0-9a-f-]{36})\.csv$/i.exec(name);
    if (!m || !UUID.test(m[1])) continue;
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat?.isFile() && stat.mtimeMs < cutoff) candidates.set(m[1].toLowerCase(), file);
  }
  if (candidates.size) {
    const needed = await db.withTenant(tenantId, (tx) =>
      tx.execute<{ id: string }>(sql`
        select id from imports
        where id in (select jsonb_array_elements_text(${JSON.stringify([...candidates.keys()])}::jsonb)::uuid)
          and status in ('uploaded', 'queued', 'running')`),
    );
    for (const r of needed.rows) candidates.delete(r.id);
    for (const file of candidates.values()) if (await removeFile(file)) files++;
  }
  // NOTE: the directory stays, even empty: an upload may be about to write into it.
  return { imports: paths.length, files };
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function readDir(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** true when the file existed and was removed. */
async function removeFile(file: string): Promise<boolean> {
  try {
    await fs.promises.unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
