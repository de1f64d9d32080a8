import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Link, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react';
import type { FlowGraph } from '@leadflow/workflow-compiler';
import xyflowStyles from '@xyflow/react/dist/style.css';
import { ErrorPage } from '~/components/error-page';
import { Builder } from '~/components/flow/builder';
import { paletteItems } from '~/components/flow/catalogue';
import { ClientOnly } from '~/components/flow/client-only';
import type { BuilderActionData, BuilderWorkflow, DeployProblem } from '~/components/flow/types';
import { requireTenant } from '~/lib/auth.server';
import { assertCsrf } from '~/lib/csrf.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import { logger } from '~/lib/logger.server';
import {
  archiveWorkflow,
  publishWorkflow,
  rollbackWorkflow,
  rotateWebhookSecret,
  tenantCredentialKinds,
  testRunWorkflow,
  unpublishWorkflow,
  type DeployContext,
} from '~/lib/workflow-deploy.server';
import { getLead } from '~/models/lead.server';
import { roleAtLeast } from '~/models/tenant.server';
import { getVersion, getWorkflow, listVersions, saveDraft, WEBHOOK_SECRET_NOT_APPLICABLE, webhookSecretApplies, type Workflow } from '~/models/workflow.server';
import { codeChangedWithoutAdmin, codeProblems, parseGraphField, parseNameField } from '~/models/workflow-builder.server';
import flowStyles from '~/styles/flow.css';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: xyflowStyles },
  { rel: 'stylesheet', href: flowStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.workflow.name ?? 'Workflow'} · Workflows · Leadflow` },
];

function deployContext(tenant: { tenantId: string; slug: string; role: DeployContext['role'] }, userId: string): DeployContext {
  return { tenantId: tenant.tenantId, tenantSlug: tenant.slug, userId, role: tenant.role };
}

function toBuilderWorkflow(w: Workflow): BuilderWorkflow {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    status: w.status,
    publishedAt: w.publishedAt ? new Date(w.publishedAt).toISOString() : null,
    publishedVersionId: w.publishedVersionId,
    updatedAt: new Date(w.updatedAt).toISOString(),
    leadEventTrigger: w.triggerEvents.length > 0,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const id = params.workflowId ?? '';
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    const workflow = await getWorkflow(tx, id);
    if (!workflow) return null;
    return { workflow, versions: await listVersions(tx, id) };
  });
  // Another tenant's workflow (RLS hides it) and a made-up id look the same: not found.
  if (!data) throw notFound('This workflow does not exist in this workspace.');
  // Only the kinds of credential the workspace has set up go to the browser, never their ids.
  const credentials = await tenantCredentialKinds(deployContext(tenant, user.id));
  const credentialKinds = Object.keys(credentials).sort();
  return json({
    workflow: toBuilderWorkflow(data.workflow),
    graph: data.workflow.graph as FlowGraph,
    palette: paletteItems(credentialKinds),
    credentialKinds,
    role: tenant.role,
    canEdit: roleAtLeast(tenant.role, 'manager'),
    isAdmin: roleAtLeast(tenant.role, 'admin'),
    versions: data.versions.map((v) => ({
      id: v.id,
      version: v.version,
      note: v.note,
      createdAt: new Date(v.createdAt).toISOString(),
      createdBy: v.createdBy,
    })),
  });
}

type Intent = BuilderActionData['intent'];

function reply(data: BuilderActionData, status = 200) {
  return json(data, { status });
}

/** A failure inside deployment (n8n down, …): logged in full, answered in a sentence. */
function deployFailure(intent: Intent, what: string, err: unknown, ids: Record<string, string>) {
  // The deployment module's "not found" also covers an archived workflow (no longer deployable).
  if (err instanceof Error && err.name === 'WorkflowNotFoundError') {
    return reply({ intent, ok: false, message: `${what} did not work: the workflow is archived or no longer exists.` }, 409);
  }
  if (err instanceof Error && err.name === 'WebhookSecretNotApplicableError') {
    return reply({ intent, ok: false, message: err.message }, 409);
  }
  logger().error({ err, ...ids, intent }, `workflow ${intent} failed`);
  const detail = err instanceof Error && err.message ? ` (${err.message.slice(0, 200)})` : '';
  return reply({ intent, ok: false, message: `${what} did not work${detail}. Try again in a moment.` }, 502);
}

export async function action({ request, params }: ActionFunctionArgs) {
  // Every builder action changes the workflow or runs it: managers and above only.
  const { tenant, user } = await requireTenant(request, 'manager');
  const form = await request.formData();
  await assertCsrf(request, form);
  const id = params.workflowId ?? '';
  const scope = { tenantId: tenant.tenantId, userId: user.id };
  const db = database();
  const isAdmin = roleAtLeast(tenant.role, 'admin');
  const ctx = deployContext(tenant, user.id);
  const ids = { tenantId: tenant.tenantId, workflowId: id };

  const workflow = await db.withTenant(scope, (tx) => getWorkflow(tx, id));
  if (!workflow) throw notFound('This workflow does not exist in this workspace.');

  const intent = String(form.get('intent') ?? '') as Intent;
  if (!['save', 'publish', 'unpublish', 'archive', 'rollback', 'testRun', 'rotateSecret'].includes(intent)) {
    return json({ intent: 'save', ok: false, message: 'Unknown action.' } satisfies BuilderActionData, { status: 400 });
  }
  if (workflow.status === 'archived' && intent !== 'save') {
    return reply({ intent, ok: false, message: 'This workflow is archived: it can no longer be published or run.' }, 409);
  }

  /** Saves the draft sent with the form (autosave, or the unsaved draft before publishing). */
  async function saveFromForm(): Promise<Response | null> {
    const parsed = parseGraphField(form.get('graph'));
    if (!parsed.ok) return reply({ intent, ok: false, message: parsed.message }, 400);
    const name = parseNameField(form.get('name'));
    if (!name.ok) return reply({ intent, ok: false, message: name.message }, 400);
    if (!isAdmin && codeChangedWithoutAdmin(workflow!.graph, parsed.graph)) {
      return reply({ intent, ok: false, message: 'Only administrators can add or change code steps.' }, 403);
    }
    await db.withTenant(scope, (tx) => saveDraft(tx, id, parsed.graph, name.name));
    workflow!.graph = parsed.graph;
    return null;
  }

  /** Code steps run tenant JavaScript inside n8n: deploying or running them is for admins. */
  function codeGuard(graph: unknown): Response | null {
    const problems: DeployProblem[] = isAdmin ? [] : codeProblems(graph);
    if (problems.length === 0) return null;
    return reply(
      { intent, ok: false, message: 'Only administrators can publish or run workflows with code steps.', errors: problems },
      403,
    );
  }

  switch (intent) {
    case 'save': {
      const failed = await saveFromForm();
      return failed ?? reply({ intent, ok: true, savedAt: new Date().toISOString() });
    }
    case 'publish': {
      if (form.has('graph')) {
        const failed = await saveFromForm();
        if (failed) return failed;
      }
      const denied = codeGuard(workflow.graph);
      if (denied) return denied;
      const note =
        String(form.get('note') ?? '')
          .trim()
          .slice(0, 500) || undefined;
      try {
        const result = await publishWorkflow(ctx, id, note);
        if (!result.ok) {
          return reply(
            {
              intent,
              ok: false,
              message: 'The workflow has problems: fix the marked steps and publish again.',
              errors: result.errors,
            },
            422,
          );
        }
        return reply({ intent, ok: true, versionId: result.versionId, version: result.version });
      } catch (err) {
        return deployFailure(intent, 'Publishing', err, ids);
      }
    }
    case 'unpublish':
    case 'archive': {
      try {
        if (intent === 'unpublish') await unpublishWorkflow(ctx, id);
        else await archiveWorkflow(ctx, id);
        return reply({ intent, ok: true });
      } catch (err) {
        return deployFailure(intent, intent === 'unpublish' ? 'Unpublishing' : 'Archiving', err, ids);
      }
    }
    case 'rollback': {
      const versionId = String(form.get('versionId') ?? '');
      const version = await db.withTenant(scope, (tx) => getVersion(tx, id, versionId));
      if (!version) return reply({ intent, ok: false, message: 'That version does not exist.' }, 404);
      const denied = codeGuard(version.graph);
      if (denied) return denied;
      try {
        const result = await rollbackWorkflow(ctx, id, versionId);
        if (!result.ok) {
          return reply(
            { intent, ok: false, message: 'That version no longer publishes: see the marked problems.', errors: result.errors },
            422,
          );
        }
        const after = await db.withTenant(scope, (tx) => getWorkflow(tx, id));
        return reply({
          intent,
          ok: true,
          versionId: result.versionId,
          version: result.version,
          graph: (after?.graph ?? version.graph) as FlowGraph,
        });
      } catch (err) {
        return deployFailure(intent, 'Rolling back', err, ids);
      }
    }
    case 'rotateSecret': {
      if (!webhookSecretApplies(workflow)) return reply({ intent, ok: false, message: WEBHOOK_SECRET_NOT_APPLICABLE }, 409);
      const published = await db.withTenant(scope, (tx) => getVersion(tx, id, workflow.publishedVersionId!));
      const denied = codeGuard(published?.graph);
      if (denied) return denied;
      try {
        const result = await rotateWebhookSecret(ctx, id);
        if (!result.ok) {
          return reply({ intent, ok: false, message: 'The published version no longer deploys: see the marked problems.', errors: result.errors }, 422);
        }
        return reply({ intent, ok: true, versionId: result.versionId, version: result.version });
      } catch (err) {
        return deployFailure(intent, 'Replacing the webhook secret', err, ids);
      }
    }
    case 'testRun': {
      const leadId = String(form.get('leadId') ?? '');
      const lead = /^[0-9a-f-]{36}$/i.test(leadId) ? await db.withTenant(scope, (tx) => getLead(tx, leadId)) : null;
      if (!lead) return reply({ intent, ok: false, message: 'Pick a lead of this workspace to test with.' }, 400);
      // NOTE: a test run executes the published version (code in it was published by an admin),
      // for real: its lead actions apply to the chosen lead.
      if (workflow.status !== 'published') {
        return reply({ intent, ok: false, message: 'Publish the workflow first: a test run uses the published version.' }, 409);
      }
      try {
        const run = await testRunWorkflow(ctx, id, leadId);
        return reply({ intent, ok: true, run });
      } catch (err) {
        return deployFailure(intent, 'The test run', err, ids);
      }
    }
  }
}

// Autosave and test runs change nothing the loader shows: skip the reload they would trigger.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) => {
  const intent = formData?.get('intent');
  if (intent === 'save' || intent === 'testRun') return false;
  return defaultShouldRevalidate;
};

export default function WorkflowBuilder() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="builder-page">
      <p className="crumbs">
        <Link to="/workflows">← Workflows</Link>
      </p>
      <ClientOnly
        fallback={
          <div className="builder builder-loading">
            <header className="builder-bar">
              <div className="builder-title">
                <strong>{data.workflow.name}</strong>
                <span className={`status-badge status-${data.workflow.status}`}>{data.workflow.status}</span>
              </div>
            </header>
            <div className="builder-body">
              <p className="help panel-hint">Loading the canvas…</p>
            </div>
          </div>
        }
      >
        {() => (
          <Builder
            key={data.workflow.id}
            workflow={data.workflow}
            graph={data.graph}
            palette={data.palette}
            credentialKinds={data.credentialKinds}
            canEdit={data.canEdit}
            isAdmin={data.isAdmin}
            versions={data.versions}
          />
        )}
      </ClientOnly>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
