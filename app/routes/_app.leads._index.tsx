import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirectDocument } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from '@remix-run/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { memberLabel } from '~/components/lead-form';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { forbidden } from '~/lib/http.server';
import { listCustomFields } from '~/models/custom-field.server';
import { applyBulkOperation, BulkTargetMissingError, MAX_BULK, type BulkOperation } from '~/models/lead-bulk.server';
import { useDates } from '~/lib/use-dates';
import { leadName } from '~/models/lead-display';
import { filterToParams, type LeadSort } from '~/models/lead-filter';
import { normaliseListParams, parseListFilter, toListRow } from '~/models/lead-list.server';
import { BadCursorError, listLeads } from '~/models/lead.server';
import { getPipelineStages } from '~/models/pipeline.server';
import { deleteSavedView, listSavedViews, normaliseViewQuery, saveView, savedViewNameSchema } from '~/models/saved-view.server';
import { listMembers, roleAtLeast } from '~/models/tenant.server';

export const meta: MetaFunction = () => [{ title: 'Leads · Leadflow' }];

const NOTICES: Record<string, string> = { deleted: 'The lead was deleted.' };

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const url = new URL(request.url);
  const params = normaliseListParams(url.searchParams);
  const { filter, problems } = parseListFilter(params);
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const stages = await getPipelineStages(tx, tenant.tenantId);
    const members = await listMembers(tx, tenant.tenantId);
    const fields = await listCustomFields(tx);
    const views = await listSavedViews(tx, user.id);
    let page;
    try {
      page = await listLeads(tx, filter);
    } catch (err) {
      // Thrown before any query runs, so the transaction is still usable.
      if (!(err instanceof BadCursorError)) throw err;
      problems.push({ param: 'cursor', message: err.message });
      page = await listLeads(tx, { ...filter, cursor: undefined });
    }
    return { stages, members, fields, views, page };
  });
  const query = filterToParams(filter);
  const exportQuery = query.toString();
  if (filter.limit !== 50) query.set('limit', String(filter.limit));
  const raw = (k: string) => params.get(k) ?? '';
  const dateOnly = (k: string) => (/^\d{4}-\d{2}-\d{2}/.test(raw(k)) ? raw(k).slice(0, 10) : raw(k));
  return json({
    leads: data.page.leads.map(toListRow),
    nextCursor: data.page.nextCursor,
    onLaterPage: Boolean(filter.cursor),
    query: query.toString(),
    exportQuery,
    sort: filter.sort,
    problems,
    notice: NOTICES[url.searchParams.get('notice') ?? ''] ?? null,
    // The form shows what was asked for (even an invalid value, so it can be corrected).
    values: {
      q: raw('q'),
      stage: raw('stage').split(',').filter(Boolean),
      owner: raw('owner'),
      channel: raw('channel'),
      source: raw('source'),
      tags: params.getAll('tag').join(', '),
      scoreMin: raw('scoreMin'),
      scoreMax: raw('scoreMax'),
      createdAfter: dateOnly('createdAfter'),
      createdBefore: dateOnly('createdBefore'),
      limit: raw('limit'),
      custom: Object.fromEntries([...params].filter(([k]) => k.startsWith('cf.')).map(([k, v]) => [k.slice(3), v])),
    },
    stages: data.stages,
    members: data.members.map((m) => ({ userId: m.userId, email: m.email, name: m.name })),
    fields: data.fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })),
    views: data.views.map((v) => ({
      id: v.id,
      name: v.name,
      query: v.query,
      shared: v.userId === null,
      deletable: v.userId === user.id || (v.userId === null && roleAtLeast(tenant.role, 'manager')),
    })),
    userId: user.id,
    canEdit: roleAtLeast(tenant.role, 'rep'),
    canDelete: roleAtLeast(tenant.role, 'manager'),
    canShare: roleAtLeast(tenant.role, 'manager'),
  });
}

type ActionResult = {
  ok: boolean;
  form: 'bulk' | 'view';
  message?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
};
const reply = (body: ActionResult, status = 200) => json(body, { status });

const BULK_INTENTS = ['assign', 'addTag', 'removeTag', 'stage', 'delete'] as const;
type BulkIntent = (typeof BULK_INTENTS)[number];

