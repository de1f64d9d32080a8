/**
 * CSV import, step 2: mapping → preview → start; then live progress and the summary.
 *
 * `imports.mapping` holds `{ columns: ColumnMapping[], lastRow?: number }`: the column mapping
 * (auto-mapped at upload, edited here) and, once the job runs, the last row number committed
 * (the job's resume point; written in the same transaction as each batch).
 */
import fs from 'node:fs';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { and, eq, sql } from 'drizzle-orm';
import { useEffect } from 'react';
import { z } from 'zod';
import { schema } from '../../db';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import {
  CUSTOM_PREFIX,
  IDENTIFYING_RULE,
  isMappingTarget,
  LEAD_FIELDS,
  previewImport,
  UnusableFileError,
  validateMapping,
  type LeadInput,
  type Mapping,
} from '~/lib/import';
import { customKeyFor } from '~/lib/import/mapping';

export const meta: MetaFunction = () => [{ title: 'Import leads · Leadflow' }];

/** A guess below this confidence is highlighted for the user to check. */
const LOW_CONFIDENCE = 0.8;

const storedMappingSchema = z.object({
  columns: z.array(
    z.object({
      header: z.string(),
      index: z.number().int(),
      field: z.string().nullable(),
      confidence: z.number(),
      reason: z.string().optional(),
    }),
  ),
  lastRow: z.number().int().optional(),
});

function storedColumns(raw: unknown): Mapping {
  const parsed = storedMappingSchema.safeParse(raw);
  return parsed.success ? (parsed.data.columns as Mapping) : [];
}

function fieldLabel(field: string): string {
  const words = field.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
}

async function loadImport(request: Request, importId: string | undefined) {
  const { tenant, user } = await requireTenant(request, 'rep');
  if (!importId || !z.uuid().safeParse(importId).success) throw notFound('No such import');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  const row = await database().withTenant(ctx, async (tx) => {
    const [imp] = await tx.select().from(schema.imports).where(eq(schema.imports.id, importId));
    return imp;
  });
  if (!row) throw notFound('No such import');
  return { ctx, imp: row };
}

function display(lead: LeadInput, field: string): string {
  // A full name is split into first and last name on import.
  if (field === 'fullName') return [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  const value = field.startsWith(CUSTOM_PREFIX)
    ? lead.custom?.[field.slice(CUSTOM_PREFIX.length)]
    : (lead as Record<string, unknown>)[field];
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, imp } = await loadImport(request, params.importId);
  const columns = storedColumns(imp.mapping);
  const base = {
    id: imp.id,
    filename: imp.filename,
    status: imp.status,
    dedupe: imp.dedupe,
    totalBytes: imp.totalBytes,
    bytesRead: imp.bytesRead,
    rows: imp.rows,
    inserted: imp.inserted,
    updated: imp.updated,
    skipped: imp.skipped,
    errorCount: imp.errorCount,
    message: imp.message,
  };
  if (imp.status !== 'uploaded') {
    let warnings = 0;
    let reported = 0;
    if (imp.status === 'done' || imp.status === 'failed') {
      const counts = await database().withTenant(ctx, (tx) =>
        tx.execute<{ total: number; warnings: number }>(sql`
          select count(*)::int as total, count(*) filter (where severity = 'warning')::int as warnings
          from import_errors where import_id = ${imp.id}`),
      );
      warnings = counts.rows[0]?.warnings ?? 0;
      reported = counts.rows[0]?.total ?? 0;
    }
    return json({ ...base, warnings, reported, editor: null });
  }

  // Mapping editor + preview of the first rows with the current mapping.
  let preview;
  try {
    preview = await previewImport(fs.createReadStream(imp.storagePath), { rows: 10, mapping: columns, totalBytes: imp.totalBytes });
  } catch (error) {
    if (error instanceof UnusableFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      const message = error instanceof UnusableFileError ? error.message : 'The uploaded file is no longer available. Upload it again.';
      return json({ ...base, warnings: 0, reported: 0, editor: { unreadable: message } as const });
    }
    throw error;
  }
  const mapped = preview.mapping.filter((m) => m.field !== null);
  return json({
    ...base,
    warnings: 0,
    reported: 0,
    editor: {
      unreadable: null,
      fields: [...LEAD_FIELDS].map((f) => ({ value: f, label: fieldLabel(f) })),
      columns: preview.mapping.map((m) => ({
        header: m.header,
        index: m.index,
        field: m.field,
        customKey: m.field?.startsWith(CUSTOM_PREFIX) ? m.field.slice(CUSTOM_PREFIX.length) : customKeyFor(m.header, m.index),
        confidence: m.confidence,
        reason: m.reason ?? null,
        sample: preview.sampleRows
          .slice(0, 3)
          .map((r) => r.cells[m.index] ?? '')
          .filter((v) => v.trim() !== ''),
      })),
      validation: preview.validation,
      fileWarnings: preview.warnings.filter((w) => !preview.validation.warnings.includes(w)),
      estimatedRows: preview.estimatedRows ?? null,
      previewHeaders: mapped.map((m) => ({ field: m.field!, label: m.field!.startsWith(CUSTOM_PREFIX) ? m.header : fieldLabel(m.field!) })),
      previewRows: preview.sampleResults.map((s) =>
        s.result.ok
          ? { row: s.row, ok: true as const, cells: mapped.map((m) => display((s.result as { lead: LeadInput }).lead, m.field!)), problems: s.result.warnings.map((w) => w.message) }
          : { row: s.row, ok: false as const, cells: [] as string[], problems: s.result.errors.map((e) => e.message) },
      ),
    },
  });
}

