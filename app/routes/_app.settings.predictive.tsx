import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { useEffect } from 'react';
import { CalibrationChart, type CalibrationBin } from '~/components/calibration-chart';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import {
  activateModel,
  deactivateModel,
  labelledStatus,
  listPredictiveModels,
  ModelNotReadyError,
  NotEnoughLabelledDataError,
  requestTraining,
} from '~/models/predictive.server';
import { roleAtLeast } from '~/models/tenant.server';
import { POST_OUTCOME_FIELDS } from '../../worker/pipeline/lead-view';

export const meta: MetaFunction = () => [{ title: 'Predictive scoring · Settings · Leadflow' }];

const EDITOR_ROLE = 'manager' as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => ({
    status: await labelledStatus(tx),
    models: await listPredictiveModels(tx),
  }));
  return json({
    canEdit: roleAtLeast(tenant.role, EDITOR_ROLE),
    status: data.status,
    postOutcomeFields: [...POST_OUTCOME_FIELDS],
    models: data.models.map((m) => ({
      id: m.id,
      status: m.status,
      progress: m.progress,
      progressMessage: m.progressMessage,
      excludeFields: m.excludeFields,
      metrics: m.metrics as null | {
        auc: number;
        accuracy: number;
        brier: number;
        n: number;
        positives: number;
        folds: number;
        calibration: CalibrationBin[];
        excluded: Array<{ column: string; reason: string; folds: number }>;
        columns: Array<{ column: string; importance: number }>;
      },
      error: m.error,
      createdAt: m.createdAt,
      finishedAt: m.finishedAt,
      activatedAt: m.activatedAt,
    })),
  });
}

const FIELD_NAME = /^[A-Za-z][\w.]{0,100}$/;

export async function action({ request }: ActionFunctionArgs) {
  const { tenant, user } = await requireTenant(request, EDITOR_ROLE);
  const form = await request.formData();
  await assertCsrf(request, form);
  const intent = String(form.get('intent') ?? '');
  const ctx = { tenantId: tenant.tenantId, userId: user.id };
  if (intent === 'train') {
    const excludeFields = String(form.get('excludeFields') ?? '')
      .split(/[\s,]+/)
      .filter(Boolean);
    const bad = excludeFields.find((f) => !FIELD_NAME.test(f));
    if (bad) {
      return json({ ok: false as const, message: 'Check the highlighted fields.', fieldErrors: { excludeFields: `“${bad.slice(0, 40)}” is not a field name (letters, digits, _ and .)` } }, { status: 400 });
    }
    try {
      await database().withTenant(ctx, (tx) => requestTraining(tx, tenant.tenantId, { excludeFields, userId: user.id }));
    } catch (err) {
      if (err instanceof NotEnoughLabelledDataError) return json({ ok: false as const, message: err.message, fieldErrors: {} as Record<string, string> }, { status: 409 });
      throw err;
    }
    return json({ ok: true as const, message: 'Training queued.', fieldErrors: {} as Record<string, string> });
  }
  if (intent === 'activate') {
    try {
      await database().withTenant(ctx, (tx) => activateModel(tx, tenant.tenantId, String(form.get('modelId') ?? ''), user.id));
    } catch (err) {
      if (err instanceof ModelNotReadyError) return json({ ok: false as const, message: err.message, fieldErrors: {} as Record<string, string> }, { status: 409 });
      throw err;
    }
    return json({ ok: true as const, message: 'Model switched on; predictions are being computed for all leads.', fieldErrors: {} as Record<string, string> });
  }
  if (intent === 'deactivate') {
    await database().withTenant(ctx, (tx) => deactivateModel(tx, tenant.tenantId, user.id));
    return json({ ok: true as const, message: 'Predictive scoring switched off.', fieldErrors: {} as Record<string, string> });
  }
  return json({ ok: false as const, message: 'Unknown action.', fieldErrors: {} as Record<string, string> }, { status: 400 });
}