function selectedIds(form: FormData): string[] {
  return form
    .getAll('ids')
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
    .map((s) => s.trim())
    .filter(Boolean);
}

const plural = (n: number) => `${n} lead${n === 1 ? '' : 's'}`;

export async function action({ request }: ActionFunctionArgs) {
  // Viewers may export and keep their own views; every change to leads needs a rep (delete: a
  // manager), checked below per intent before anything is written.
  const { tenant, user } = await requireTenant(request, 'viewer');
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? '');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };

  if (intent === 'export') {
    const view = normaliseViewQuery(String(form.get('query') ?? ''));
    const qs = new URLSearchParams(view.ok ? view.query : '');
    const ids = selectedIds(form).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (ids.length) qs.set('ids', ids.join(','));
    // A document redirect: the CSV is a resource route, downloaded by the browser itself.
    return redirectDocument(`/leads/export.csv${qs.size ? `?${qs}` : ''}`);
  }

  if (intent === 'saveView') {
    const shared = form.get('shared') === 'on';
    if (shared && !roleAtLeast(tenant.role, 'manager')) throw forbidden('Only managers can share views with the workspace.');
    const name = savedViewNameSchema.safeParse(form.get('name') ?? '');
    if (!name.success) return reply({ ok: false, form: 'view', fieldErrors: { name: name.error.issues[0].message } }, 400);
    const query = normaliseViewQuery(String(form.get('query') ?? ''));
    if (!query.ok) return reply({ ok: false, form: 'view', error: 'Fix the filter before saving it as a view.' }, 400);
    await database().withTenant(ctx, (tx) =>
      saveView(tx, tenant.tenantId, { userId: shared ? null : user.id, name: name.data, query: query.query }),
    );
    return reply({ ok: true, form: 'view', message: `Saved the view “${name.data}”.` });
  }

  if (intent === 'deleteView') {
    const id = String(form.get('viewId') ?? '');
    const deleted = await database().withTenant(ctx, (tx) =>
      deleteSavedView(tx, id, { userId: user.id, mayManageShared: roleAtLeast(tenant.role, 'manager') }),
    );
    if (!deleted)
      return reply({ ok: false, form: 'view', error: 'That view does not exist any more, or you may not delete it.' }, 404);
    return reply({ ok: true, form: 'view', message: 'View deleted.' });
  }

  if (!(BULK_INTENTS as readonly string[]).includes(intent))
    return reply({ ok: false, form: 'bulk', error: 'Choose an action.' }, 400);
  const bulkIntent = intent as BulkIntent;
  if (!roleAtLeast(tenant.role, bulkIntent === 'delete' ? 'manager' : 'rep')) throw forbidden();
  const ids = selectedIds(form);
  if (ids.length === 0) return reply({ ok: false, form: 'bulk', error: 'Select at least one lead first.' }, 400);
  if (ids.length > MAX_BULK) return reply({ ok: false, form: 'bulk', error: `Select at most ${MAX_BULK} leads at once.` }, 400);
  if (bulkIntent === 'delete' && form.get('confirm') !== 'yes') {
    return reply({ ok: false, form: 'bulk', fieldErrors: { confirm: 'Tick the box to confirm the deletion.' } }, 400);
  }

  try {
    const outcome = await database().withTenant(ctx, async (tx): Promise<ActionResult> => {
      let op: BulkOperation;
      let done: (n: number) => string;
      switch (bulkIntent) {
        case 'assign': {
          const ownerId = String(form.get('ownerId') ?? '');
          if (ownerId && ownerId !== 'none') {
            const members = await listMembers(tx, tenant.tenantId);
            const member = members.find((m) => m.userId === ownerId);
            if (!member) return { ok: false, form: 'bulk', fieldErrors: { ownerId: 'Choose a member of this workspace.' } };
            op = { kind: 'assign', ownerId };
            done = (n) => `Assigned ${plural(n)} to ${memberLabel(member)}.`;
          } else {
            op = { kind: 'assign', ownerId: null };
            done = (n) => `Unassigned ${plural(n)}.`;
          }
          break;
        }
        case 'stage': {
          const stage = String(form.get('stage') ?? '').trim();
          if (!(await getPipelineStages(tx, tenant.tenantId)).includes(stage)) {
            return { ok: false, form: 'bulk', fieldErrors: { stage: 'Choose a stage of the pipeline.' } };
          }
          op = { kind: 'stage', stage };
          done = (n) => `Moved ${plural(n)} to “${stage}”.`;
          break;
        }
        case 'addTag':
        case 'removeTag': {
          const tag = String(form.get('tag') ?? '').trim();
          if (!tag || tag.length > 60)
            return { ok: false, form: 'bulk', fieldErrors: { tag: 'Enter a tag of 1 to 60 characters.' } };
          op = { kind: bulkIntent, tag };
          done = (n) => (bulkIntent === 'addTag' ? `Tagged ${plural(n)} “${tag}”.` : `Removed “${tag}” from ${plural(n)}.`);
          break;
        }
        case 'delete':
          op = { kind: 'delete' };
          done = (n) => `Deleted ${plural(n)}.`;
          break;
      }
      const n = await applyBulkOperation(tx, tenant.tenantId, ids, op, { type: 'user', id: user.id });
      return { ok: true, form: 'bulk', message: done(n) };
    });
    return reply(outcome, outcome.ok ? 200 : 400);
  } catch (err) {
    if (err instanceof BulkTargetMissingError) return reply({ ok: false, form: 'bulk', error: err.message }, 409);
    throw err;
  }
}

