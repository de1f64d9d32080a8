import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { ApiError, apiRoute, json, readJson, requireApiKey, withIdempotency } from '~/lib/api.server';
import { database } from '~/lib/db.server';
import { appendEvent, getLead, listEvents } from '~/models/lead.server';
import { eventToResource, newEventSchema } from '~/models/lead-api';
import { z } from 'zod';

const notFound = () => new ApiError(404, 'Lead not found', 'No lead with this id exists in your workspace.');
const limitSchema = z.coerce.number().int().min(1).max(500).default(100);

/** GET /api/v1/leads/{id}/events — the lead's history, newest first. */
export const loader = apiRoute(async ({ request, params }: LoaderFunctionArgs) => {
  const principal = await requireApiKey(request, 'read');
  const limit = limitSchema.safeParse(new URL(request.url).searchParams.get('limit') ?? undefined);
  if (!limit.success) throw new ApiError(400, 'Invalid limit', 'limit must be an integer from 1 to 500.');
  const events = await database().withTenant(principal.tenantId, async (tx) => {
    if (!(await getLead(tx, params.leadId!))) throw notFound();
    return listEvents(tx, params.leadId!, limit.data);
  });
  return json({ data: events.map(eventToResource) });
});

/** POST /api/v1/leads/{id}/events — record an interaction (note, call, email_opened, …). */
export const action = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Use GET or POST on lead events.');
  const principal = await requireApiKey(request, 'write');
  const body = await readJson(request, newEventSchema);
  return withIdempotency(request, principal, body, async (tx) => {
    if (!(await getLead(tx, params.leadId!))) throw notFound();
    const event = await appendEvent(tx, principal.tenantId, params.leadId!, body.type, { type: 'api', id: principal.keyId }, body.payload, body.occurredAt ? new Date(body.occurredAt) : undefined);
    return { status: 201, body: { data: eventToResource(event) } };
  });
});
