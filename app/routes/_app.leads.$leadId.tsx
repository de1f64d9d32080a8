import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { z } from 'zod';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { CheckboxField, LeadFormFields, leadToFormValues, memberLabel, SelectField, TextAreaField } from '~/components/lead-form';
import { EnrichmentPanel, Facts, flattenFacts, ScorePanel, Timeline } from '~/components/lead-panels';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { forbidden, notFound } from '~/lib/http.server';
import { listCustomFields } from '~/models/custom-field.server';
import { useDates } from '~/lib/use-dates';
import { displayValue, fieldLabel, leadName } from '~/models/lead-display';
import { applyCustomValues, formValues, parseLeadForm } from '~/models/lead-form.server';
import { findLeadIdByEmail, previewMerge } from '~/models/lead-merge.server';
import {
  appendEvent,
  getLead,
  LeadEmailTakenError,
  listEvents,
  listLeads,
  mergeLeads,
  updateLead,
  deleteLead,
  type Lead,
} from '~/models/lead.server';
import { getPipelineStages } from '~/models/pipeline.server';
import { listMembers, roleAtLeast } from '~/models/tenant.server';
import type { Tx } from '../../db';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${leadName(data.lead)} · Leads · Leadflow` : 'Lead · Leadflow' },
];

const EVENT_LIMIT = 100;
const MISSING = 'This lead does not exist in this workspace. It may have been deleted or merged into another lead.';

async function requireLead(tx: Tx, id: string): Promise<Lead> {
  const lead = await getLead(tx, id);
  // Another tenant's lead is invisible under RLS: the same 404 as a lead that never existed.
  if (!lead) throw notFound(MISSING);
  return lead;
}

/** What both sides of the merge confirmation show. */
function mergeSide(l: Lead) {
  return {
    id: l.id,
    name: leadName(l),
    firstName: l.firstName,
    lastName: l.lastName,
    email: l.email,
    phone: l.phone,
    title: l.title,
    companyName: l.companyName,
    website: l.website,
    country: l.country,
    city: l.city,
    channel: l.channel,
    source: l.source,
    stage: l.stage,
    ownerId: l.ownerId,
    tags: l.tags,
    score: l.score,
    createdAt: l.createdAt,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const url = new URL(request.url);
  const mergeSearch = (url.searchParams.get('mergeSearch') ?? '').trim().slice(0, 200);
  const mergeId = url.searchParams.get('mergeId') ?? '';
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const lead = await requireLead(tx, params.leadId ?? '');
    const events = await listEvents(tx, lead.id, EVENT_LIMIT + 1);
    const members = await listMembers(tx, tenant.tenantId);
    const stages = await getPipelineStages(tx, tenant.tenantId);
    const fields = await listCustomFields(tx);
    const candidates = mergeSearch
      ? (await listLeads(tx, { q: mergeSearch, limit: 11, sort: '-created' })).leads.filter((l) => l.id !== lead.id).slice(0, 10)
      : [];
    let merge: {
      other: ReturnType<typeof mergeSide>;
      fills: string[];
      conflicts: Array<{ field: string; kept: unknown; incoming: unknown }>;
    } | null = null;
    let mergeMissing = false;
    if (mergeId && mergeId !== lead.id) {
      const other = await getLead(tx, mergeId);
      if (other) merge = { other: mergeSide(other), ...previewMerge(lead, other) };
      else mergeMissing = true;
    }
    return { lead, events, members, stages, fields, candidates, merge, mergeMissing };
  });
  const { lead, events } = data;
  const notice = url.searchParams.get('notice');
  const lastMerge = notice === 'merged' ? events.find((e) => e.type === 'merged') : undefined;
  return json({
    lead,
    events: events.slice(0, EVENT_LIMIT).map((e) => ({ ...e, occurredAt: new Date(e.occurredAt).toISOString() })),
    eventsTruncated: events.length > EVENT_LIMIT,
    // The pipeline, plus the lead's own stage when it is not (or no longer) part of it.
    stages: data.stages.includes(lead.stage) ? data.stages : [...data.stages, lead.stage],
    members: data.members.map((m) => ({ userId: m.userId, email: m.email, name: m.name })),
    fields: data.fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })),
    mergeSearch,
    candidates: data.candidates.map((c) => ({
      id: c.id,
      name: leadName(c),
      email: c.email,
      companyName: c.companyName,
      createdAt: c.createdAt,
    })),
    merge: data.merge ? { ...data.merge, self: mergeSide(lead) } : null,
    mergeMissing: data.mergeMissing,
    notice:
      notice === 'merged'
        ? {
            kind: 'merged' as const,
            payload: (lastMerge?.payload ?? {}) as {
              changes?: string[];
              conflicts?: Array<{ field: string; kept: unknown; incoming: unknown }>;
            },
          }
        : notice === 'created'
          ? { kind: 'created' as const }
          : notice === 'combined'
            ? { kind: 'combined' as const }
            : null,
    canEdit: roleAtLeast(tenant.role, 'rep'),
    canDelete: roleAtLeast(tenant.role, 'manager'),
  });
}

interface ActionResult {
  ok: boolean;
  intent: string;
  message?: string;
  formError?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  /** Set when an edit's email belongs to another lead: offer to merge it. */
  emailTakenBy?: string | null;
}
const reply = (body: ActionResult, status = 200) => json(body, { status });

const noteSchema = z.string().trim().min(1, 'Write a note first').max(5000, 'Notes have at most 5000 characters');

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'rep');
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? '');
  if (intent === 'delete' && !roleAtLeast(tenant.role, 'manager')) throw forbidden('Only managers can delete leads.');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  const actor = { type: 'user' as const, id: user.id };
  const leadId = params.leadId ?? '';

  switch (intent) {
    case 'update': {
      try {
        const result = await database().withTenant(ctx, async (tx): Promise<ActionResult> => {
          const lead = await requireLead(tx, leadId);
          const members = await listMembers(tx, tenant.tenantId);
          const stages = await getPipelineStages(tx, tenant.tenantId);
          const definitions = await listCustomFields(tx);
          const parsed = parseLeadForm(form, {
            mode: 'update',
            stages: [...stages, lead.stage],
            ownerIds: [...members.map((m) => m.userId), ...(lead.ownerId ? [lead.ownerId] : [])],
            definitions,
          });
          if (!parsed.ok)
            return { ok: false, intent, fieldErrors: parsed.fieldErrors, formError: parsed.formError, values: formValues(form) };
          const fields = { ...parsed.fields };
          if (Object.keys(parsed.custom).length) fields.custom = applyCustomValues(lead.custom, parsed.custom);
          await updateLead(tx, tenant.tenantId, lead.id, fields, actor);
          return { ok: true, intent, message: 'Changes saved.' };
        });
        return reply(result, result.ok ? 200 : 400);
      } catch (err) {
        if (!(err instanceof LeadEmailTakenError)) throw err;
        // The failed statement ended that transaction; look the other lead up in a new one.
        const otherId = await database().withTenant(ctx, (tx) => findLeadIdByEmail(tx, err.email));
        return reply(
          {
            ok: false,
            intent,
            formError: 'Check the highlighted fields.',
            fieldErrors: { email: 'Another lead already has this email.' },
            values: formValues(form),
            emailTakenBy: otherId,
          },
          409,
        );
      }
    }

    case 'stage': {
      const stage = String(form.get('stage') ?? '').trim();
      const result = await database().withTenant(ctx, async (tx): Promise<ActionResult> => {
        const lead = await requireLead(tx, leadId);
        const stages = await getPipelineStages(tx, tenant.tenantId);
        if (!stages.includes(stage) && stage !== lead.stage)
          return { ok: false, intent, fieldErrors: { stage: 'Choose a stage of the pipeline.' } };
        await updateLead(tx, tenant.tenantId, lead.id, { stage }, actor);
        return { ok: true, intent, message: `Stage set to “${stage}”.` };
      });
      return reply(result, result.ok ? 200 : 400);
    }

    case 'assign': {
      const ownerId = String(form.get('ownerId') ?? '').trim();
      const result = await database().withTenant(ctx, async (tx): Promise<ActionResult> => {
        const lead = await requireLead(tx, leadId);
        if (!ownerId) {
          await updateLead(tx, tenant.tenantId, lead.id, { ownerId: null }, actor);
          return { ok: true, intent, message: 'Lead unassigned.' };
        }
        const member = (await listMembers(tx, tenant.tenantId)).find((m) => m.userId === ownerId);
        if (!member) return { ok: false, intent, fieldErrors: { ownerId: 'Choose a member of this workspace.' } };
        await updateLead(tx, tenant.tenantId, lead.id, { ownerId }, actor);
        return { ok: true, intent, message: `Assigned to ${memberLabel(member)}.` };
      });
      return reply(result, result.ok ? 200 : 400);
    }

    case 'note': {
      const text = noteSchema.safeParse(form.get('text') ?? '');
      if (!text.success)
        return reply({ ok: false, intent, fieldErrors: { text: text.error.issues[0].message }, values: formValues(form) }, 400);
      await database().withTenant(ctx, async (tx) => {
        const lead = await requireLead(tx, leadId);
        await appendEvent(tx, tenant.tenantId, lead.id, 'note', actor, { text: text.data });
      });
      return reply({ ok: true, intent, message: 'Note added.' });
    }

    case 'merge': {
      const secondaryId = String(form.get('secondaryId') ?? '');
      const result = await database().withTenant(ctx, async (tx): Promise<ActionResult> => {
        const lead = await requireLead(tx, leadId);
        if (secondaryId === lead.id) return { ok: false, intent, formError: 'Pick a different lead to merge into this one.' };
        const merged = await mergeLeads(tx, tenant.tenantId, lead.id, secondaryId, actor);
        if (!merged)
          return {
            ok: false,
            intent,
            formError: 'The other lead does not exist in this workspace any more (deleted or merged already?).',
          };
        return { ok: true, intent };
      });
      if (!result.ok) return reply(result, secondaryId === leadId ? 400 : 404);
      return redirect(`/leads/${leadId}?notice=combined`);
    }

    case 'delete': {
      if (form.get('confirm') !== 'yes')
        return reply({ ok: false, intent, fieldErrors: { confirm: 'Tick the box to confirm.' } }, 400);
      await database().withTenant(ctx, async (tx) => {
        const lead = await requireLead(tx, leadId);
        await deleteLead(tx, tenant.tenantId, lead.id, actor);
      });
      return redirect('/leads?notice=deleted');
    }

    default:
      return reply({ ok: false, intent, formError: 'Unknown action.' }, 400);
  }
}

/** Links only to web addresses (never javascript: or other schemes). */
function webLink(value: string | null): ReactNode {
  if (!value) return '—';
  const href = /^https?:\/\//i.test(value) ? value : /^[a-z0-9.-]+\.[a-z]{2,}(\/\S*)?$/i.test(value) ? `https://${value}` : null;
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {value}
    </a>
  ) : (
    value
  );
}

