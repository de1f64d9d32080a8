import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { ApiError, apiRoute, json, readJson, requireApiKey } from '~/lib/api.server';
import { database } from '~/lib/db.server';
import { leadFieldsSchema } from '~/models/lead-fields';
import { deleteLead, getLead, LeadEmailTakenError, updateLead } from '~/models/lead.server';
import { leadToResource } from '~/models/lead-api';

const notFound = () => new ApiError(404, 'Lead not found', 'No lead with this id exists in your workspace.');

/** GET /api/v1/leads/{id} */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
  const principal = await requireApiKey(request, 'read');
  const lead = await database().withTenant(principal.tenantId, (tx) => getLead(tx, params.leadId!));
  if (!lead) throw notFound();
  return json({ data: leadToResource(lead) });
});

/** PATCH (update the given fields) and DELETE /api/v1/leads/{id} */
export const action = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== 'PATCH' && request.method !== 'DELETE') {
    throw new ApiError(405, 'Method not allowed', 'Use GET, PATCH or DELETE on a lead.');
  }
  const principal = await requireApiKey(request, 'write');
  const id = params.leadId!;
  const actor = { type: 'api' as const, id: principal.keyId };
  if (request.method === 'PATCH') {
    const patch = await readJson(request, leadFieldsSchema);
    try {
      const lead = await database().withTenant(principal.tenantId, (tx) => updateLead(tx, principal.tenantId, id, patch, actor));
      if (!lead) throw notFound();
      return json({ data: leadToResource(lead) });
    } catch (err) {
      if (err instanceof LeadEmailTakenError) throw new ApiError(409, 'Email already used', err.message);
      throw err;
    }
  }
  if (request.method === 'DELETE') {
    const deleted = await database().withTenant(principal.tenantId, (tx) => deleteLead(tx, principal.tenantId, id, actor));
    if (!deleted) throw notFound();
    return new Response(null, { status: 204 });
  }
  throw new ApiError(405, 'Method not allowed', 'Use GET, PATCH or DELETE on a lead.');
});
