// Resource route: one published version of a workflow (graph and compiled JSON) and the version
// before it, for the builder's version view and diffs.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { FlowGraph } from '@leadflow/workflow-compiler';
import type { VersionDetail, VersionLoaderData } from '~/components/flow/types';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import { getVersion, getWorkflow, type WorkflowVersion } from '~/models/workflow.server';
import { schema } from '../../db';

function detail(v: WorkflowVersion): VersionDetail {
  return {
    id: v.id,
    version: v.version,
    note: v.note,
    createdAt: new Date(v.createdAt).toISOString(),
    createdBy: v.createdBy,
    graph: v.graph as FlowGraph,
    compiled: v.compiled,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const workflowId = params.workflowId ?? '';
  const versionId = params.versionId ?? '';
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    if (!(await getWorkflow(tx, workflowId))) return null;
    const version = await getVersion(tx, workflowId, versionId);
    if (!version) return null;
    const v = schema.workflowVersions;
    const [previous] = await tx
      .select()
      .from(v)
      .where(and(eq(v.workflowId, workflowId), lt(v.version, version.version)))
      .orderBy(desc(v.version))
      .limit(1);
    return { version, previous: previous ?? null };
  });
  if (!data) throw notFound('This version does not exist in this workspace.');
  return json<VersionLoaderData>({ version: detail(data.version), previous: data.previous ? detail(data.previous) : null });
}
