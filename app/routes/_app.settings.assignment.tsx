import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { createRule, deleteRule, listMembersWithSettings, listRules, moveRule, saveRepSettings, updateRule } from '~/models/assignment.server';
import { roleAtLeast } from '~/models/tenant.server';
import { ASSIGNMENT_RULE_KINDS, CONDITION_FIELDS, assignmentRuleInputSchema } from '../../worker/assignment/schema';

export const meta: MetaFunction = () => [{ title: 'Assignment · Settings · Leadflow' }];

const EDITOR_ROLE = 'manager' as const;
const CONDITION_ROWS = 3;

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => ({
    rules: await listRules(tx),
    members: await listMembersWithSettings(tx),
  }));
  return json({
    canEdit: roleAtLeast(tenant.role, EDITOR_ROLE),
    rules: data.rules.map((r) => ({ id: r.id, name: r.name, kind: r.kind, enabled: r.enabled, config: r.config as Record<string, unknown>, position: r.position })),
    members: data.members,
  });
}

type ActionData = { ok: boolean; intent: string; message?: string; fieldErrors: Record<string, string> };

const optionalInt = (v: FormDataEntryValue | null) => {
  const s = String(v ?? '').trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : Number.NaN;
};

/** The rule form → the rule input (validated by the engine's schema). */
function ruleFromForm(form: FormData) {
  const pool = form
    .getAll('pool')
    .map(String)
    .map((userId) => ({ userId, weight: optionalInt(form.get(`weight.${userId}`)) ?? 1 }));
  const conditions: unknown[] = [];
  const conditionRows: number[] = [];
  for (let i = 0; i < CONDITION_ROWS; i++) {
    const field = String(form.get(`cond.${i}.field`) ?? '');
    const values = String(form.get(`cond.${i}.values`) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const min = optionalInt(form.get(`cond.${i}.min`));
    const max = optionalInt(form.get(`cond.${i}.max`));
    if (!field || (values.length === 0 && min === null && max === null)) continue;
    conditions.push({ field, values, min, max });
    conditionRows.push(i);
  }
  const fallback = String(form.get('userId') ?? '');
  return {
    input: {
      name: String(form.get('name') ?? ''),
      kind: String(form.get('kind') ?? ''),
      enabled: form.get('enabled') === 'on',
      config: { conditions, pool, userId: fallback || null, slaMinutes: optionalInt(form.get('slaMinutes')) },
    },
    conditionRows,
  };
}

const repSchema = z.object({
  userId: z.uuid(),
  available: z.boolean(),
  maxOpenLeads: z.number().int('Use a whole number').min(0, 'Use 0 or more').max(100_000).nullable(),
  maxPerDay: z.number().int('Use a whole number').min(0, 'Use 0 or more').max(100_000).nullable(),
});

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, EDITOR_ROLE);
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? '');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  const id = String(form.get('id') ?? '');

  if (intent === 'save-rule') {
    const { input, conditionRows } = ruleFromForm(form);
    const parsed = assignmentRuleInputSchema.safeParse(input);
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String);
        let name = path[path.length - 1];
        if (path[0] === 'config' && path[1] === 'conditions' && path.length >= 4) name = `cond.${conditionRows[Number(path[2])]}.${path[3]}`;
        else if (path[0] === 'config' && path[1] === 'pool') name = 'pool';
        else if (path[0] === 'config') name = path[1];
        fieldErrors[name] ??= issue.message;
      }
      return json<ActionData>({ ok: false, intent, message: 'Check the highlighted fields.', fieldErrors }, { status: 400 });
    }
    await database().withTenant(ctx, (tx) => (id ? updateRule(tx, tenant.tenantId, id, parsed.data, user.id) : createRule(tx, tenant.tenantId, parsed.data, user.id)));
    return json<ActionData>({ ok: true, intent, message: 'Rule saved.', fieldErrors: {} });
  }
  if (intent === 'delete-rule') {
    await database().withTenant(ctx, (tx) => deleteRule(tx, tenant.tenantId, id, user.id));
    return json<ActionData>({ ok: true, intent, message: 'Rule deleted.', fieldErrors: {} });
  }
  if (intent === 'move-up' || intent === 'move-down') {
    await database().withTenant(ctx, (tx) => moveRule(tx, id, intent === 'move-up' ? 'up' : 'down'));
    return json<ActionData>({ ok: true, intent, fieldErrors: {} });
  }
  if (intent === 'save-rep') {
    const parsed = repSchema.safeParse({
      userId: String(form.get('userId') ?? ''),
      available: form.get('available') === 'on',
      maxOpenLeads: optionalInt(form.get('maxOpenLeads')),
      maxPerDay: optionalInt(form.get('maxPerDay')),
    });
    if (!parsed.success) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
      return json<ActionData>({ ok: false, intent, message: 'Check the highlighted fields.', fieldErrors }, { status: 400 });
    }
    const { userId, ...settings } = parsed.data;
    await database().withTenant(ctx, (tx) => saveRepSettings(tx, tenant.tenantId, userId, settings, user.id));
    return json<ActionData>({ ok: true, intent, message: 'Rep settings saved.', fieldErrors: {} });
  }
  return json<ActionData>({ ok: false, intent, message: 'Unknown action.', fieldErrors: {} }, { status: 400 });
}

