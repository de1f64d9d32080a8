// Resource route: a workflow's recent n8n executions for the builder's "Runs" tab. Loaded on
// demand (not by the builder's loader) so the canvas opens even when n8n is unreachable.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import type { ExecutionsLoaderData } from '~/components/flow/types';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import { logger } from '~/lib/logger.server';
import { listExecutions } from '~/lib/workflow-deploy.server';
import { getWorkflow } from '~/models/workflow.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const workflowId = params.workflowId ?? '';
  const workflow = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, (tx) =>
    getWorkflow(tx, workflowId),
  );
  if (!workflow) throw notFound('This workflow does not exist in this workspace.');
  try {
    const executions = await listExecutions(
      { tenantId: tenant.tenantId, tenantSlug: tenant.slug, userId: user.id, role: tenant.role },
      workflowId,
      50,
    );
    return json<ExecutionsLoaderData>({ ok: true, executions });
  } catch (err) {
    logger().error({ err, tenantId: tenant.tenantId, workflowId }, 'listing workflow executions failed');
    return json<ExecutionsLoaderData>(
      { ok: false, message: 'The run history is not available right now. Try again in a moment.' },
      { status: 502 },
    );
  }
}