export default function PredictiveSettings() {
  const dates = useDates();
  const { canEdit, status, models, postOutcomeFields } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const revalidator = useRevalidator();
  const running = models.some((m) => m.status === 'queued' || m.status === 'training');
  // While a model trains, refresh its progress every second.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate();
    }, 1000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const active = models.find((m) => m.status === 'active');
  const candidate = models.find((m) => m.status === 'ready');
  const e = result?.fieldErrors ?? {};
  return (
    <>
      <p className="crumbs">
        <Link to="/settings">Settings</Link> / Predictive scoring
      </p>
      <h1>Predictive scoring</h1>
      <p className="help">
        A model trained on this workspace’s own leads with a known outcome (stage <em>customer</em> = converted, <em>lost</em> = not). Its
        probability is shown next to the rule score once you switch it on.
      </p>
      {result?.ok ? <p className="notice">{result.message}</p> : null}
      {result && !result.ok ? <FormError message={result.message} /> : null}
      <section className="card">
        <h2>Labelled leads</h2>
        <p>
          {status.positives} converted, {status.negatives} lost.{' '}
          {status.offer ? 'Enough to train a model.' : status.reason}
        </p>
        {canEdit && status.offer ? (
          <Form method="post" noValidate>
            <CsrfInput />
            <div className="field">
              <label htmlFor="exclude">Fields to leave out (comma-separated)</label>
              <input
                id="exclude"
                name="excludeFields"
                defaultValue={(candidate ?? active ?? models[0])?.excludeFields.join(', ') ?? ''}
                aria-invalid={e.excludeFields ? true : undefined}
                aria-describedby="exclude-help"
              />
              {e.excludeFields ? (
                <div className="field-error" role="alert">
                  {e.excludeFields}
                </div>
              ) : null}
              <div className="help" id="exclude-help">
                Always left out, as they are only known after the outcome: {postOutcomeFields.join(', ')}; behaviour and owner are taken as they
                were when the outcome became known. Columns that predict the outcome suspiciously well are left out automatically.
              </div>
            </div>
            <button type="submit" name="intent" value="train" disabled={busy || running}>
              {running ? 'Training…' : 'Train a model now'}
            </button>
          </Form>
        ) : null}
      </section>
      {models.length === 0 ? <p className="help">No model trained yet. A new one is trained nightly when there are new labelled leads.</p> : null}
      {models.map((m) => (
        <section className="card" key={m.id}>
          <h2>
            Model of {dates.dateTime(m.createdAt)} · {m.status}
          </h2>
          {m.status === 'queued' || m.status === 'training' ? (
            <p>
              <progress max={1} value={m.progress} aria-label="Training progress" /> {Math.round(m.progress * 100)}% {m.progressMessage}
            </p>
          ) : null}
          {m.error ? <p className="form-error">{m.error}</p> : null}
          {m.metrics ? (
            <>
              <p>
                Cross-validated AUC <strong>{m.metrics.auc.toFixed(3)}</strong> ({m.metrics.folds} folds, {m.metrics.n} leads,{' '}
                {m.metrics.positives} converted) · accuracy {(m.metrics.accuracy * 100).toFixed(1)}% · Brier {m.metrics.brier.toFixed(3)}
              </p>
              <CalibrationChart bins={m.metrics.calibration} />
              {m.metrics.excluded.length ? (
                <p className="help">Left out: {m.metrics.excluded.map((x) => `${x.column} (${x.reason})`).join('; ')}</p>
              ) : null}
              {m.metrics.columns.length ? (
                <p className="help">Most useful: {m.metrics.columns.slice(0, 8).map((c) => c.column).join(', ')}</p>
              ) : null}
            </>
          ) : null}
          {canEdit && (m.status === 'ready' || m.status === 'retired') && m.metrics ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="modelId" value={m.id} />
              <button type="submit" name="intent" value="activate" disabled={busy}>
                Switch this model on
              </button>
            </Form>
          ) : null}
          {canEdit && m.status === 'active' ? (
            <Form method="post">
              <CsrfInput />
              <button type="submit" name="intent" value="deactivate" disabled={busy}>
                Switch predictive scoring off
              </button>
            </Form>
          ) : null}
        </section>
      ))}
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