type ActionData = { formError: string | null; fieldErrors: Record<string, string> };

/** The mapping as posted (`col.<index>` = '' | lead field | custom.<key>), checked against the file's columns. */
function mappingFromForm(form: FormData, current: Mapping): { mapping: Mapping; fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const mapping: Mapping = current.map((col) => {
    const raw = form.get(`col.${col.index}`);
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') return { ...col, field: null, confidence: col.field === null ? col.confidence : 1 };
    if (!isMappingTarget(value)) {
      fieldErrors[`col.${col.index}`] = `"${value}" is not a lead field or a custom field`;
      return { ...col, field: null };
    }
    return value === col.field ? col : { ...col, field: value, confidence: 1, reason: undefined };
  });
  const owner = new Map<string, string>();
  for (const col of mapping) {
    if (!col.field) continue;
    const first = owner.get(col.field);
    if (first !== undefined) fieldErrors[`col.${col.index}`] = `Column "${first}" is already mapped to this field: keep one`;
    else owner.set(col.field, col.header);
  }
  return { mapping, fieldErrors };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, imp } = await loadImport(request, params.importId);
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = form.get('intent');
  if (imp.status !== 'uploaded')
    return json<ActionData>({ formError: 'This import has already been started.', fieldErrors: {} }, { status: 409 });
  if (intent !== 'preview' && intent !== 'start') return json<ActionData>({ formError: 'Unknown action', fieldErrors: {} }, { status: 400 });

  const current = storedColumns(imp.mapping);
  const { mapping, fieldErrors } = mappingFromForm(form, current);
  const dedupe = form.get('dedupe') === 'skip' ? 'skip' : 'merge';
  if (Object.keys(fieldErrors).length)
    return json<ActionData>({ formError: 'Check the highlighted columns.', fieldErrors }, { status: 400 });

  if (intent === 'preview') {
    await database().withTenant(ctx, (tx) =>
      tx
        .update(schema.imports)
        .set({ mapping: { columns: mapping }, dedupe })
        .where(and(eq(schema.imports.id, imp.id), eq(schema.imports.status, 'uploaded'))),
    );
    return redirect(`/leads/import/${imp.id}`);
  }

  const validation = validateMapping(mapping, { columnCount: current.length });
  if (!validation.ok) {
    const identifying = validation.errors.includes(IDENTIFYING_RULE);
    return json<ActionData>(
      {
        formError: identifying ? IDENTIFYING_RULE : validation.errors.join('. '),
        fieldErrors: identifying ? { mapping: IDENTIFYING_RULE } : {},
      },
      { status: 400 },
    );
  }
  const started = await database().withTenant(ctx, async (tx) => {
    const updated = await tx
      .update(schema.imports)
      .set({ mapping: { columns: mapping }, dedupe, status: 'queued', message: null })
      .where(and(eq(schema.imports.id, imp.id), eq(schema.imports.status, 'uploaded')))
      .returning({ id: schema.imports.id });
    if (updated.length === 0) return false;
    await tx.execute(sql`
      select graphile_worker.add_job('import_leads',
        json_build_object('tenantId', ${ctx.tenantId}::text, 'importId', ${imp.id}::text),
        job_key => ${`import:${imp.id}`}, max_attempts => 5)`);
    return true;
  });
  if (!started) return json<ActionData>({ formError: 'This import has already been started.', fieldErrors: {} }, { status: 409 });
  return redirect(`/leads/import/${imp.id}`);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function Progress({ data }: { data: { status: string; rows: number; bytesRead: number; totalBytes: number; message: string | null } }) {
  const revalidator = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [revalidator]);
  const total = Math.max(1, data.totalBytes);
  const percent = Math.min(100, Math.round((data.bytesRead / total) * 100));
  return (
    <section className="card" aria-live="polite">
      <h2>{data.status === 'queued' ? 'Waiting to start…' : 'Importing…'}</h2>
      <progress max={total} value={data.bytesRead} aria-label="Import progress" style={{ width: '100%' }}>
        {percent}%
      </progress>
      <p>
        {percent}% · {data.rows.toLocaleString()} rows · {formatBytes(data.bytesRead)} of {formatBytes(data.totalBytes)}
      </p>
      {data.message ? <p className="help">Retrying after a problem: {data.message}</p> : null}
      <p className="help">You can leave this page: the import continues in the background.</p>
    </section>
  );
}

