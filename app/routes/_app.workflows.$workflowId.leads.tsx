// Resource route: a small search of the workspace's leads (email, name, company) to pick one
// for a workflow test run.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import type { LeadSearchData } from '~/components/flow/types';
import { requireTenant } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { notFound } from '~/lib/http.server';
import { listLeads } from '~/models/lead.server';
import { getWorkflow } from '~/models/workflow.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, user } = await requireTenant(request, 'viewer');
  const q = (new URL(request.url).searchParams.get('q') ?? '').trim().slice(0, 100);
  const data = await database().withTenant({ tenantId: tenant.tenantId, userId: user.id }, async (tx) => {
    if (!(await getWorkflow(tx, params.workflowId ?? ''))) return null;
    return listLeads(tx, { q: q || undefined, limit: 8 });
  });
  if (!data) throw notFound('This workflow does not exist in this workspace.');
  return json<LeadSearchData>({
    leads: data.leads.map((l) => ({
      id: l.id,
      name: [l.firstName, l.lastName].filter(Boolean).join(' '),
      email: l.email,
      company: l.companyName,
    })),
  });
}