const KIND_LABELS: Record<string, string> = {
  territory: 'Territory',
  round_robin: 'Round robin',
  weighted: 'Weighted',
  fallback: 'Fallback owner',
};

function FieldError({ errors, name }: { errors: Record<string, string>; name: string }) {
  return errors[name] ? (
    <div className="field-error" role="alert">
      {errors[name]}
    </div>
  ) : null;
}

export default function AssignmentSettings() {
  const { canEdit, rules, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const [params] = useSearchParams();
  const editing = rules.find((r) => r.id === params.get('rule'));
  const e = result?.fieldErrors ?? {};
  const config = (editing?.config ?? {}) as {
    conditions?: Array<{ field: string; values: string[]; min?: number | null; max?: number | null }>;
    pool?: Array<{ userId: string; weight: number }>;
    userId?: string | null;
    slaMinutes?: number | null;
  };
  const nameOf = (id: string) => members.find((m) => m.userId === id)?.email ?? id;
  return (
    <>
      <p className="crumbs">
        <Link to="/settings">Settings</Link> / Assignment
      </p>
      <h1>Lead assignment</h1>
      <p className="help">
        New leads without an owner go through these rules in order; the first rule with an eligible rep assigns. Reps are skipped while
        unavailable or at a cap. A rule with an SLA reassigns a lead nobody touched in time.
      </p>
      {result?.ok && result.message ? <p className="notice">{result.message}</p> : null}
      {result && !result.ok ? <FormError message={result.message} /> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Rule</th>
              <th>Kind</th>
              <th>Reps</th>
              <th>SLA</th>
              <th>Status</th>
              {canEdit ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {rules.length === 0 ? (
              <tr>
                <td colSpan={7}>No rules yet: new leads stay unassigned.</td>
              </tr>
            ) : null}
            {rules.map((r, i) => {
              const c = r.config as { pool?: Array<{ userId: string; weight: number }>; userId?: string; slaMinutes?: number | null };
              return (
                <tr key={r.id}>
                  <td>{i + 1}</td>
                  <td>{r.name}</td>
                  <td>{KIND_LABELS[r.kind] ?? r.kind}</td>
                  <td>{r.kind === 'fallback' ? nameOf(c.userId ?? '') : (c.pool ?? []).map((p) => `${nameOf(p.userId)}${r.kind === 'weighted' ? ` ×${p.weight}` : ''}`).join(', ')}</td>
                  <td>{c.slaMinutes ? `${c.slaMinutes} min` : '—'}</td>
                  <td>{r.enabled ? 'On' : 'Off'}</td>
                  {canEdit ? (
                    <td className="nowrap">
                      <Link to={`?rule=${r.id}`}>Edit</Link>
                      <Form method="post" style={{ display: 'inline' }}>
                        <CsrfInput />
                        <input type="hidden" name="id" value={r.id} />
                        <button type="submit" name="intent" value="move-up" disabled={busy || i === 0} aria-label={`Move ${r.name} up`}>
                          ↑
                        </button>
                        <button type="submit" name="intent" value="move-down" disabled={busy || i === rules.length - 1} aria-label={`Move ${r.name} down`}>
                          ↓
                        </button>
                        <button type="submit" name="intent" value="delete-rule" disabled={busy}>
                          Delete
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {canEdit ? (
        <section className="card">
          <h2>{editing ? `Edit “${editing.name}”` : 'New rule'}</h2>
          <Form method="post" noValidate key={editing?.id ?? 'new'}>
            <CsrfInput />
            {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
            <div className="field">
              <label htmlFor="rule-name">Name</label>
              <input id="rule-name" name="name" defaultValue={editing?.name ?? ''} aria-invalid={e.name ? true : undefined} />
              <FieldError errors={e} name="name" />
            </div>
            <div className="field">
              <label htmlFor="rule-kind">Kind</label>
              <select id="rule-kind" name="kind" defaultValue={editing?.kind ?? 'round_robin'}>
                {ASSIGNMENT_RULE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </div>
            <label className="inline-check">
              <input type="checkbox" name="enabled" defaultChecked={editing?.enabled ?? true} /> Enabled
            </label>
            <fieldset>
              <legend>Conditions (territory; optional for round robin and weighted)</legend>
              <FieldError errors={e} name="conditions" />
              {Array.from({ length: CONDITION_ROWS }, (_, i) => {
                const c = config.conditions?.[i];
                return (
                  <div key={i} className="form-grid">
                    <select name={`cond.${i}.field`} aria-label={`Condition ${i + 1} field`} defaultValue={c?.field ?? ''}>
                      <option value="">—</option>
                      {CONDITION_FIELDS.map((f) => (
                        <option key={f} value={f}>
                          {f}
                        </option>
                      ))}
                    </select>
                    <input name={`cond.${i}.values`} aria-label={`Condition ${i + 1} values`} placeholder="DE, AT, CH" defaultValue={c?.values?.join(', ') ?? ''} />
                    <input name={`cond.${i}.min`} aria-label={`Condition ${i + 1} minimum size`} placeholder="min size" size={6} defaultValue={c?.min ?? ''} />
                    <input name={`cond.${i}.max`} aria-label={`Condition ${i + 1} maximum size`} placeholder="max size" size={6} defaultValue={c?.max ?? ''} />
                    <FieldError errors={e} name={`cond.${i}.values`} />
                    <FieldError errors={e} name={`cond.${i}.min`} />
                    <FieldError errors={e} name={`cond.${i}.max`} />
                  </div>
                );
              })}
            </fieldset>
            <fieldset>
              <legend>Reps (in rotation order; weight for weighted rules)</legend>
              <FieldError errors={e} name="pool" />
              {members.map((m) => {
                const inPool = config.pool?.find((p) => p.userId === m.userId);
                return (
                  <div key={m.userId}>
                    <label className="inline-check">
                      <input type="checkbox" name="pool" value={m.userId} defaultChecked={Boolean(inPool)} /> {m.name || m.email}
                    </label>{' '}
                    <input name={`weight.${m.userId}`} aria-label={`Weight of ${m.email}`} type="number" min={1} max={100} size={4} defaultValue={inPool?.weight ?? 1} />
                  </div>
                );
              })}
            </fieldset>
            <div className="field">
              <label htmlFor="rule-fallback">Fallback owner (fallback rules)</label>
              <select id="rule-fallback" name="userId" defaultValue={config.userId ?? ''}>
                <option value="">—</option>
                {members.map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name || m.email}
                  </option>
                ))}
              </select>
              <FieldError errors={e} name="userId" />
            </div>
            <div className="field">
              <label htmlFor="rule-sla">Reassign when not touched within (minutes)</label>
              <input id="rule-sla" name="slaMinutes" type="number" defaultValue={config.slaMinutes ?? ''} aria-invalid={e.slaMinutes ? true : undefined} />
              <FieldError errors={e} name="slaMinutes" />
            </div>
            <button type="submit" name="intent" value="save-rule" disabled={busy}>
              {editing ? 'Save rule' : 'Add rule'}
            </button>{' '}
            {editing ? <Link to="/settings/assignment">Cancel</Link> : null}
          </Form>
        </section>
      ) : null}

      <h2>Reps: availability and caps</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Open leads</th>
              <th>Available</th>
              <th>Max open leads</th>
              <th>Max new per day</th>
              {canEdit ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td>{m.name || m.email}</td>
                <td>{m.role}</td>
                <td className="num">{m.openLeads}</td>
                {canEdit ? (
                  <>
                    <td>
                      <input form={`rep-${m.userId}`} type="checkbox" name="available" aria-label={`${m.email} available`} defaultChecked={m.available} />
                    </td>
                    <td>
                      <input form={`rep-${m.userId}`} name="maxOpenLeads" aria-label={`${m.email} max open leads`} type="number" size={5} defaultValue={m.maxOpenLeads ?? ''} />
                    </td>
                    <td>
                      <input form={`rep-${m.userId}`} name="maxPerDay" aria-label={`${m.email} max per day`} type="number" size={5} defaultValue={m.maxPerDay ?? ''} />
                    </td>
                    <td>
                      <Form method="post" id={`rep-${m.userId}`}>
                        <CsrfInput />
                        <input type="hidden" name="userId" value={m.userId} />
                        <button type="submit" name="intent" value="save-rep" disabled={busy}>
                          Save
                        </button>
                      </Form>
                    </td>
                  </>
                ) : (
                  <>
                    <td>{m.available ? 'Yes' : 'No'}</td>
                    <td>{m.maxOpenLeads ?? '—'}</td>
                    <td>{m.maxPerDay ?? '—'}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result && !result.ok && result.intent === 'save-rep' ? (
        <p className="field-error" role="alert">
          {Object.values(e).join(' ')}
        </p>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