export default function ImportMapping() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  const editor = data.editor && 'columns' in data.editor ? data.editor : null;
  return (
    <div className="lead-import">
      <p className="crumbs">
        <Link to="/leads">← All leads</Link> · <Link to="/leads/import">New import</Link>
      </p>
      <h1>Import “{data.filename}”</h1>

      {data.status === 'queued' || data.status === 'running' ? <Progress data={data} /> : null}

      {data.status === 'done' ? (
        <section className="card" role="status">
          <h2>Import finished</h2>
          <table>
            <tbody>
              <tr><th scope="row">Rows read</th><td>{data.rows}</td></tr>
              <tr><th scope="row">New leads</th><td>{data.inserted}</td></tr>
              <tr><th scope="row">Merged into existing leads</th><td>{data.updated}</td></tr>
              <tr><th scope="row">Skipped (already exist)</th><td>{data.skipped}</td></tr>
              <tr><th scope="row">Rows with errors (not imported)</th><td>{data.errorCount}</td></tr>
              <tr><th scope="row">Warnings (imported without a value)</th><td>{data.warnings}</td></tr>
            </tbody>
          </table>
          <p>
            {data.reported > 0 ? (
              <a className="button secondary" href={`/leads/import/${data.id}/errors.csv`} download>
                Download the error report (CSV)
              </a>
            ) : (
              'No row had a problem.'
            )}{' '}
            <Link to="/leads">See the leads</Link>
          </p>
        </section>
      ) : null}

      {data.status === 'failed' ? (
        <section className="card">
          <h2>The import failed</h2>
          <FormError message={data.message ?? 'The import failed.'} />
          <p>
            {data.rows} rows were processed before it stopped ({data.inserted} new, {data.updated} merged).{' '}
            {data.reported > 0 ? <a href={`/leads/import/${data.id}/errors.csv`}>Download the error report (CSV)</a> : null}
          </p>
          <Link to="/leads/import" className="button">Upload a file</Link>
        </section>
      ) : null}

      {data.status === 'uploaded' && data.editor?.unreadable ? (
        <section className="card">
          <FormError message={data.editor.unreadable} />
          <Link to="/leads/import" className="button">Upload a file</Link>
        </section>
      ) : null}

      {data.status === 'uploaded' && editor ? (
        <Form method="post" noValidate key={JSON.stringify(editor.columns.map((c) => c.field))}>
          <CsrfInput />
          <FormError message={result?.formError} />
          {editor.validation.errors.length && !result?.formError ? (
            <FormError message={editor.validation.errors.join('. ')} />
          ) : null}
          {[...editor.validation.warnings, ...editor.fileWarnings].map((w) => (
            <p key={w} className="help">⚠ {w}</p>
          ))}
          <section className="card">
            <h2>Match the columns</h2>
            <p className="help">
              Each column of the file goes into a lead field, a custom field, or is ignored. Guesses worth a second look are
              highlighted.{editor.estimatedRows ? ` About ${editor.estimatedRows.toLocaleString()} rows.` : ''}
            </p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Column in the file</th>
                    <th scope="col">Example values</th>
                    <th scope="col">Import into</th>
                  </tr>
                </thead>
                <tbody>
                  {editor.columns.map((c) => {
                    const low = c.field !== null && c.confidence < LOW_CONFIDENCE;
                    const name = `col.${c.index}`;
                    return (
                      <tr key={c.index} data-low-confidence={low || undefined} style={low ? { background: '#fffaeb' } : undefined}>
                        <td>
                          <label htmlFor={`map-${c.index}`}>{c.header || `Column ${c.index + 1}`}</label>
                        </td>
                        <td className="help">{c.sample.join(' · ')}</td>
                        <td>
                          <select id={`map-${c.index}`} name={name} defaultValue={c.field ?? ''} aria-invalid={errors[name] ? true : undefined}>
                            <option value="">— Ignore this column —</option>
                            <optgroup label="Lead fields">
                              {editor.fields.map((f) => (
                                <option key={f.value} value={f.value}>
                                  {f.label}
                                </option>
                              ))}
                            </optgroup>
                            <option value={`${CUSTOM_PREFIX}${c.customKey}`}>Custom field “{c.customKey}”</option>
                          </select>
                          {low ? <div className="help">Check this guess{c.reason ? `: ${c.reason}` : ''}</div> : c.reason && c.field === null ? <div className="help">{c.reason}</div> : null}
                          {errors[name] ? <div className="field-error" role="alert">{errors[name]}</div> : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {errors.mapping ? <div className="field-error" role="alert">{errors.mapping}</div> : null}
          </section>

          <section className="card" style={{ marginTop: '1rem' }}>
            <h2>Preview (first {editor.previewRows.length} rows as they will import)</h2>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    {editor.previewHeaders.map((h) => (
                      <th key={h.field} scope="col">{h.label}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {editor.previewRows.map((r) => (
                    <tr key={r.row}>
                      <td>{r.row}</td>
                      {r.ok ? (
                        r.cells.map((cell, i) => <td key={i}>{cell}</td>)
                      ) : (
                        <td colSpan={editor.previewHeaders.length} className="field-error">
                          Not imported: {r.problems.join('; ')}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <button type="submit" name="intent" value="preview" className="secondary" disabled={busy}>
              Update preview
            </button>
          </section>

          <section className="card" style={{ marginTop: '1rem' }}>
            <fieldset className="field" style={{ border: 0, padding: 0 }}>
              <legend>When a lead with the same email exists</legend>
              <label>
                <input type="radio" name="dedupe" value="merge" defaultChecked={data.dedupe !== 'skip'} /> Merge: fill in its empty
                fields (nothing is overwritten)
              </label>
              <br />
              <label>
                <input type="radio" name="dedupe" value="skip" defaultChecked={data.dedupe === 'skip'} /> Skip the row
              </label>
            </fieldset>
            <div className="form-actions">
              <button type="submit" name="intent" value="start" disabled={busy}>
                {busy ? 'Starting…' : 'Start import'}
              </button>
            </div>
          </section>
        </Form>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