function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card detail-section" aria-labelledby={id ?? `${title.toLowerCase().replace(/\W+/g, '-')}-h`}>
      <h2 id={id ?? `${title.toLowerCase().replace(/\W+/g, '-')}-h`}>{title}</h2>
      {children}
    </section>
  );
}

export default function LeadPage() {
  const dates = useDates();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const busyIntent = busy ? navigation.formData?.get('intent') : null;
  const { lead } = data;
  const memberNames = Object.fromEntries(data.members.map((m) => [m.userId, m.name || m.email]));
  const customLabels = Object.fromEntries(data.fields.map((f) => [f.key, f.label]));
  const r = (intent: string) => (result?.intent === intent ? result : undefined);
  const update = r('update');
  const note = r('note');
  const custom = (lead.custom ?? {}) as Record<string, unknown>;
  const undefinedCustom = Object.keys(custom).filter((k) => !(k in customLabels));
  const owner = (id: unknown) => (typeof id === 'string' && id ? (memberNames[id] ?? 'Former member') : 'Unassigned');
  const sideValue = (field: string, v: unknown) =>
    field === 'ownerId' ? owner(v) : field === 'createdAt' ? dates.dateTime(String(v)) : displayValue(v);
  const mergeFields = [
    'firstName',
    'lastName',
    'email',
    'phone',
    'title',
    'companyName',
    'website',
    'country',
    'city',
    'channel',
    'source',
    'stage',
    'ownerId',
    'tags',
    'score',
    'createdAt',
  ] as const;

  return (
    <div className="lead-page">
      <p className="crumbs">
        <Link to="/leads">← All leads</Link>
      </p>
      <header className="lead-head">
        <div>
          <h1>{leadName(lead)}</h1>
          <p className="lead-sub">
            {[lead.title, lead.companyName].filter(Boolean).join(' at ') || 'No company recorded'}
            {lead.email ? <> · {lead.email}</> : null}
          </p>
        </div>
        <div className="lead-badges">
          <span className="pill">{lead.stage}</span>
          {lead.scoredAt ? (
            <span className="score-badge" title="Score">
              {lead.score}
            </span>
          ) : null}
          <span className="muted">Owner: {owner(lead.ownerId)}</span>
        </div>
      </header>

      {data.notice?.kind === 'created' ? <p className="notice">Lead created.</p> : null}
      {data.notice?.kind === 'combined' ? (
        <p className="notice">The other lead was merged into this one. Its history is in the timeline below.</p>
      ) : null}
      {data.notice?.kind === 'merged' ? (
        <div className="notice" role="status">
          <strong>Merged into existing lead.</strong> A lead with this email already existed, so your entry was merged into it
          {data.notice.payload.changes?.length
            ? `, filling in ${data.notice.payload.changes.map((c) => fieldLabel(c, customLabels)).join(', ')}`
            : ''}
          .
          {data.notice.payload.conflicts?.length ? (
            <>
              {' '}
              These values differed; the existing ones were kept:
              <ul className="conflicts">
                {data.notice.payload.conflicts.map((c, i) => (
                  <li key={i}>
                    {fieldLabel(c.field, customLabels)}: kept{' '}
                    <strong>{c.field === 'ownerId' ? owner(c.kept) : displayValue(c.kept)}</strong>, yours was{' '}
                    <strong>{c.field === 'ownerId' ? owner(c.incoming) : displayValue(c.incoming)}</strong>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {result?.ok && result.message ? <p className="notice">{result.message}</p> : null}

      <div className="lead-grid">
        <div className="lead-main">
          {data.canEdit && data.merge ? (
            <section className="card merge-confirm" id="merge-confirm" aria-labelledby="merge-confirm-h">
              <h2 id="merge-confirm-h">Merge “{data.merge.other.name}” into this lead?</h2>
              <div className="table-wrap">
                <table className="side-by-side">
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">This lead (kept)</th>
                      <th scope="col">Duplicate (removed)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {mergeFields.map((f) => {
                      const fills = data.merge!.fills.includes(f);
                      const conflict = data.merge!.conflicts.some((c) => c.field === f);
                      return (
                        <tr key={f} className={fills ? 'fills' : conflict ? 'conflict' : undefined}>
                          <th scope="row">{fieldLabel(f)}</th>
                          <td>{sideValue(f, data.merge!.self[f])}</td>
                          <td>
                            {sideValue(f, data.merge!.other[f])}
                            {fills ? (
                              <span className="hint"> fills in</span>
                            ) : conflict ? (
                              <span className="hint"> differs: not used</span>
                            ) : f === 'email' && data.merge!.other.email && data.merge!.self.email ? (
                              <span className="hint"> not kept; noted in the timeline</span>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <p className="help">
                {data.merge.fills.length
                  ? `Fills in: ${data.merge.fills.map((f) => fieldLabel(f, customLabels)).join(', ')}. `
                  : 'Nothing to fill in. '}
                {data.merge.conflicts.length
                  ? `${data.merge.conflicts.length} differing value(s) stay as they are on this lead and are noted in the timeline.`
                  : ''}
              </p>
              <Form method="post" className="merge-actions">
                <CsrfInput />
                <input type="hidden" name="intent" value="merge" />
                <input type="hidden" name="secondaryId" value={data.merge.other.id} />
                <button type="submit" disabled={busy}>
                  {busyIntent === 'merge' ? 'Merging…' : 'Merge into this lead'}
                </button>
                <Link to={`/leads/${lead.id}`} className="button secondary">
                  Cancel
                </Link>
              </Form>
            </section>
          ) : null}

          {data.canEdit ? (
            <section className="card quick-actions" aria-label="Stage and owner">
              <Form method="post" className="quick-form">
                <CsrfInput />
                <input type="hidden" name="intent" value="stage" />
                <SelectField
                  label="Stage"
                  name="stage"
                  id="quick-stage"
                  defaultValue={lead.stage}
                  error={r('stage')?.fieldErrors?.stage}
                  options={data.stages.map((s) => ({ value: s, label: s }))}
                />
                <button type="submit" className="secondary" disabled={busy}>
                  {busyIntent === 'stage' ? 'Saving…' : 'Change stage'}
                </button>
              </Form>
              <Form method="post" className="quick-form">
                <CsrfInput />
                <input type="hidden" name="intent" value="assign" />
                <SelectField
                  label="Owner"
                  name="ownerId"
                  id="quick-owner"
                  defaultValue={lead.ownerId ?? ''}
                  error={r('assign')?.fieldErrors?.ownerId}
                  options={[
                    { value: '', label: 'Unassigned' },
                    ...data.members.map((m) => ({ value: m.userId, label: memberLabel(m) })),
                  ]}
                />
                <button type="submit" className="secondary" disabled={busy}>
                  {busyIntent === 'assign' ? 'Saving…' : 'Assign'}
                </button>
              </Form>
            </section>
          ) : null}

          <div className="detail-sections">
            <Section title="Contact">
              <Facts
                rows={[
                  ['Name', [lead.firstName, lead.lastName].filter(Boolean).join(' ') || '—'],
                  ['Email', lead.email ? <a href={`mailto:${lead.email}`}>{lead.email}</a> : '—'],
                  ['Phone', lead.phone ? <a href={`tel:${lead.phone.replace(/[^\d+]/g, '')}`}>{lead.phone}</a> : '—'],
                  ['Job title', displayValue(lead.title)],
                ]}
              />
            </Section>
            <Section title="Company">
              <Facts
                rows={[
                  ['Company', displayValue(lead.companyName)],
                  ['Website', webLink(lead.website)],
                  ['Size', displayValue(lead.companySize)],
                  ['Industry', displayValue(lead.industry)],
                ]}
              />
            </Section>
            <Section title="Location">
              <Facts
                rows={[
                  ['Country', displayValue(lead.country)],
                  ['Region', displayValue(lead.region)],
                  ['City', displayValue(lead.city)],
                  ['Time zone', displayValue(lead.timezone)],
                ]}
              />
            </Section>
            <Section title="Attribution">
              <Facts
                rows={[
                  ['Channel', displayValue(lead.channel)],
                  ['Source', displayValue(lead.source)],
                  ['Medium', displayValue(lead.medium)],
                  ['Campaign', displayValue(lead.campaign)],
                  ...(lead.referrer ? ([['Referrer', lead.referrer]] as Array<[string, string]>) : []),
                  ...(lead.landingPage ? ([['Landing page', lead.landingPage]] as Array<[string, string]>) : []),
                ]}
              />
              <h3>First touch</h3>
              <Facts rows={flattenFacts(lead.firstTouch)} empty="Not recorded." />
              <h3>Last touch</h3>
              <Facts rows={flattenFacts(lead.lastTouch)} empty="Not recorded." />
            </Section>
            <Section title="Consent">
              <Facts
                rows={[
                  ['Email opt-in', lead.emailOptIn === null ? 'Unknown' : lead.emailOptIn ? 'Opted in' : 'Opted out'],
                  ['SMS opt-in', lead.smsOptIn === null ? 'Unknown' : lead.smsOptIn ? 'Opted in' : 'Opted out'],
                  ['Unsubscribed', displayValue(lead.unsubscribed)],
                  ['Do not contact', displayValue(lead.doNotContact)],
                  ...flattenFacts(lead.consent),
                ]}
              />
            </Section>
            <Section title="Custom fields">
              <Facts
                rows={[
                  ...data.fields.map((f) => [f.label, displayValue(custom[f.key])] as [string, string]),
                  ...undefinedCustom.map((k) => [`${k} (no longer defined)`, displayValue(custom[k])] as [string, string]),
                ]}
                empty="No custom fields defined for this workspace."
              />
            </Section>
            <Section title="Tags">
              {lead.tags.length ? (
                <p>
                  {lead.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </p>
              ) : (
                <p className="help">No tags.</p>
              )}
              <p className="help">
                Created {dates.dateTime(lead.createdAt)} · updated {dates.dateTime(lead.updatedAt)}
                {lead.convertedAt ? ` · converted ${dates.dateTime(lead.convertedAt)}` : ''}
              </p>
            </Section>
          </div>

          {data.canEdit ? (
            <details className="card edit-lead" id="edit" open={Boolean(update && !update.ok)}>
              <summary>
                <h2>Edit details</h2>
              </summary>
              <FormError message={update && !update.ok ? update.formError : null} />
              {update?.emailTakenBy ? (
                <p className="help">
                  <Link to={`/leads/${lead.id}?mergeId=${update.emailTakenBy}#merge-confirm`}>
                    Review merging that lead into this one
                  </Link>{' '}
                  or <Link to={`/leads/${update.emailTakenBy}`}>open it</Link>.
                </p>
              ) : null}
              <Form method="post" noValidate key={String(lead.updatedAt)}>
                <CsrfInput />
                <input type="hidden" name="intent" value="update" />
                <LeadFormFields
                  mode="update"
                  values={update && !update.ok && update.values ? update.values : leadToFormValues(lead)}
                  errors={update?.fieldErrors ?? {}}
                  definitions={data.fields}
                />
                <button type="submit" disabled={busy}>
                  {busyIntent === 'update' ? 'Saving…' : 'Save changes'}
                </button>
              </Form>
            </details>
          ) : null}

          <section className="card" aria-labelledby="timeline-h">
            <h2 id="timeline-h">Timeline</h2>
            {data.canEdit ? (
              <Form method="post" className="note-form" key={data.events[0]?.id ?? 'none'}>
                <CsrfInput />
                <input type="hidden" name="intent" value="note" />
                <TextAreaField
                  label="Add a note"
                  name="text"
                  rows={3}
                  maxLength={5000}
                  defaultValue={note && !note.ok ? note.values?.text : ''}
                  error={note?.fieldErrors?.text}
                />
                <button type="submit" disabled={busy}>
                  {busyIntent === 'note' ? 'Adding…' : 'Add note'}
                </button>
              </Form>
            ) : null}
            <Timeline
              events={data.events}
              memberNames={memberNames}
              customLabels={customLabels}
              truncated={data.eventsTruncated}
            />
          </section>
        </div>

        <aside className="lead-side">
          <ScorePanel
            score={lead.score}
            scoreGrade={lead.scoreGrade}
            scoreExplanation={lead.scoreExplanation}
            scoredAt={lead.scoredAt}
            predictedProbability={lead.predictedProbability}
          />
          <EnrichmentPanel enrichment={lead.enrichment} />

          {data.canEdit ? (
            <section className="card panel" id="merge" aria-labelledby="merge-h">
              <h2 id="merge-h">Merge a duplicate</h2>
              <p className="help">
                Find the duplicate by name or email. It is merged into this lead: this lead’s values win, empty fields are filled
                in, and the duplicate’s history moves here.
              </p>
              <Form method="get" className="inline-search" preventScrollReset>
                <label htmlFor="merge-search" className="visually-hidden">
                  Find the duplicate
                </label>
                <input
                  id="merge-search"
                  type="search"
                  name="mergeSearch"
                  defaultValue={data.mergeSearch}
                  placeholder="Name or email"
                  maxLength={200}
                />
                <button type="submit" className="secondary">
                  Find
                </button>
              </Form>
              {data.mergeSearch && !data.merge ? (
                data.candidates.length ? (
                  <ul className="candidates">
                    {data.candidates.map((c) => (
                      <li key={c.id}>
                        <span>
                          <strong>{c.name}</strong> {c.email ? <span className="muted">{c.email}</span> : null}
                          {c.companyName ? <span className="muted"> · {c.companyName}</span> : null}
                        </span>
                        <Link to={`/leads/${lead.id}?mergeId=${c.id}#merge-confirm`}>Review merge</Link>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="help">No other lead matches “{data.mergeSearch}”.</p>
                )
              ) : null}
              {data.mergeMissing ? (
                <FormError message="That lead was not found. It may have been merged or deleted already." />
              ) : null}
              {r('merge') && !r('merge')!.ok ? <FormError message={r('merge')!.formError} /> : null}
            </section>
          ) : null}

          {data.canDelete ? (
            <section className="card panel danger-zone" aria-labelledby="delete-h">
              <h2 id="delete-h">Delete lead</h2>
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="delete" />
                <CheckboxField
                  label="Delete this lead and its history permanently"
                  name="confirm"
                  value="yes"
                  error={r('delete')?.fieldErrors?.confirm}
                />
                <button type="submit" className="danger" disabled={busy}>
                  Delete lead
                </button>
              </Form>
            </section>
          ) : null}
        </aside>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