function SortHeader({
  label,
  column,
  sort,
  query,
}: {
  label: string;
  column: 'created' | 'score';
  sort: LeadSort;
  query: string;
}) {
  const active = sort.endsWith(column);
  const descending = sort.startsWith('-');
  const next: LeadSort = active && descending ? column : (`-${column}` as LeadSort);
  const params = new URLSearchParams(query);
  params.delete('sort');
  if (next !== '-created') params.set('sort', next);
  const qs = params.toString();
  return (
    <th aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'} className="sortable">
      <Link to={`/leads${qs ? `?${qs}` : ''}`} preventScrollReset>
        {label} <span aria-hidden="true">{active ? (descending ? '↓' : '↑') : '↕'}</span>
        <span className="visually-hidden">
          {active ? (descending ? ', sorted newest/highest first' : ', sorted oldest/lowest first') : ', sort'}
        </span>
      </Link>
    </th>
  );
}

function withParam(query: string, key: string, value: string): string {
  const p = new URLSearchParams(query);
  p.set(key, value);
  return p.toString();
}

export default function LeadsPage() {
  const dates = useDates();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const busy = navigation.state === 'submitting';
  const tableRef = useRef<HTMLTableElement>(null);
  const [selected, setSelected] = useState(0);
  const { values } = data;
  const memberNames = Object.fromEntries(data.members.map((m) => [m.userId, m.name || m.email]));
  const activeFilters =
    values.stage.length +
    [
      values.owner,
      values.channel,
      values.source,
      values.tags,
      values.scoreMin,
      values.scoreMax,
      values.createdAfter,
      values.createdBefore,
    ].filter(Boolean).length +
    Object.keys(values.custom).length;
  const invalid = (param: string) => (data.problems.some((p) => p.param === param) ? true : undefined);
  const bulk = result?.form === 'bulk' ? result : undefined;
  const viewResult = result?.form === 'view' ? result : undefined;
  const viewQuery = new URLSearchParams(data.query);
  viewQuery.delete('limit');

  const countSelected = () => setSelected(tableRef.current?.querySelectorAll('input[name="ids"]:checked').length ?? 0);
  useEffect(() => {
    // After a successful bulk change (or a new page of results) start with an empty selection.
    if (bulk?.ok || navigation.state === 'idle') {
      if (bulk?.ok)
        tableRef.current?.querySelectorAll<HTMLInputElement>('input[type="checkbox"]').forEach((cb) => (cb.checked = false));
      countSelected();
    }
  }, [bulk, navigation.state, data.leads]);

  // Submit only the filled-in fields, so links stay short and shareable (plain GET without JavaScript).
  function submitFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const clean = new URLSearchParams();
    for (const [k, v] of new FormData(event.currentTarget))
      if (typeof v === 'string' && v.trim() !== '') clean.append(k, v.trim());
    submit(clean, { method: 'get', action: '/leads' });
  }

  return (
    <>
      <div className="page-head">
        <h1>Leads</h1>
        <div className="page-actions">
          <a className="button secondary" href={`/leads/export.csv${data.exportQuery ? `?${data.exportQuery}` : ''}`}>
            Export CSV
          </a>
          {data.canEdit ? (
            <Link className="button secondary" to="/leads/import">
              Import CSV
            </Link>
          ) : null}
          {data.canEdit ? (
            <Link className="button" to="/leads/new">
              New lead
            </Link>
          ) : null}
        </div>
      </div>
      {data.notice ? <p className="notice">{data.notice}</p> : null}

      <Form method="get" action="/leads" className="filters" role="search" aria-label="Filter leads" onSubmit={submitFilters}>
        <div className="searchbar">
          <label htmlFor="lead-search" className="visually-hidden">
            Search leads
          </label>
          <input
            id="lead-search"
            type="search"
            name="q"
            defaultValue={values.q}
            placeholder="Search name, email, company or domain"
            maxLength={200}
          />
          <button type="submit">Search</button>
        </div>
        <details className="filter-panel" open={activeFilters > 0}>
          <summary>Filters{activeFilters ? ` (${activeFilters})` : ''}</summary>
          <div className="filter-grid">
            <fieldset className="chips">
              <legend>Stage</legend>
              {data.stages.map((s) => (
                <label key={s} className="chip">
                  <input type="checkbox" name="stage" value={s} defaultChecked={values.stage.includes(s)} /> {s}
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor="f-owner">Owner</label>
              <select id="f-owner" aria-invalid={invalid('owner')} name="owner" defaultValue={values.owner}>
                <option value="">Anyone</option>
                <option value="none">Unassigned</option>
                {data.members.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {memberLabel(m)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="f-channel">Channel</label>
              <input id="f-channel" aria-invalid={invalid('channel')} name="channel" defaultValue={values.channel} />
            </div>
            <div className="field">
              <label htmlFor="f-source">Source</label>
              <input id="f-source" aria-invalid={invalid('source')} name="source" defaultValue={values.source} />
            </div>
            <div className="field">
              <label htmlFor="f-tag">Tags</label>
              <input
                id="f-tag"
                aria-invalid={invalid('tag')}
                name="tag"
                defaultValue={values.tags}
                aria-describedby="f-tag-help"
              />
              <div className="help" id="f-tag-help">
                All of these, comma-separated
              </div>
            </div>
            <div className="field range">
              <span className="label">Score</span>
              <div className="pair">
                <label className="visually-hidden" htmlFor="f-scoreMin">
                  Score from
                </label>
                <input
                  id="f-scoreMin"
                  aria-invalid={invalid('scoreMin')}
                  name="scoreMin"
                  inputMode="numeric"
                  placeholder="0"
                  defaultValue={values.scoreMin}
                />
                <span aria-hidden="true">–</span>
                <label className="visually-hidden" htmlFor="f-scoreMax">
                  Score to
                </label>
                <input
                  id="f-scoreMax"
                  aria-invalid={invalid('scoreMax')}
                  name="scoreMax"
                  inputMode="numeric"
                  placeholder="100"
                  defaultValue={values.scoreMax}
                />
              </div>
            </div>
            <div className="field">
              <label htmlFor="f-createdAfter">Created from</label>
              <input
                id="f-createdAfter"
                aria-invalid={invalid('createdAfter')}
                name="createdAfter"
                type="date"
                defaultValue={values.createdAfter}
              />
            </div>
            <div className="field">
              <label htmlFor="f-createdBefore">Created before</label>
              <input
                id="f-createdBefore"
                aria-invalid={invalid('createdBefore')}
                name="createdBefore"
                type="date"
                defaultValue={values.createdBefore}
              />
            </div>
            {data.fields.map((f) => (
              <div className="field" key={f.key}>
                <label htmlFor={`f-cf-${f.key}`}>{f.label}</label>
                {f.type === 'select' || f.type === 'boolean' ? (
                  <select
                    id={`f-cf-${f.key}`}
                    aria-invalid={invalid(`cf.${f.key}`)}
                    name={`cf.${f.key}`}
                    defaultValue={values.custom[f.key] ?? ''}
                  >
                    <option value="">Any</option>
                    {(f.type === 'boolean' ? ['true', 'false'] : f.options).map((o) => (
                      <option key={o} value={o}>
                        {f.type === 'boolean' ? (o === 'true' ? 'Yes' : 'No') : o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`f-cf-${f.key}`}
                    aria-invalid={invalid(`cf.${f.key}`)}
                    name={`cf.${f.key}`}
                    type={f.type === 'date' ? 'date' : 'text'}
                    defaultValue={values.custom[f.key] ?? ''}
                  />
                )}
              </div>
            ))}
          </div>
          <div className="filter-actions">
            <button type="submit">Apply filters</button>
            <Link to="/leads" className="button secondary">
              Clear all
            </Link>
          </div>
        </details>
        {data.sort !== '-created' ? <input type="hidden" name="sort" value={data.sort} /> : null}
        {values.limit ? <input type="hidden" name="limit" value={values.limit} /> : null}
      </Form>

      <nav className="views" aria-label="Saved views">
        <span className="views-label">Views:</span>
        <Link to="/leads" className={data.query === '' ? 'view-chip active' : 'view-chip'}>
          All leads
        </Link>
        {data.views.map((v) => (
          <span key={v.id} className={v.query === viewQuery.toString() ? 'view-chip active' : 'view-chip'}>
            <Link to={`/leads${v.query ? `?${v.query}` : ''}`}>{v.name}</Link>
            {v.shared ? <small className="shared">shared</small> : null}
            {v.deletable ? (
              <Form method="post" className="inline">
                <CsrfInput />
                <input type="hidden" name="intent" value="deleteView" />
                <input type="hidden" name="viewId" value={v.id} />
                <button type="submit" className="icon" aria-label={`Delete view ${v.name}`} title="Delete view">
                  ×
                </button>
              </Form>
            ) : null}
          </span>
        ))}
        <details className="save-view" open={viewResult !== undefined && !viewResult.ok}>
          <summary>Save this view</summary>
          <Form method="post" className="save-view-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="saveView" />
            <input type="hidden" name="query" value={viewQuery.toString()} />
            <label htmlFor="view-name" className="visually-hidden">
              View name
            </label>
            <input
              id="view-name"
              name="name"
              placeholder="View name"
              maxLength={80}
              aria-invalid={viewResult?.fieldErrors?.name ? true : undefined}
              aria-describedby={viewResult?.fieldErrors?.name ? 'view-name-error' : undefined}
            />
            {data.canShare ? (
              <label className="inline-check">
                <input type="checkbox" name="shared" /> Share with the workspace
              </label>
            ) : null}
            <button type="submit" disabled={busy}>
              Save view
            </button>
            {viewResult?.fieldErrors?.name ? (
              <div className="field-error" id="view-name-error" role="alert">
                {viewResult.fieldErrors.name}
              </div>
            ) : null}
          </Form>
        </details>
      </nav>
      {viewResult?.ok ? <p className="notice">{viewResult.message}</p> : null}
      {viewResult && !viewResult.ok && viewResult.error ? <FormError message={viewResult.error} /> : null}

      {data.problems.length ? (
        <div className="form-error" role="alert">
          <strong>Some filters were ignored:</strong>
          <ul>
            {data.problems.map((p) => (
              <li key={p.param}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {data.canEdit ? (
        <Form method="post" id="bulk" className="bulk-bar" aria-label="Bulk actions">
          <CsrfInput />
          <input type="hidden" name="query" value={data.exportQuery} />
          <span className="bulk-count" aria-live="polite">
            {selected ? `${selected} selected` : 'Select leads for bulk actions'}
          </span>
          <div className="bulk-group">
            <label htmlFor="bulk-owner" className="visually-hidden">
              Assign to
            </label>
            <select
              id="bulk-owner"
              name="ownerId"
              defaultValue={
                data.members.some((m) => m.userId === data.userId) ? data.userId : (data.members[0]?.userId ?? 'none')
              }
            >
              {data.members.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name || m.email}
                </option>
              ))}
              <option value="none">Nobody (unassign)</option>
            </select>
            <button type="submit" name="intent" value="assign" className="secondary" disabled={busy}>
              Assign
            </button>
          </div>
          <div className="bulk-group">
            <label htmlFor="bulk-stage" className="visually-hidden">
              Stage
            </label>
            <select id="bulk-stage" name="stage" defaultValue={data.stages[0]}>
              {data.stages.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <button type="submit" name="intent" value="stage" className="secondary" disabled={busy}>
              Change stage
            </button>
          </div>
          <div className="bulk-group">
            <label htmlFor="bulk-tag" className="visually-hidden">
              Tag
            </label>
            <input id="bulk-tag" name="tag" placeholder="tag" maxLength={60} size={10} />
            <button type="submit" name="intent" value="addTag" className="secondary" disabled={busy}>
              Add tag
            </button>
            <button type="submit" name="intent" value="removeTag" className="secondary" disabled={busy}>
              Remove tag
            </button>
          </div>
          <button type="submit" name="intent" value="export" className="secondary">
            Export selected
          </button>
          {data.canDelete ? (
            <details className="bulk-delete" open={Boolean(bulk?.fieldErrors?.confirm)}>
              <summary>Delete…</summary>
              <label className="inline-check">
                <input type="checkbox" name="confirm" value="yes" /> Delete the selected leads permanently
              </label>
              <button type="submit" name="intent" value="delete" className="danger" disabled={busy}>
                Delete selected
              </button>
            </details>
          ) : null}
        </Form>
      ) : null}
      {bulk?.ok ? <p className="notice">{bulk.message}</p> : null}
      {bulk && !bulk.ok ? (
        <FormError message={[bulk.error, ...Object.values(bulk.fieldErrors ?? {})].filter(Boolean).join(' ')} />
      ) : null}

      {data.leads.length === 0 ? (
        <p className="empty">
          {data.query || data.onLaterPage
            ? 'No leads match these filters.'
            : 'No leads yet. Leads captured from your forms, the API or an import appear here.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="leads-table" ref={tableRef} onChange={countSelected}>
            <thead>
              <tr>
                {data.canEdit ? (
                  <th className="select">
                    <input
                      type="checkbox"
                      aria-label="Select all on this page"
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        tableRef.current
                          ?.querySelectorAll<HTMLInputElement>('input[name="ids"]')
                          .forEach((cb) => (cb.checked = on));
                      }}
                    />
                  </th>
                ) : null}
                <th>Name</th>
                <th>Email</th>
                <th>Company</th>
                <th>Stage</th>
                <th>Owner</th>
                <SortHeader label="Score" column="score" sort={data.sort} query={data.query} />
                <th>Tags</th>
                <SortHeader label="Created" column="created" sort={data.sort} query={data.query} />
              </tr>
            </thead>
            <tbody>
              {data.leads.map((l) => (
                <tr key={l.id}>
                  {data.canEdit ? (
                    <td className="select">
                      <input type="checkbox" name="ids" value={l.id} form="bulk" aria-label={`Select ${leadName(l)}`} />
                    </td>
                  ) : null}
                  <td className="name">
                    <Link to={`/leads/${l.id}`} prefetch="intent">
                      {leadName(l)}
                    </Link>
                  </td>
                  <td className="email">{l.email ?? '—'}</td>
                  <td>{l.companyName ?? '—'}</td>
                  <td>
                    <span className="pill">{l.stage}</span>
                  </td>
                  <td>{l.ownerId ? (memberNames[l.ownerId] ?? 'Former member') : <span className="muted">Unassigned</span>}</td>
                  <td className="num">{l.scored ? l.score : <span className="muted">—</span>}</td>
                  <td>
                    {l.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td className="nowrap">{dates.date(l.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.nextCursor || data.onLaterPage ? (
        <nav className="pager" aria-label="Pages">
          {data.onLaterPage ? (
            <Link to={`/leads${data.query ? `?${data.query}` : ''}`} className="button secondary">
              First page
            </Link>
          ) : null}
          {data.nextCursor ? (
            <Link to={`/leads?${withParam(data.query, 'cursor', data.nextCursor)}`} className="button secondary">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
