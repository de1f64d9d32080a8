import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { FIT_OPERATORS, NEGATIVE_SIGNALS, validateScoringForm } from '~/models/scoring-form';
import { getScoringModel, queueRescore, resetScoringModel, saveScoringModel } from '~/models/scoring.server';
import { roleAtLeast } from '~/models/tenant.server';

export const meta: MetaFunction = () => [{ title: 'Scoring · Settings · Leadflow' }];

/** Who may change scoring, assignment and predictive settings. */
const EDITOR_ROLE = 'manager' as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const stored = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => getScoringModel(tx));
  return json({ canEdit: roleAtLeast(tenant.role, EDITOR_ROLE), isDefault: stored.isDefault, model: stored.model });
}

export async function action({ request }: ActionFunctionArgs) {
  // Authorise before reading the form: viewers and reps get 403.
  const { tenant, user } = await requireTenant(request, EDITOR_ROLE);
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? 'save');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  if (intent === 'reset') {
    await database().withTenant(ctx, (tx) => resetScoringModel(tx, tenant.tenantId, user.id));
    return json({ ok: true as const, message: 'Back to the default model; all leads are being re-scored.', fieldErrors: {} as Record<string, string> });
  }
  if (intent === 'rescore') {
    await database().withTenant(ctx, (tx) => queueRescore(tx, tenant.tenantId));
    return json({ ok: true as const, message: 'All leads are being re-scored.', fieldErrors: {} as Record<string, string> });
  }
  const result = validateScoringForm(form);
  if (!result.ok) return json({ ok: false as const, message: 'Check the highlighted fields.', fieldErrors: result.fieldErrors }, { status: 400 });
  await database().withTenant(ctx, (tx) => saveScoringModel(tx, tenant.tenantId, result.model, user.id));
  return json({ ok: true as const, message: 'Saved. All leads are being re-scored with the new model.', fieldErrors: {} as Record<string, string> });
}

function Err({ errors, name }: { errors: Record<string, string>; name: string }) {
  return errors[name] ? (
    <div className="field-error" id={`${name}-error`} role="alert">
      {errors[name]}
    </div>
  ) : null;
}

