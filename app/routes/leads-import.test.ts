/**
 * CSV import: upload → mapping → start → the real Graphile Worker runs `import_leads` → summary and
 * error report. Driven through the routes' loaders/actions like a browser (session cookie, CSRF),
 * against real PostgreSQL as the application role (RLS on).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { JobHelpers } from 'graphile-worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schema } from '../../db';
import type { Role } from '../../db/schema';
import { appDatabase, CookieJar, formRequest, getRequest, newBrowser, settle, uniqueSlug } from '../../test/helpers';
import { startWorker, type WorkerHandle } from '../../worker';
import importLeadsTask from '../../worker/tasks/import_leads';
import hourlyMaintenance from '../../worker/tasks/prune_rate_limits';
import { listImports } from '../models/imports.server';
import { addMembership } from '../models/tenant.server';
import { createUser } from '../models/user.server';
import { action as loginAction } from './login';
import { action as signupAction } from './signup';
import { loader as shellLoader } from './_app';
import { action as uploadAction, loader as uploadLoader } from './_app.leads.import';
import { action as mappingAction, loader as mappingLoader } from './_app.leads.import.$importId';
import { loader as errorsLoader } from './_app.leads.import.$importId.errors[.csv]';

const dataDir = vi.hoisted(() => {
  const dir = `${process.env.TMPDIR ?? '/tmp'}/leadflow-import-test-${process.pid}-${Date.now()}`;
  process.env.DATA_DIR = dir;
  return dir;
});

const FIXTURES = path.resolve(import.meta.dirname, '../lib/import/fixtures');
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

interface Browser {
  jar: CookieJar;
  csrf: string;
  userId: string;
  tenantId: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function signUp(): Promise<{ owner: Browser; as(role: Role): Promise<Browser> }> {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('imp');
  const res = await settle(() =>
    signupAction(
      args(formRequest('/signup', jar, { csrf, name: 'Ivy Importer', email: `${slug}@example.com`, password: 'correct horse battery', tenantName: 'Import Co', slug })),
    ),
  );
  expect(res.status).toBe(302);
  jar.absorb(res);
  const shell = await json<{ user: { id: string }; tenant: { id: string } }>(await settle(() => shellLoader(args(getRequest('/leads', jar)))));
  const tenantId = shell.tenant.id;
  return {
    owner: { jar, csrf, userId: shell.user.id, tenantId },
    async as(role: Role) {
      const email = `${role}-${uniqueSlug('u')}@example.com`;
      const user = await appDatabase().withTenant(tenantId, async (tx) => {
        const u = await createUser(tx, { email, name: `A ${role}`, password: 'member password 1' });
        await addMembership(tx, tenantId, u.id, role);
        return u;
      });
      const b = await newBrowser();
      const login = await settle(() =>
        loginAction(args(formRequest('/login', b.jar, { csrf: b.csrf, email, password: 'member password 1', redirectTo: '/leads' }))),
      );
      expect(login.status).toBe(302);
      b.jar.absorb(login);
      return { jar: b.jar, csrf: b.csrf, userId: user.id, tenantId };
    },
  };
}

function uploadRequest(b: Browser, fixture: string): Request {
  const form = new FormData();
  form.append('csrf', b.csrf);
  form.append('intent', 'upload');
  form.append('file', new Blob([fs.readFileSync(path.join(FIXTURES, fixture))], { type: 'text/csv' }), fixture);
  return new Request('http://localhost/leads/import', { method: 'POST', headers: { Cookie: b.jar.header() }, body: form });
}

async function upload(b: Browser, fixture: string): Promise<string> {
  const res = await settle(() => uploadAction(args(uploadRequest(b, fixture))));
  expect(res.status).toBe(302);
  const match = /^\/leads\/import\/([0-9a-f-]{36})$/.exec(res.headers.get('Location') ?? '');
  expect(match).not.toBeNull();
  return match![1];
}

const page = (b: Browser, id: string) => settle(() => mappingLoader(args(getRequest(`/leads/import/${id}`, b.jar), { importId: id })));

/** Posts the mapping as the page shows it (every select at its pre-filled value). */
async function start(b: Browser, id: string, overrides: Record<string, string> = {}, dedupe = 'merge'): Promise<Response> {
  const data = await json(await page(b, id));
  const fields: Record<string, string> = { csrf: b.csrf, intent: 'start', dedupe };
  for (const c of data.editor.columns as Array<{ index: number; field: string | null }>) fields[`col.${c.index}`] = c.field ?? '';
  Object.assign(fields, overrides);
  return settle(() => mappingAction(args(formRequest(`/leads/import/${id}`, b.jar, fields), { importId: id })));
}

