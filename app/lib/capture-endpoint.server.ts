/**
 * POST /api/v1/capture/<capture key>: the public form endpoint, independent of the web framework.
 * Two adapters share it: `captureHttpHandler` (node:http), which scripts/start.ts puts in front of
 * express and Remix's request handler — the endpoint is hot (issue 3: ≥ 2,000 captures/s) and
 * needs nothing they do — and the Remix route `app/routes/api.v1.capture.$captureKey.ts`
 * (tests, and any server that does not mount the express route).
 *
 * Order of checks: method → rate limits (per key, per key+IP) → capture key → body → zod schema →
 * honeypot → email or phone → store (committed) → 201 JSON or 303 redirect. Every answer carries
 * the CORS headers; every error is problem+json.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { captureBodySchema, interpretCapture, normaliseCaptureKeys } from '../models/capture.server';
import { storeCapture } from '../models/capture-store.server';
import { ApiError, apiProblem, validationProblem } from './api.server';
import { clientIp } from './auth.server';
import { database } from './db.server';
import { env } from './env.server';
import { logger } from './logger.server';
import { TokenBuckets } from './token-bucket';

export const CAPTURE_CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
};

/** A JSON submission may be at most this many characters (as before the express route). */
const MAX_JSON_CHARS = 64 * 1024;
/** Bytes read from a request body at most; beyond it the submission is refused (413). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface CaptureRequest {
  method: string;
  captureKey: string;
  /** For the error log only. */
  url: string;
  headers: { get(name: string): string | null };
  /** The parsed body (JSON object or form fields); throws ApiError 400/413/415. */
  readBody(): Promise<Record<string, unknown>>;
}

export interface CaptureAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

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

/** A JSON body must be one object. */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.length > MAX_JSON_CHARS) throw new ApiError(413, 'Payload too large', 'A submission may be at most 64 KB.');
  try {
    const data = JSON.parse(text) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
    return data as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'Malformed JSON', 'The body must be a JSON object.');
  }
}

function formFields(form: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of form) if (typeof v === 'string') out[k] = v;
  return out;
}

const unsupported = () => new ApiError(415, 'Unsupported media type', 'Send JSON or a form (application/x-www-form-urlencoded).');
const isJson = (type: string) => type.includes('application/json');
const isForm = (type: string) => type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data');

/** Body of a Fetch API request (the Remix route). */
export async function readFetchBody(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('Content-Type') ?? '';
  if (isJson(type)) return parseJsonBody(await request.text());
  if (isForm(type)) return formFields(await request.formData());
  throw unsupported();
}

async function answerFromResponse(res: Response): Promise<CaptureAnswer> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: res.status, headers, body: await res.text() };
}

const withCors = (a: CaptureAnswer): CaptureAnswer => ({ ...a, headers: { ...a.headers, ...CAPTURE_CORS } });