function Input(props: { name: string; defaultValue?: string | number | null; errors: Record<string, string>; label: string; type?: string; size?: number }) {
  const invalid = Boolean(props.errors[props.name]);
  return (
    <>
      <input
        name={props.name}
        aria-label={props.label}
        type={props.type ?? 'text'}
        size={props.size}
        defaultValue={props.defaultValue ?? ''}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${props.name}-error` : undefined}
      />
      <Err errors={props.errors} name={props.name} />
    </>
  );
}

const BLANK_ROWS = 3;

export default function ScoringSettings() {
  const { canEdit, isDefault, model } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const e = result?.fieldErrors ?? {};
  const fit = [...model.fitRules, ...Array.from({ length: BLANK_ROWS }, () => null)];
  const events = [...Object.entries(model.behaviour.eventPoints), ...Array.from({ length: BLANK_ROWS }, () => null)];
  const sources = [...Object.entries(model.sourceWeights), ...Array.from({ length: BLANK_ROWS }, () => null)];
  const grades = [...model.grades, ...Array.from({ length: 2 }, () => null)];
  const thresholds = [...model.thresholds, ...Array.from({ length: 2 }, () => null)];
  return (
    <>
      <p className="crumbs">
        <Link to="/settings">Settings</Link> / Scoring
      </p>
      <h1>Lead scoring</h1>
      <p className="help">
        Scores run 0–100. Every lead shows the contributions that make up its score. {isDefault ? 'This workspace uses the default model.' : null}
        {' '}Fields are lead fields (<code>jobTitle</code>, <code>country</code>, <code>custom.plan</code>) or enrichment facts (
        <code>enrichment.industry</code>, <code>enrichment.emailFree</code>, <code>enrichment.company.employees</code>).
      </p>
      {result?.ok ? <p className="notice">{result.message}</p> : null}
      {result && !result.ok ? <FormError message={e._form ?? result.message} /> : null}
      <Form method="post" noValidate>
        <CsrfInput />
        <fieldset disabled={!canEdit} style={{ border: 0, padding: 0 }}>
          <section className="card">
            <h2>Fit rules</h2>
            <Err errors={e} name="fitRules" />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Label</th>
                    <th>Field</th>
                    <th>Operator</th>
                    <th>Value</th>
                    <th>Points</th>
                  </tr>
                </thead>
                <tbody>
                  {fit.map((rule, i) => (
                    <tr key={i}>
                      <td>
                        {rule ? <input type="hidden" name={`fit.${i}.id`} value={rule.id} /> : null}
                        <Input name={`fit.${i}.label`} label={`Rule ${i + 1} label`} defaultValue={rule?.label} errors={e} />
                      </td>
                      <td>
                        <Input name={`fit.${i}.field`} label={`Rule ${i + 1} field`} defaultValue={rule?.field} errors={e} size={18} />
                      </td>
                      <td>
                        <select name={`fit.${i}.operator`} aria-label={`Rule ${i + 1} operator`} defaultValue={rule?.operator ?? 'equals'}>
                          {FIT_OPERATORS.map((op) => (
                            <option key={op} value={op}>
                              {op}
                            </option>
                          ))}
                        </select>
                        <Err errors={e} name={`fit.${i}.operator`} />
                      </td>
                      <td>
                        <Input
                          name={`fit.${i}.value`}
                          label={`Rule ${i + 1} value`}
                          defaultValue={rule?.value === undefined ? '' : Array.isArray(rule.value) ? rule.value.join(', ') : String(rule.value)}
                          errors={e}
                        />
                      </td>
                      <td>
                        <Input name={`fit.${i}.points`} label={`Rule ${i + 1} points`} type="number" size={5} defaultValue={rule?.points} errors={e} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="help">Leave a row empty to remove it. "in" takes a comma-separated list; "matches" a regular expression.</p>
          </section>

          <section className="card">
            <h2>Profile completeness</h2>
            <label>
              Fields (comma-separated) <Input name="completeness.fields" label="Completeness fields" defaultValue={model.completeness.fields.join(', ')} errors={e} size={60} />
            </label>
            <label>
              Points when all are filled <Input name="completeness.maxPoints" label="Completeness points" type="number" defaultValue={model.completeness.maxPoints} errors={e} size={5} />
            </label>
          </section>

          <section className="card">
            <h2>Behaviour</h2>
            <label>
              Half-life (days): points of an interaction halve every{' '}
              <Input name="behaviour.halfLifeDays" label="Half-life in days" type="number" defaultValue={model.behaviour.halfLifeDays} errors={e} size={5} /> days
            </label>
            <label>
              At most <Input name="behaviour.maxPoints" label="Behaviour cap" type="number" defaultValue={model.behaviour.maxPoints} errors={e} size={5} /> points
            </label>
            <table>
              <thead>
                <tr>
                  <th>Event type</th>
                  <th>Points</th>
                </tr>
              </thead>
              <tbody>
                {events.map((entry, i) => (
                  <tr key={i}>
                    <td>
                      <Input name={`event.${i}.type`} label={`Event ${i + 1} type`} defaultValue={entry?.[0]} errors={e} />
                    </td>
                    <td>
                      <Input name={`event.${i}.points`} label={`Event ${i + 1} points`} type="number" defaultValue={entry?.[1]} errors={e} size={5} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="card">
            <h2>Source weights</h2>
            <table>
              <thead>
                <tr>
                  <th>Source or channel</th>
                  <th>Points</th>
                </tr>
              </thead>
              <tbody>
                {sources.map((entry, i) => (
                  <tr key={i}>
                    <td>
                      <Input name={`source.${i}.key`} label={`Source ${i + 1}`} defaultValue={entry?.[0]} errors={e} />
                    </td>
                    <td>
                      <Input name={`source.${i}.points`} label={`Source ${i + 1} points`} type="number" defaultValue={entry?.[1]} errors={e} size={5} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="card">
            <h2>Negative signals</h2>
            {NEGATIVE_SIGNALS.map((signal) => (
              <label key={signal} style={{ display: 'block' }}>
                {signal.replace(/([A-Z])/g, ' $1').toLowerCase()}{' '}
                <Input name={`negative.${signal}`} label={`Points for ${signal}`} type="number" defaultValue={model.negative[signal]} errors={e} size={5} />
              </label>
            ))}
            <label>
              Extra disposable domains <Input name="negative.disposableDomains" label="Extra disposable domains" defaultValue={model.negative.disposableDomains.join(', ')} errors={e} size={50} />
            </label>
          </section>

          <section className="card">
            <h2>Grades and thresholds</h2>
            <Err errors={e} name="grades" />
            <table>
              <thead>
                <tr>
                  <th>Grade</th>
                  <th>From score</th>
                </tr>
              </thead>
              <tbody>
                {grades.map((g, i) => (
                  <tr key={i}>
                    <td>
                      <Input name={`grade.${i}.grade`} label={`Grade ${i + 1}`} defaultValue={g?.grade} errors={e} size={4} />
                    </td>
                    <td>
                      <Input name={`grade.${i}.min`} label={`Grade ${i + 1} from score`} type="number" defaultValue={g?.min} errors={e} size={5} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="help">Crossing a threshold upwards moves the lead to the stage (never backwards) and emits the event for workflows.</p>
            <table>
              <thead>
                <tr>
                  <th>Score</th>
                  <th>Stage</th>
                  <th>Event</th>
                </tr>
              </thead>
              <tbody>
                {thresholds.map((t, i) => (
                  <tr key={i}>
                    <td>
                      <Input name={`threshold.${i}.score`} label={`Threshold ${i + 1} score`} type="number" defaultValue={t?.score} errors={e} size={5} />
                    </td>
                    <td>
                      <Input name={`threshold.${i}.stage`} label={`Threshold ${i + 1} stage`} defaultValue={t?.stage} errors={e} size={10} />
                    </td>
                    <td>
                      <Input name={`threshold.${i}.event`} label={`Threshold ${i + 1} event`} defaultValue={t?.event} errors={e} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {canEdit ? (
            <div className="form-actions">
              <button type="submit" name="intent" value="save" disabled={busy}>
                {busy ? 'Saving…' : 'Save and re-score'}
              </button>
              <button type="submit" name="intent" value="rescore" disabled={busy}>
                Re-score all leads
              </button>
              <button type="submit" name="intent" value="reset" disabled={busy}>
                Reset to default
              </button>
            </div>
          ) : (
            <p className="help">Only managers, admins and owners can change scoring.</p>
          )}
        </fieldset>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
