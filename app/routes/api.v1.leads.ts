import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { ApiError, apiRoute, json, readJson, requireApiKey, withIdempotency } from '~/lib/api.server';
import { database } from '~/lib/db.server';
import { leadFieldsSchema } from '~/models/lead-fields';
import { parseLeadFilter } from '~/models/lead-filter';
import { BadCursorError, listLeads, upsertLead } from '~/models/lead.server';
import { leadToResource } from '~/models/lead-api';

/** GET /api/v1/leads — the list, with the same filters as the lead list page. */
export const loader = apiRoute(async ({ request }: LoaderFunctionArgs) => {
  const principal = await requireApiKey(request, 'read');
  const parsed = parseLeadFilter(new URL(request.url).searchParams);
  if (!parsed.ok) throw new ApiError(400, 'Invalid filter', 'Some query parameters are invalid.', { errors: parsed.errors });
  try {
    const page = await database().withTenant(principal.tenantId, (tx) => listLeads(tx, parsed.filter));
    return json({ data: page.leads.map(leadToResource), nextCursor: page.nextCursor });
  } catch (err) {
    if (err instanceof BadCursorError) throw new ApiError(400, 'Invalid cursor', err.message);
    throw err;
  }
});

/** POST /api/v1/leads — create, or merge into the lead with the same email (200 vs 201). */
export const action = apiRoute(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Use GET or POST on /api/v1/leads.');
  const principal = await requireApiKey(request, 'write');
  const body = await readJson(request, leadFieldsSchema);
  return withIdempotency(request, principal, body, async (tx) => {
    const result = await upsertLead(tx, principal.tenantId, body, { type: 'api', id: principal.keyId });
    return {
      status: result.status === 'created' ? 201 : 200,
      body: { data: leadToResource(result.lead), status: result.status, conflicts: result.conflicts },
    };
  });
});