async function waitForImport(b: Browser, id: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const data = await json(await page(b, id));
    if (data.status === 'done' || data.status === 'failed') return data;
    if (Date.now() > deadline) throw new Error(`import still ${data.status}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function errorReport(b: Browser, id: string): Promise<Response> {
  return settle(() => errorsLoader(args(getRequest(`/leads/import/${id}/errors.csv`, b.jar), { importId: id })));
}

async function importRows(tenantId: string) {
  return appDatabase().withTenant(tenantId, (tx) => tx.select().from(schema.imports));
}

function uploadsOf(tenantId: string): string[] {
  const dir = path.join(dataDir, 'uploads', tenantId);
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

describe('CSV import', () => {
  let worker: WorkerHandle | undefined;
  beforeAll(async () => {
    worker = await startWorker(pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await worker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('uploads a HubSpot export, auto-maps its headers, imports it in the background and summarises it', async () => {
    const { owner } = await signUp();
    expect((await settle(() => uploadLoader(args(getRequest('/leads/import', owner.jar))))).status).toBe(200);
    const id = await upload(owner, 'hubspot.csv');
    expect(uploadsOf(owner.tenantId)).toEqual([`${id}.csv`]);

    const data = await json(await page(owner, id));
    expect(data).toMatchObject({ status: 'uploaded', filename: 'hubspot.csv' });
    const byHeader = Object.fromEntries(
      (data.editor.columns as Array<{ header: string; field: string | null }>).map((c) => [c.header, c.field]),
    );
    expect(byHeader).toMatchObject({ Email: 'email', 'First Name': 'firstName', 'Last Name': 'lastName', 'Company Name': 'companyName' });
    expect(data.editor.validation.ok).toBe(true);
    expect(data.editor.previewRows).toHaveLength(2);
    const emailColumn = data.editor.previewHeaders.findIndex((h: { field: string }) => h.field === 'email');
    expect(data.editor.previewRows.map((r: { cells: string[] }) => r.cells[emailColumn])).toEqual(['ada@example.com', 'grace@example.com']);

    const started = await start(owner, id);
    expect(started.status).toBe(302);
    const again = await settle(() =>
      mappingAction(args(formRequest(`/leads/import/${id}`, owner.jar, { csrf: owner.csrf, intent: 'start', 'col.3': 'email' }), { importId: id })),
    );
    expect(again.status).toBe(409); // a second start does not queue a second job

    const done = await waitForImport(owner, id);
    expect(done).toMatchObject({ status: 'done', rows: 2, inserted: 2, updated: 0, skipped: 0, errorCount: 0, message: null });
    expect(done.bytesRead).toBe(done.totalBytes);
    const leads = await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.select({ email: schema.leads.email, companyName: schema.leads.companyName }).from(schema.leads).orderBy(schema.leads.email),
    );
    expect(leads).toEqual([
      { email: 'ada@example.com', companyName: 'Analytical' },
      { email: 'grace@example.com', companyName: 'US Navy' },
    ]);
    expect(uploadsOf(owner.tenantId)).toEqual([]); // the upload is removed once imported
  });

  it('imports the good rows of a file with invalid emails and offers a per-row error report', async () => {
    const { owner } = await signUp();
    const id = await upload(owner, 'invalid-emails.csv');
    expect((await start(owner, id)).status).toBe(302);
    const done = await waitForImport(owner, id);
    expect(done).toMatchObject({ status: 'done', rows: 6, inserted: 2, errorCount: 4 });
    expect(done.reported).toBeGreaterThanOrEqual(4);

    const res = await errorReport(owner, id);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM for Excel
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('row,column,message,severity\r\n')).toBe(true);
    const lines = text.trim().split('\r\n').slice(1);
    const errorRows = [...new Set(lines.filter((l) => l.endsWith(',error')).map((l) => Number(l.split(',')[0])))];
    expect(errorRows).toEqual([2, 4, 5, 7]);
    expect(lines.find((l) => l.startsWith('2,'))).toMatch(/^2,Email,.*bob@.*,error$/);
    expect(lines.every((l) => /,(error|warning)$/.test(l))).toBe(true);
  });

  it('stores warnings with severity "warning" (no message prefix) and counts them on the summary', async () => {
    const { owner } = await signUp();
    const first = await upload(owner, 'hubspot.csv');
    expect((await start(owner, first)).status).toBe(302);
    await waitForImport(owner, first);
    // The same file again with "skip": both rows exist, each is skipped with a warning (and row 2's
    // owner is not a member of the workspace: a warning too).
    const second = await upload(owner, 'hubspot.csv');
    expect((await start(owner, second, {}, 'skip')).status).toBe(302);
    const done = await waitForImport(owner, second);
    expect(done).toMatchObject({ status: 'done', rows: 2, inserted: 0, skipped: 2, errorCount: 0, warnings: 3, reported: 3 });
    const stored = await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx
        .select({ row: schema.importErrors.row, message: schema.importErrors.message, severity: schema.importErrors.severity })
        .from(schema.importErrors)
        .where(eq(schema.importErrors.importId, second))
        .orderBy(schema.importErrors.row, schema.importErrors.message),
    );
    const owned = 'Owner owner@leadflow.example is not a member of this workspace; left unassigned';
    expect(stored).toEqual([
      { row: 2, message: owned, severity: 'warning' },
      { row: 2, message: 'Skipped: a lead with ada@example.com exists', severity: 'warning' },
      { row: 3, message: 'Skipped: a lead with grace@example.com exists', severity: 'warning' },
    ]);
    const report = (await (await errorReport(owner, second)).text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(report[0]).toBe('row,column,message,severity');
    expect(report.slice(1, -1).sort()).toEqual([
      `2,owner,${owned},warning`,
      '2,email,Skipped: a lead with ada@example.com exists,warning',
      '3,email,Skipped: a lead with grace@example.com exists,warning',
    ].sort());
  });

  it('keeps severity "error" for rejected rows, and the column refuses any other severity', async () => {
    const { owner } = await signUp();
    const id = await upload(owner, 'invalid-emails.csv');
    expect((await start(owner, id)).status).toBe(302);
    const done = await waitForImport(owner, id);
    const stored = await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.select().from(schema.importErrors).where(eq(schema.importErrors.importId, id)),
    );
    const errorRows = new Set(stored.filter((e) => e.severity === 'error').map((e) => e.row));
    expect(errorRows.size).toBe(done.errorCount);
    expect(stored.every((e) => !e.message.startsWith('['))).toBe(true);
    expect(done.warnings).toBe(stored.filter((e) => e.severity === 'warning').length);
    const bad = appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.execute(sql`insert into import_errors (tenant_id, import_id, row, message, severity) values (${owner.tenantId}, ${id}, 1, 'x', 'fatal')`),
    );
    await expect(bad).rejects.toThrow();
  });

  it("lists the workspace's recent imports newest first, a page at a time, and never another workspace's", async () => {
    const a = await signUp();
    const b = await signUp();
    const rep = await a.as('rep');
    const done = await upload(a.owner, 'invalid-emails.csv');
    expect((await start(a.owner, done)).status).toBe(302);
    await waitForImport(a.owner, done);
    const pending = await upload(rep, 'hubspot.csv');
    const other = await upload(b.owner, 'hubspot.csv');

    const list = async (browser: Browser, query = '') =>
      json(await settle(() => uploadLoader(args(getRequest(`/leads/import${query}`, browser.jar)))));
    const seen = await list(rep);
    expect(seen.imports.map((i: { id: string }) => i.id)).toEqual([pending, done]);
    expect(seen.imports[0]).toMatchObject({ filename: 'hubspot.csv', status: 'uploaded', createdBy: 'A rep', rows: 0, hasReport: false });
    expect(seen.imports[1]).toMatchObject({
      filename: 'invalid-emails.csv',
      status: 'done',
      createdBy: 'Ivy Importer',
      rows: 6,
      inserted: 2,
      updated: 0,
      skipped: 0,
      errorCount: 4,
      hasReport: true,
    });
    expect(Date.parse(seen.imports[1].createdAt)).not.toBeNaN();
    expect(Date.parse(seen.imports[1].finishedAt)).not.toBeNaN();
    expect(seen).toMatchObject({ nextCursor: null, onLaterPage: false, cursorProblem: null });
    expect((await list(b.owner)).imports.map((i: { id: string }) => i.id)).toEqual([other]);

    // Pages: 25 more imports (created in the same instant: the id breaks the tie), 20 a page.
    await appDatabase().withTenant(a.owner.tenantId, (tx) =>
      tx.insert(schema.imports).values(
        Array.from({ length: 25 }, (_, i) => ({
          tenantId: a.owner.tenantId,
          filename: `bulk-${i}.csv`,
          storagePath: '/nonexistent',
          status: 'done' as const,
          createdAt: new Date(Date.now() + 60_000),
        })),
      ),
    );
    const pages: string[][] = [];
    let query = '';
    for (;;) {
      const page = await list(a.owner, query);
      pages.push(page.imports.map((i: { id: string }) => i.id));
      if (!page.nextCursor) break;
      expect(page.imports).toHaveLength(20);
      query = `?before=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(pages.map((p) => p.length)).toEqual([20, 7]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(27);
    expect(all.slice(-2)).toEqual([pending, done]);
    const direct = await appDatabase().withTenant(a.owner.tenantId, (tx) => listImports(tx, { limit: 100 }));
    expect(direct.imports.map((i) => i.id)).toEqual(all);

    // A forged cursor falls back to the first page, with a notice.
    const forged = await list(a.owner, '?before=bm90LWEtY3Vyc29y');
    expect(forged.cursorProblem).toMatch(/invalid/);
    expect(forged.imports.map((i: { id: string }) => i.id)).toEqual(pages[0]);
    // A cursor used in another workspace pages that workspace's imports only.
    const foreign = await list(b.owner, query);
    expect(foreign.imports.map((i: { id: string }) => i.id)).toEqual([other]);
    // Viewers may not see imports.
    const viewer = await a.as('viewer');
    expect(await settle(() => uploadLoader(args(getRequest('/leads/import', viewer.jar))))).toMatchObject({ status: 403 });
  });

  it('the hourly maintenance prunes uploads never started after 24 h, keeps recent and started ones', async () => {
    const { owner } = await signUp();
    const tenant = owner.tenantId;
    const dir = path.join(dataDir, 'uploads', tenant);
    const old = await upload(owner, 'hubspot.csv');
    const recent = await upload(owner, 'hubspot.csv');
    const queued = await upload(owner, 'hubspot.csv');
    const failed = await upload(owner, 'hubspot.csv');
    const day = 25 * 3600_000;
    const ago = new Date(Date.now() - day);
    await appDatabase().withTenant(tenant, async (tx) => {
      await tx.update(schema.imports).set({ createdAt: ago }).where(sql`${schema.imports.id} in (${old}, ${queued}, ${failed})`);
      await tx.update(schema.imports).set({ status: 'queued' }).where(eq(schema.imports.id, queued));
      await tx.update(schema.imports).set({ status: 'failed', message: 'The import stopped' }).where(eq(schema.imports.id, failed));
    });
    // Stray files: an old upload whose row was never written, and one being uploaded right now.
    const strayOld = `${crypto.randomUUID()}.csv`;
    const strayNew = `${crypto.randomUUID()}.csv`;
    fs.writeFileSync(path.join(dir, strayOld), 'Email\nx@example.com\n');
    fs.writeFileSync(path.join(dir, strayNew), 'Email\nx@example.com\n');
    for (const name of [`${old}.csv`, `${queued}.csv`, `${failed}.csv`, strayOld]) fs.utimesSync(path.join(dir, name), ago, ago);

    const helpers = { logger: { debug() {}, info() {}, warn() {}, error() {} }, job: { id: '1', attempts: 1, max_attempts: 1 } } as unknown as JobHelpers;
    await hourlyMaintenance({}, helpers);

    const rows = await importRows(tenant);
    expect(rows.map((r) => r.id).sort()).toEqual([recent, queued, failed].sort());
    expect(uploadsOf(tenant).sort()).toEqual([`${recent}.csv`, `${queued}.csv`, strayNew].sort());
    expect((await page(owner, old)).status).toBe(404);
    expect((await page(owner, recent)).status).toBe(200);

    await hourlyMaintenance({}, helpers); // idempotent
    expect((await importRows(tenant)).length).toBe(3);
    expect(uploadsOf(tenant).length).toBe(3);
  });

  it('refuses an unusable file with its message and keeps nothing', async () => {
    const { owner } = await signUp();
    for (const [fixture, message] of [
      ['header-only.csv', 'The file has a header row but no data rows'],
      ['empty.csv', 'The file is empty'],
    ] as const) {
      const res = await settle(() => uploadAction(args(uploadRequest(owner, fixture))));
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ formError: message });
    }
    const image = await settle(() => uploadAction(args(uploadRequest(owner, 'image.png'))));
    expect(image.status).toBe(400);
    expect((await json(image)).formError).toMatch(/CSV/i);
    expect(await importRows(owner.tenantId)).toEqual([]);
    expect(uploadsOf(owner.tenantId)).toEqual([]);
  });

  it('rejects an upload without the CSRF token before writing the file', async () => {
    const { owner } = await signUp();
    const res = await settle(() => uploadAction(args(uploadRequest({ ...owner, csrf: 'x'.repeat(43) }, 'hubspot.csv'))));
    expect(res.status).toBe(403);
    expect(uploadsOf(owner.tenantId)).toEqual([]);
    expect(await importRows(owner.tenantId)).toEqual([]);
  });

  it('refuses a mapping without an identifying column (field errors, nothing queued), and saves an edited mapping', async () => {
    const { owner } = await signUp();
    const id = await upload(owner, 'invalid-emails.csv');
    // Email, First Name, Last Name, Company, Phone → keep only First Name.
    const res = await start(owner, id, { 'col.0': '', 'col.2': '', 'col.3': '', 'col.4': '' });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.fieldErrors.mapping).toMatch(/Email or Phone/);
    const duplicate = await start(owner, id, { 'col.1': 'email' });
    expect(duplicate.status).toBe(400);
    expect((await json(duplicate)).fieldErrors['col.1']).toMatch(/already mapped/);
    const [imp] = await importRows(owner.tenantId);
    expect(imp.status).toBe('uploaded');
    const jobs = await appDatabase().db.execute(sql`select 1 from graphile_worker.jobs where key = ${`import:${id}`}`);
    expect(jobs.rows).toHaveLength(0);

    // "Update preview" saves the edit: Company becomes a custom field.
    const saved = await settle(() =>
      mappingAction(
        args(
          formRequest(`/leads/import/${id}`, owner.jar, {
            csrf: owner.csrf, intent: 'preview', dedupe: 'skip',
            'col.0': 'email', 'col.1': 'firstName', 'col.2': 'lastName', 'col.3': 'custom.company', 'col.4': 'phone',
          }),
          { importId: id },
        ),
      ),
    );
    expect(saved.status).toBe(302);
    const data = await json(await page(owner, id));
    expect(data.dedupe).toBe('skip');
    expect(data.editor.columns[3]).toMatchObject({ header: 'Company', field: 'custom.company', confidence: 1 });
  });

  it('resumes after the last committed row when the job is retried', async () => {
    const { owner } = await signUp();
    const id = await upload(owner, 'invalid-emails.csv');
    // As if an earlier attempt had committed rows 2–3 (no job queued: the task is called directly).
    await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx
        .update(schema.imports)
        .set({ status: 'running', rows: 2, inserted: 1, errorCount: 1, mapping: sql`${schema.imports.mapping} || '{"lastRow": 3}'::jsonb` })
        .where(eq(schema.imports.id, id)),
    );
    const helpers = {
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      job: { id: '1', attempts: 1, max_attempts: 5 },
    } as unknown as JobHelpers;
    await importLeadsTask({ tenantId: owner.tenantId, importId: id }, helpers);
    const [imp] = await importRows(owner.tenantId);
    expect(imp).toMatchObject({ status: 'done', rows: 6, inserted: 2, errorCount: 4 });
    expect(imp.mapping).toMatchObject({ lastRow: 7 });
    const emails = await appDatabase().withTenant(owner.tenantId, (tx) => tx.select({ email: schema.leads.email }).from(schema.leads));
    expect(emails.map((e) => e.email).sort()).toEqual([null]); // row 3 (ada) was "committed" before: only Alan Turing (no email) is new
    const report = await (await errorReport(owner, id)).text();
    expect(report).not.toMatch(/\r\n2,/); // rows ≤ 3 are not reported twice
    expect(report).toMatch(/\r\n4,/);
  });

  it('is for reps and up: a viewer gets 403', async () => {
    const ws = await signUp();
    const id = await upload(ws.owner, 'hubspot.csv');
    const viewer = await ws.as('viewer');
    expect((await settle(() => uploadLoader(args(getRequest('/leads/import', viewer.jar))))).status).toBe(403);
    expect((await settle(() => uploadAction(args(uploadRequest(viewer, 'hubspot.csv')))))).toMatchObject({ status: 403 });
    expect((await page(viewer, id)).status).toBe(403);
    expect((await errorReport(viewer, id)).status).toBe(403);
    const rep = await ws.as('rep');
    expect((await page(rep, id)).status).toBe(200);
    expect(uploadsOf(ws.owner.tenantId)).toEqual([`${id}.csv`]);
  });

  it("hides another workspace's import: 404 for the page, the start action and the error report", async () => {
    const a = await signUp();
    const b = await signUp();
    const id = await upload(a.owner, 'invalid-emails.csv');
    expect((await page(b.owner, id)).status).toBe(404);
    expect((await errorReport(b.owner, id)).status).toBe(404);
    const res = await settle(() =>
      mappingAction(args(formRequest(`/leads/import/${id}`, b.owner.jar, { csrf: b.owner.csrf, intent: 'start', 'col.0': 'email' }), { importId: id })),
    );
    expect(res.status).toBe(404);
    expect((await page(b.owner, 'not-a-uuid')).status).toBe(404);
    expect((await json(await page(a.owner, id))).status).toBe('uploaded');
  });
});
