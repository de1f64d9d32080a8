/**
 * The REST API's plumbing: API-key authentication, RFC 9457 problem+json errors for everything
 * that goes wrong (never an HTML page or a stack trace), request-body validation, and
 * Idempotency-Key handling for POST.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db';
import { authenticateApiKey, type ApiPrincipal, type ApiScope } from '../models/api-key.server';
import { database } from './db.server';
import { problem } from './http.server';
import { logger } from './logger.server';

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly title: string,
    public readonly detail?: string,
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }
}

const PROBLEM_TYPES: Record<number, string> = {
  400: 'https://leadflow.dev/problems/bad-request',
  401: 'https://leadflow.dev/problems/unauthorized',
  403: 'https://leadflow.dev/problems/forbidden',
  404: 'https://leadflow.dev/problems/not-found',
  405: 'https://leadflow.dev/problems/method-not-allowed',
  409: 'https://leadflow.dev/problems/conflict',
  413: 'https://leadflow.dev/problems/payload-too-large',
  415: 'https://leadflow.dev/problems/unsupported-media-type',
  422: 'https://leadflow.dev/problems/validation',
  429: 'https://leadflow.dev/problems/rate-limited',
  500: 'https://leadflow.dev/problems/internal',
};

export function apiProblem(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return problem({ type: PROBLEM_TYPES[status] ?? 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra }, { headers });
}

export function validationProblem(error: z.ZodError, where = 'body'): ApiError {
  return new ApiError(422, 'Validation failed', `The request ${where} has invalid fields.`, {
    errors: error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message })),
  });
}

/** Wraps a loader/action so every failure becomes problem+json. */
export function apiRoute<A extends { request: Request }>(fn: (args: A) => Promise<Response>) {
  return async (args: A): Promise<Response> => {
    try {
      return await fn(args);
    } catch (err) {
      if (err instanceof Response) {
        if (err.headers.get('Content-Type')?.includes('problem+json')) return err;
        return apiProblem(err.status, err.statusText || 'Error', await err.text().catch(() => undefined));
      }
      if (err instanceof ApiError) return apiProblem(err.status, err.title, err.detail, err.extra);
      if (err instanceof z.ZodError) {
        const v = validationProblem(err);
        return apiProblem(v.status, v.title, v.detail, v.extra);
      }
      logger().error({ err, url: args.request.url, method: args.request.method }, 'API request failed');
      return apiProblem(500, 'Internal error', 'Something went wrong on our side. It has been logged.');
    }
  };
}

/** Authenticates `Authorization: Bearer <key>` (or X-API-Key) and checks the scope. */
export async function requireApiKey(request: Request, scope: ApiScope): Promise<ApiPrincipal> {
  const header = request.headers.get('Authorization');
  const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : request.headers.get('X-API-Key')?.trim();
  if (!key) throw new ApiError(401, 'Authentication required', 'Send your API key as "Authorization: Bearer <key>".');
  const principal = await authenticateApiKey(database(), key);
  if (!principal) throw new ApiError(401, 'Invalid API key', 'The API key is unknown or was revoked.');
  if (!principal.scopes.includes(scope)) throw new ApiError(403, 'Insufficient scope', `This API key lacks the "${scope}" scope.`);
  return principal;
}

const MAX_BODY = 1024 * 1024;

/** Reads and validates a JSON body. */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.includes('application/json')) throw new ApiError(415, 'Unsupported media type', 'Send the body as application/json.');
  const text = await request.text();
  if (text.length > MAX_BODY) throw new ApiError(413, 'Payload too large', `The body may be at most ${MAX_BODY} bytes.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw validationProblem(parsed.error);
  return parsed.data;
}

export function json(data: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(data), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/**
 * Runs a POST in one tenant transaction, honouring Idempotency-Key: the first request with a key
 * stores its response; a retry with the same key and body gets the same response (with
 * `Idempotent-Replayed: true`); the same key with another body is refused (422). Concurrent
 * duplicates wait on the key's row and then replay.
 */
export async function withIdempotency(
  request: Request,
  principal: ApiPrincipal,
  body: unknown,
  handler: (tx: Tx) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>,
): Promise<Response> {
  const key = request.headers.get('Idempotency-Key');
  if (key !== null && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ApiError(400, 'Invalid Idempotency-Key', 'Use 1–255 visible ASCII characters.');
  }
  const requestHash = crypto
    .createHash('sha256')
    .update(`${request.method} ${new URL(request.url).pathname}\n${JSON.stringify(body)}`)
    .digest('hex');
  const result = await database().withTenant(principal.tenantId, async (tx) => {
    if (key) {
      const claimed = await tx.execute(sql`
        insert into idempotency_keys (tenant_id, key, request_hash, status, body)
        values (${principal.tenantId}, ${key}, ${requestHash}, 0, '{}'::jsonb)
        on conflict (tenant_id, key) do nothing returning key`);
      if (claimed.rows.length === 0) {
        const prior = await tx.execute<{ request_hash: string; status: number; body: unknown; created_at: Date }>(
          sql`select request_hash, status, body, created_at from idempotency_keys where key = ${key}`,
        );
        const row = prior.rows[0];
        if (row.request_hash !== requestHash) {
          throw new ApiError(422, 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request.');
        }
        return { status: row.status, body: row.body, headers: { 'Idempotent-Replayed': 'true' } };
      }
    }
    const out = await handler(tx);
    if (key) {
      await tx.execute(sql`update idempotency_keys set status = ${out.status}, body = ${JSON.stringify(out.body)}::jsonb where key = ${key}`);
    }
    return out;
  });
  return json(result.body, result.status, result.headers);
}
