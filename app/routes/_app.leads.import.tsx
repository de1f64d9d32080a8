/**
 * CSV import, step 1: upload. The file is streamed to `${DATA_DIR}/uploads/<tenant>/<import>.csv`
 * (never buffered in memory, 500 MB at most), checked with `previewImport`, and only then
 * recorded as an import (status `uploaded`) with its auto-mapping. An unusable file (empty,
 * header only, not a CSV…) is deleted and its message shown: nothing is kept. An upload not
 * started within 24 h is pruned by the hourly maintenance (app/models/imports.server.ts).
 * Below the form: the workspace's recent imports, newest first (`?before=<cursor>` pages back).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction, UploadHandler } from '@remix-run/node';
import type { ShouldRevalidateFunction } from '@remix-run/react';
import {
  json,
  MaxPartSizeExceededError,
  redirect,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useOutlet } from '@remix-run/react';
import { schema } from '../../db';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf, CSRF_FIELD } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { env } from '~/lib/env.server';
import { previewImport, UnusableFileError } from '~/lib/import';
import { useDates } from '~/lib/use-dates';
import { ABANDONED_UPLOAD_HOURS, decodeImportCursor, listImports } from '~/models/imports.server';

export const meta: MetaFunction = () => [{ title: 'Import leads · Leadflow' }];

export const MAX_UPLOAD_BYTES = 500 * 1024 * 1024;

class UploadTooLargeError extends Error {}

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const url = new URL(request.url);
  const before = url.searchParams.get('before');
  const cursorProblem = before !== null && !decodeImportCursor(before) ? 'The page link is invalid; showing the latest imports' : null;
  // The list shows under the upload form only, not when a child route (/leads/import/<id>) renders.
  const page =
    url.pathname.replace(/\/$/, '') === '/leads/import'
      ? await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => listImports(tx, { before: cursorProblem ? null : before }))
      : { imports: [], nextCursor: null };
  return json({
    maxMb: MAX_UPLOAD_BYTES / 1024 / 1024,
    imports: page.imports,
    nextCursor: page.nextCursor,
    onLaterPage: Boolean(before) && !cursorProblem,
    cursorProblem,
    pruneHours: ABANDONED_UPLOAD_HOURS,
  });
}

type ActionResult = { formError: string };

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const importId = crypto.randomUUID();
  const dir = path.resolve(env().DATA_DIR, 'uploads', tenant.tenantId);
  const filePath = path.join(dir, `${importId}.csv`);
  const removeFile = () => fs.promises.rm(filePath, { force: true });

  let upload: { filename: string; size: number } | null = null;
  let csrfSeen: string | null = null;
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024, filter: ({ filename }) => filename === undefined });
  const fields: UploadHandler = async (part) => {
    const value = await memory(part);
    if (part.name === CSRF_FIELD && typeof value === 'string') csrfSeen = value;
    return value;
  };
  const fileHandler: UploadHandler = async ({ name, filename, data }) => {
    if (name !== 'file' || filename === undefined) return undefined;
    if (!filename) {
      for await (const chunk of data) void chunk; // "no file chosen": an empty part
      return '';
    }
    if (upload) throw new Error('Upload one file at a time');
    // The CSRF token precedes the file in the form: check it before writing a byte.
    const early = new FormData();
    if (csrfSeen) early.set(CSRF_FIELD, csrfSeen);
    await assertCsrf(request, early);
    await fs.promises.mkdir(dir, { recursive: true });
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.byteLength;
        if (size > MAX_UPLOAD_BYTES) done(new UploadTooLargeError());
        else done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.from(data), limit, fs.createWriteStream(filePath, { flags: 'wx', mode: 0o600 }));
    } catch (error) {
      await removeFile();
      throw error;
    }
    upload = { filename: path.basename(filename.replace(/\\/g, '/')).slice(0, 255) || 'upload.csv', size };
    return upload.filename;
  };

  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, unstable_composeUploadHandlers(fileHandler, fields));
    await assertCsrf(request, form);
  } catch (error) {
    await removeFile();
    if (error instanceof UploadTooLargeError)
      return json<ActionResult>({ formError: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }, { status: 413 });
    if (error instanceof Response) throw error;
    if (error instanceof MaxPartSizeExceededError || (error instanceof Error && /multipart|boundary|one file/i.test(error.message)))
      return json<ActionResult>({ formError: 'The upload could not be read. Choose a CSV file and try again.' }, { status: 400 });
    throw error;
  }
  if (form.get('intent') !== 'upload') {
    await removeFile();
    return json<ActionResult>({ formError: 'Unknown action' }, { status: 400 });
  }
  const uploaded = upload as { filename: string; size: number } | null;
  if (!uploaded) return json<ActionResult>({ formError: 'Choose a CSV file to upload' }, { status: 400 });

  let preview;
  try {
    preview = await previewImport(fs.createReadStream(filePath), { rows: 10, totalBytes: uploaded.size });
  } catch (error) {
    await removeFile();
    if (error instanceof UnusableFileError) return json<ActionResult>({ formError: error.message }, { status: 400 });
    throw error;
  }
  try {
    await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
      tx.insert(schema.imports).values({
        tenantId: tenant.tenantId,
        id: importId,
        filename: uploaded.filename,
        storagePath: filePath,
        status: 'uploaded',
        // { columns: the mapping, lastRow?: last committed row (written by the import job) }
        mapping: { columns: preview.mapping },
        totalBytes: uploaded.size,
        createdBy: user.id,
      }),
    );
  } catch (error) {
    await removeFile();
    throw error;
  }
  return redirect(`/leads/import/${importId}`);
}

// Flat routes nest /leads/import/<id> (mapping, progress, summary) in this route: it renders
// the child when one matches, the upload form and the recent imports otherwise. Under a child its
// loader only checks access, so the child's progress polling need not re-run it; coming back to
// the upload page (e.g. from a summary) re-runs it for a fresh list.
export const shouldRevalidate: ShouldRevalidateFunction = ({ nextUrl }) => nextUrl.pathname.replace(/\/$/, '') === '/leads/import';

export default function ImportRoute() {
  const outlet = useOutlet();
  return outlet ?? <ImportUpload />;
}

function ImportUpload() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <div className="lead-import">
      <p className="crumbs">
        <Link to="/leads">← All leads</Link>
      </p>
      <h1>Import leads from CSV</h1>
      <p className="help">
        Exports from HubSpot, Salesforce, Pipedrive, spreadsheets and most CRMs work as they are. You will check how the columns
        are matched to lead fields before anything is imported. Up to 500 MB.
      </p>
      <FormError message={result?.formError} />
      <Form method="post" encType="multipart/form-data" className="card">
        <CsrfInput />
        <input type="hidden" name="intent" value="upload" />
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input id="import-file" name="file" type="file" accept=".csv,.tsv,.txt,text/csv" required />
        </div>
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Uploading…' : 'Upload and continue'}
          </button>
          <Link to="/leads" className="button secondary">
            Cancel
          </Link>
        </div>
      </Form>
      <RecentImports />
    </div>
  );
}

const STATUS_LABELS: Record<string, string> = {
  uploaded: 'Not started',
  queued: 'Waiting',
  running: 'Importing',
  done: 'Done',
  failed: 'Failed',
};

/** The workspace's imports, newest first, a page of 20 at a time. */
function RecentImports() {
  const { imports, nextCursor, onLaterPage, cursorProblem, pruneHours } = useLoaderData<typeof loader>();
  const dates = useDates();
  if (imports.length === 0 && !onLaterPage && !cursorProblem) return null;
  return (
    <section className="recent-imports" aria-labelledby="recent-imports" style={{ marginTop: '2rem' }}>
      <h2 id="recent-imports">Recent imports</h2>
      {cursorProblem ? <p className="help" role="status">{cursorProblem}</p> : null}
      <p className="help">Uploads not started within {pruneHours} hours are removed.</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Uploaded</th>
              <th scope="col">By</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Rows</th>
              <th scope="col" className="num">New</th>
              <th scope="col" className="num">Merged</th>
              <th scope="col" className="num">Skipped</th>
              <th scope="col" className="num">Errors</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {imports.length === 0 ? (
              <tr>
                <td colSpan={10}>No older imports.</td>
              </tr>
            ) : null}
            {imports.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={`/leads/import/${i.id}`}>{i.filename}</Link>
                </td>
                <td className="nowrap">
                  <time dateTime={i.createdAt}>{dates.dateTime(i.createdAt)}</time>
                </td>
                <td>{i.createdBy ?? '—'}</td>
                <td>
                  <span className="pill" title={i.finishedAt ? `Finished ${dates.dateTime(i.finishedAt)}` : undefined}>
                    {STATUS_LABELS[i.status] ?? i.status}
                  </span>
                </td>
                <td className="num">{i.rows.toLocaleString('en')}</td>
                <td className="num">{i.inserted.toLocaleString('en')}</td>
                <td className="num">{i.updated.toLocaleString('en')}</td>
                <td className="num">{i.skipped.toLocaleString('en')}</td>
                <td className="num">{i.errorCount.toLocaleString('en')}</td>
                <td>
                  {i.hasReport ? (
                    <a href={`/leads/import/${i.id}/errors.csv`} download>
                      {i.errorCount > 0 ? 'Error report' : 'Warnings'}
                    </a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        {onLaterPage ? <Link to="/leads/import">Latest imports</Link> : null}
        {onLaterPage && nextCursor ? ' · ' : null}
        {nextCursor ? <Link to={`/leads/import?before=${encodeURIComponent(nextCursor)}`}>Older imports</Link> : null}
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
