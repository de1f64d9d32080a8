import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useDates } from '~/lib/use-dates';
import { displayName } from '@leadflow/workflow-compiler';
import { z } from 'zod';
import { ErrorPage } from '~/components/error-page';
import { CsrfInput, FormError } from '~/components/forms';
import { categoryColor, kindDef } from '~/components/flow/catalogue';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { roleAtLeast } from '~/models/tenant.server';
import { createWorkflow, getTemplate, listTemplates, listWorkflows, workflowNameSchema } from '~/models/workflow.server';
import flowStyles from '~/styles/flow.css';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: flowStyles }];

export const meta: MetaFunction = () => [{ title: 'Workflows · Leadflow' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const workflows = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) => listWorkflows(tx));
  const templates = listTemplates().map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    steps: t.graph.nodes.map((n) => ({ id: n.id, type: n.type, name: displayName(n) })),
  }));
  return json({
    canCreate: roleAtLeast(tenant.role, 'manager'),
    workflows: workflows.map((w) => ({
      id: w.id,
      name: w.name,
      description: w.description,
      status: w.status,
      updatedAt: new Date(w.updatedAt).toISOString(),
      publishedAt: w.publishedAt ? new Date(w.publishedAt).toISOString() : null,
      templateId: w.templateId,
    })),
    templates,
  });
}

const createSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('create'), name: workflowNameSchema }),
  z.object({ intent: z.literal('fromTemplate'), templateId: z.string().min(1).max(100) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  // Managers and above create workflows; viewers and reps only read them.
  const { tenant, user } = await requireTenant(request, 'manager');
  const form = await request.formData();
  await assertCsrf(request, form);
  const parsed = createSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    return json({ ok: false as const, message: parsed.error.issues[0]?.message ?? 'Check the form.' }, { status: 400 });
  }
  const input = parsed.data;
  let values: { name: string; description?: string; graph?: unknown; templateId?: string | null };
  if (input.intent === 'fromTemplate') {
    const template = getTemplate(input.templateId);
    if (!template) return json({ ok: false as const, message: 'That template does not exist.' }, { status: 400 });
    values = { name: template.name, description: template.description, graph: template.graph, templateId: template.id };
  } else {
    values = { name: input.name };
  }
  const created = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
    createWorkflow(tx, tenant.tenantId, values, user.id),
  );
  return redirect(`/workflows/${created.id}`);
}

export default function Workflows() {
  const dates = useDates();
  const { canCreate, workflows, templates } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyIntent = navigation.state !== 'idle' ? navigation.formData?.get('intent') : null;
  const busyTemplate = navigation.state !== 'idle' ? navigation.formData?.get('templateId') : null;
  return (
    <div className="workflows-page">
      <div className="page-head">
        <h1>Workflows</h1>
        {canCreate ? (
          <Form method="post" className="new-workflow">
            <CsrfInput />
            <input type="hidden" name="intent" value="create" />
            <label className="visually-hidden" htmlFor="new-workflow-name">
              Name of the new workflow
            </label>
            <input id="new-workflow-name" name="name" placeholder="Name, e.g. Welcome new leads" required maxLength={120} />
            <button type="submit" disabled={busyIntent === 'create'}>
              {busyIntent === 'create' ? 'Creating…' : 'New workflow'}
            </button>
          </Form>
        ) : null}
      </div>
      {result && !result.ok ? <FormError message={result.message} /> : null}

      {workflows.length === 0 ? (
        <p className="empty">
          No workflows in this workspace yet.{canCreate ? ' Start from a template below, or create a blank one.' : ''}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="workflows-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Updated</th>
                <th>Published</th>
              </tr>
            </thead>
            <tbody>
              {workflows.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/workflows/${w.id}`} className="strong-link">
                      {w.name}
                    </Link>
                    {w.description ? <div className="muted small clamp">{w.description}</div> : null}
                  </td>
                  <td>
                    <span className={`status-badge status-${w.status}`}>{w.status}</span>
                  </td>
                  <td className="nowrap">{dates.dateTime(w.updatedAt)}</td>
                  <td className="nowrap">{dates.dateTime(w.publishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Templates</h2>
      <p className="help">
        Start from a ready-made workflow: it becomes a draft of your own that you can change before publishing.
      </p>
      <ul className="template-gallery">
        {templates.map((t) => (
          <li key={t.id} className="template-card" data-template={t.id}>
            <h3>{t.name}</h3>
            <p className="muted">{t.description}</p>
            <ol className="template-steps" aria-label="Steps">
              {t.steps.map((s) => {
                const def = kindDef(s.type);
                return (
                  <li key={s.id} style={{ ['--cat' as string]: def ? categoryColor(def.category) : '#98a2b3' }}>
                    {s.name}
                  </li>
                );
              })}
            </ol>
            {canCreate ? (
              <Form method="post">
                <CsrfInput />
                <input type="hidden" name="intent" value="fromTemplate" />
                <input type="hidden" name="templateId" value={t.id} />
                <button
                  type="submit"
                  className="secondary"
                  disabled={busyTemplate === t.id}
                  aria-label={`Use template: ${t.name}`}
                >
                  {busyTemplate === t.id ? 'Creating…' : 'Use this template'}
                </button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
