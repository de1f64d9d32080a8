import type { ActionFunctionArgs } from '@remix-run/node';
import { sql } from 'drizzle-orm';
import { ApiError, apiProblem, apiRoute, validationProblem } from '~/lib/api.server';
import { clientIp } from '~/lib/auth.server';
import { database } from '~/lib/db.server';
import { env } from '~/lib/env.server';
import { TokenBuckets } from '~/lib/token-bucket';
import { captureBodySchema, interpretCapture, normaliseCaptureKeys } from '~/models/capture.server';
import { upsertLead } from '~/models/lead.server';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
};

let keyBuckets: TokenBuckets | undefined;
let ipBuckets: TokenBuckets | undefined;
const tenantCache = new Map<string, { tenantId: string | null; until: number }>();

/** Capture key → tenant id through the capability policy; cached briefly (including misses). */
async function tenantForCaptureKey(key: string): Promise<string | null> {
  const hit = tenantCache.get(key);
  if (hit && hit.until > Date.now()) return hit.tenantId;
  const tenantId = await database().db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.lookup_capture_key', ${key}, true)`);
    const rows = await tx.execute<{ id: string }>(sql`select id from tenants where capture_key = ${key}`);
    return rows.rows[0]?.id ?? null;
  });
  if (tenantCache.size > 10_000) tenantCache.clear();
  tenantCache.set(key, { tenantId, until: Date.now() + 60_000 });
  return tenantId;
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('Content-Type') ?? '';
  if (type.includes('application/json')) {
    const text = await request.text();
    if (text.length > 64 * 1024) throw new ApiError(413, 'Payload too large', 'A submission may be at most 64 KB.');
    try {
      const data = JSON.parse(text) as unknown;
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
      return data as Record<string, unknown>;
    } catch {
      throw new ApiError(400, 'Malformed JSON', 'The body must be a JSON object.');
    }
  }
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    const form = await request.formData();
    const out: Record<string, unknown> = {};
    for (const [k, v] of form) if (typeof v === 'string') out[k] = v;
    return out;
  }
  throw new ApiError(415, 'Unsupported media type', 'Send JSON or a form (application/x-www-form-urlencoded).');
}

function withCors(res: Response): Response {
  for (const [k, v] of Object.entries(CORS)) res.headers.set(k, v);
  return res;
}

export async function loader() {
  return withCors(apiProblem(405, 'Method not allowed', 'Submit the form with POST.'));
}

const handle = apiRoute(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204 });
  if (request.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Submit the form with POST.');
  keyBuckets ??= new TokenBuckets(env().CAPTURE_RATE_PER_KEY);
  ipBuckets ??= new TokenBuckets(env().CAPTURE_RATE_PER_IP);
  const key = params.captureKey ?? '';
  const wait = keyBuckets.take(key) || ipBuckets.take(`${key}:${clientIp(request)}`);
  if (wait) {
    return apiProblem(429, 'Too many submissions', `Try again in ${wait} seconds.`, {}, { 'Retry-After': String(wait) });
  }
  const tenantId = /^pk_[a-f0-9]{32}$/.test(key) ? await tenantForCaptureKey(key) : null;
  if (!tenantId) throw new ApiError(404, 'Unknown form', 'This capture key does not exist.');
  const raw = normaliseCaptureKeys(await readBody(request));
  const parsed = captureBodySchema.safeParse(raw);
  if (!parsed.success) throw validationProblem(parsed.error);
  const body = parsed.data;
  const respond = () =>
    body._redirect && /^https?:\/\//.test(body._redirect)
      ? new Response(null, { status: 303, headers: { Location: body._redirect } })
      : new Response(JSON.stringify({ ok: true }), { status: 201, headers: { 'Content-Type': 'application/json' } });
  // Honeypot: a bot filled the hidden field. Answer as if it worked; store nothing.
  if (body._gotcha) return respond();
  const { fields, touch, extras, message } = interpretCapture(body, { referer: request.headers.get('Referer') });
  if (!fields.email && !fields.phone) {
    throw new ApiError(422, 'Validation failed', 'A submission needs an email or a phone number.', {
      errors: [{ field: 'email', message: 'Enter an email address (or a phone number)' }],
    });
  }
  // Acknowledge only after the lead and its event are committed.
  await database().withTenant(tenantId, (tx) =>
    upsertLead(tx, tenantId, fields, { type: 'capture', id: key.slice(0, 11) }, {
      eventType: 'form_submitted',
      eventPayload: { ...(message ? { message } : {}), ...(Object.keys(extras).length ? { fields: extras } : {}) },
      touch,
    }),
  );
  return respond();
});

export async function action(args: ActionFunctionArgs) {
  return withCors(await handle(args));
}