async function capture(req: CaptureRequest): Promise<CaptureAnswer> {
  if (req.method === 'OPTIONS') return { status: 204, headers: {}, body: null };
  if (req.method !== 'POST') throw new ApiError(405, 'Method not allowed', 'Submit the form with POST.');
  keyBuckets ??= new TokenBuckets(env().CAPTURE_RATE_PER_KEY);
  ipBuckets ??= new TokenBuckets(env().CAPTURE_RATE_PER_IP);
  const key = req.captureKey;
  const wait = keyBuckets.take(key) || ipBuckets.take(`${key}:${clientIp(req)}`);
  if (wait) {
    return answerFromResponse(
      apiProblem(429, 'Too many submissions', `Try again in ${wait} seconds.`, {}, { 'Retry-After': String(wait) }),
    );
  }
  const tenantId = /^pk_[a-f0-9]{32}$/.test(key) ? await tenantForCaptureKey(key) : null;
  if (!tenantId) throw new ApiError(404, 'Unknown form', 'This capture key does not exist.');
  const raw = normaliseCaptureKeys(await req.readBody());
  const parsed = captureBodySchema.safeParse(raw);
  if (!parsed.success) throw validationProblem(parsed.error);
  const body = parsed.data;
  const respond = (): CaptureAnswer =>
    body._redirect && /^https?:\/\//.test(body._redirect)
      ? { status: 303, headers: { Location: body._redirect }, body: null }
      : { status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' };
  // Honeypot: a bot filled the hidden field. Answer as if it worked; store nothing.
  if (body._gotcha) return respond();
  const { fields, touch, extras, message } = interpretCapture(body, { referer: req.headers.get('Referer') });
  if (!fields.email && !fields.phone) {
    throw new ApiError(422, 'Validation failed', 'A submission needs an email or a phone number.', {
      errors: [{ field: 'email', message: 'Enter an email address (or a phone number)' }],
    });
  }
  // Acknowledge only after the lead and its event are committed.
  await storeCapture(database(), tenantId, fields, { type: 'capture', id: key.slice(0, 11) }, {
    eventType: 'form_submitted',
    eventPayload: { ...(message ? { message } : {}), ...(Object.keys(extras).length ? { fields: extras } : {}) },
    touch,
  });
  return respond();
}

/** Runs the endpoint; never throws. Failures become problem+json (500s are logged). */
export async function handleCapture(req: CaptureRequest): Promise<CaptureAnswer> {
  try {
    return withCors(await capture(req));
  } catch (err) {
    if (err instanceof ApiError) return withCors(await answerFromResponse(apiProblem(err.status, err.title, err.detail, err.extra)));
    if (err instanceof z.ZodError) {
      const v = validationProblem(err);
      return withCors(await answerFromResponse(apiProblem(v.status, v.title, v.detail, v.extra)));
    }
    logger().error({ err, url: req.url, method: req.method }, 'API request failed');
    return withCors(
      await answerFromResponse(apiProblem(500, 'Internal error', 'Something went wrong on our side. It has been logged.')),
    );
  }
}

/** Reads a node request body up to MAX_BODY_BYTES (the rest is drained and dropped). */
function readRaw(req: IncomingMessage): Promise<{ buffer: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) truncated = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve({ buffer: Buffer.concat(chunks), truncated }));
    req.on('error', reject);
  });
}

async function readNodeBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!isJson(type) && !isForm(type)) throw unsupported();
  const { buffer, truncated } = await readRaw(req);
  if (truncated) throw new ApiError(413, 'Payload too large', 'A submission may be at most 1 MB.');
  if (isJson(type)) return parseJsonBody(buffer.toString('utf8'));
  if (type.includes('application/x-www-form-urlencoded')) return formFields(new URLSearchParams(buffer.toString('utf8')));
  // multipart/form-data: the same parser the Remix route uses (undici's).
  return formFields(await new Request('http://capture.invalid/', { method: 'POST', headers: { 'Content-Type': type }, body: new Uint8Array(buffer) }).formData());
}

/**
 * The capture key when `url` (a request target: path and query) is the capture endpoint, else
 * null. Matches what the Remix route matches: /api/v1/capture/<one segment>, optional trailing slash.
 */
export function captureKeyFromPath(url: string): string | null {
  const match = /^\/api\/v1\/capture\/([^/?#]+)\/?(?:[?#]|$)/.exec(url);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // malformed escape: left to the framework's 400
  }
}

/**
 * node:http / express adapter. `captureKey` is the decoded path segment. Resolves once the answer
 * is written; never rejects.
 */
export async function captureHttpHandler(req: IncomingMessage, res: ServerResponse, captureKey: string): Promise<void> {
  const answer = await handleCapture({
    method: req.method ?? 'GET',
    captureKey,
    url: req.url ?? '',
    headers: {
      get: (name) => {
        const v = req.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    readBody: () => readNodeBody(req),
  });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}
