/**
 * Makes a fresh n8n usable without a browser: creates the instance owner and an API key with
 * every scope (n8n has no environment variable for either). On an instance whose owner already
 * exists it logs in with the stored credentials and creates a new key.
 *
 * The caller stores the result encrypted, e.g.
 *   encryptSecret(JSON.stringify(result), env().LEADFLOW_ENCRYPTION_KEY)
 * NOTE: n8n shows a raw API key once; losing it means calling bootstrapN8n again.
 */
import { randomBytes } from 'node:crypto';
import type { SupervisorLogger } from './supervisor.server';

export interface N8nOwnerCredentials {
  ownerEmail: string;
  ownerPassword: string;
}

export interface N8nBootstrapResult extends N8nOwnerCredentials {
  apiKey: string;
  apiKeyId: string;
  apiKeyLabel: string;
  /** True when this call created the owner (a fresh instance). */
  ownerCreated: boolean;
}

export interface BootstrapN8nOptions {
  /** n8n base URL, e.g. http://127.0.0.1:5678 */
  url: string;
  /** Credentials kept from an earlier bootstrap; required when the owner already exists. */
  stored?: N8nOwnerCredentials;
  /** Owner e-mail for a fresh instance (n8n lower-cases it). */
  ownerEmail?: string;
  logger?: SupervisorLogger;
  timeoutMs?: number;
}

export class N8nBootstrapError extends Error {
  constructor(
    message: string,
    public readonly status?: number,
    public readonly body?: unknown,
  ) {
    super(message);
    this.name = 'N8nBootstrapError';
  }
}

const DEFAULT_OWNER_EMAIL = 'n8n-owner@leadflow.invalid';

/** 8–64 characters with a digit and an upper-case letter, as n8n requires. */
export function generateOwnerPassword(): string {
  return `Lf9-${randomBytes(24).toString('base64url')}`;
}

interface RestResult {
  status: number;
  body: unknown;
  cookie: string | undefined;
}

async function rest(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; timeoutMs: number },
): Promise<RestResult> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new N8nBootstrapError(`n8n ${method} ${path}: ${(error as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // keep the text
  }
  const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
  return { status: res.status, body, cookie: auth?.split(';')[0] };
}

function fail(step: string, r: RestResult): never {
  const message = r.body && typeof r.body === 'object' && 'message' in r.body ? String(r.body.message) : String(r.body);
  throw new N8nBootstrapError(`n8n bootstrap: ${step} failed (${r.status}): ${message}`, r.status, r.body);
}

/** Whether n8n still waits for its owner (settings.userManagement.showSetupOnFirstLoad). */
export async function n8nNeedsOwner(url: string, timeoutMs = 10_000): Promise<boolean> {
  const r = await rest(url.replace(/\/+$/, ''), 'GET', '/rest/settings', { timeoutMs });
  if (r.status !== 200) fail('reading /rest/settings', r);
  const data = (r.body as { data?: { userManagement?: { showSetupOnFirstLoad?: boolean } } }).data;
  return data?.userManagement?.showSetupOnFirstLoad === true;
}

export async function bootstrapN8n(options: BootstrapN8nOptions): Promise<N8nBootstrapResult> {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const log = options.logger;

  let credentials: N8nOwnerCredentials | undefined;
  let cookie: string | undefined;
  let ownerCreated = false;

  if (await n8nNeedsOwner(base, timeoutMs)) {
    const candidate = {
      ownerEmail: (options.ownerEmail ?? options.stored?.ownerEmail ?? DEFAULT_OWNER_EMAIL).toLowerCase(),
      ownerPassword: options.stored?.ownerPassword ?? generateOwnerPassword(),
    };
    const r = await rest(base, 'POST', '/rest/owner/setup', {
      timeoutMs,
      body: { email: candidate.ownerEmail, firstName: 'Leadflow', lastName: 'System', password: candidate.ownerPassword },
    });
    if (r.status === 200 && r.cookie) {
      credentials = candidate;
      cookie = r.cookie;
      ownerCreated = true;
      log?.info({ component: 'n8n', ownerEmail: candidate.ownerEmail }, 'n8n owner created');
    } else if (r.status !== 400) {
      fail('owner setup', r);
    }
    // 400 "Instance owner already setup": another process won the race; log in below.
  }

  if (!cookie) {
    if (!options.stored) {
      throw new N8nBootstrapError(
        'n8n bootstrap: the n8n instance already has an owner but no stored owner credentials were given; ' +
          'restore them, or give n8n a fresh database',
      );
    }
    credentials = options.stored;
    const r = await rest(base, 'POST', '/rest/login', {
      timeoutMs,
      body: { emailOrLdapLoginId: credentials.ownerEmail, password: credentials.ownerPassword },
    });
    if (r.status !== 200 || !r.cookie) fail('owner login', r);
    cookie = r.cookie;
    log?.info({ component: 'n8n' }, 'logged in to n8n as its owner');
  }

  const scopes = await rest(base, 'GET', '/rest/api-keys/scopes', { timeoutMs, cookie });
  if (scopes.status !== 200) fail('listing API key scopes', scopes);
  const scopeList = (scopes.body as { data?: unknown }).data;
  if (!Array.isArray(scopeList) || scopeList.length === 0) fail('listing API key scopes (empty)', scopes);

  // Labels must be unique per user (n8n answers 500 for a duplicate).
  const apiKeyLabel = `leadflow-${new Date().toISOString()}-${randomBytes(3).toString('hex')}`;
  const created = await rest(base, 'POST', '/rest/api-keys', {
    timeoutMs,
    cookie,
    body: { label: apiKeyLabel, scopes: scopeList, expiresAt: null },
  });
  const key = (created.body as { data?: { rawApiKey?: string; id?: string } } | null)?.data;
  if (created.status !== 200 || !key?.rawApiKey || !key.id) fail('creating the API key', created);

  // The public API does not take the cookie and /rest does not take the key: prove the key works.
  const check = await fetch(`${base}/api/v1/workflows?limit=1`, {
    headers: { 'X-N8N-API-KEY': key.rawApiKey },
    signal: AbortSignal.timeout(timeoutMs),
  });
  await check.arrayBuffer();
  if (check.status !== 200)
    throw new N8nBootstrapError(`n8n bootstrap: the new API key was refused (${check.status})`, check.status);

  log?.info({ component: 'n8n', apiKeyId: key.id, scopes: scopeList.length }, 'n8n API key created');
  return { ...credentials!, apiKey: key.rawApiKey, apiKeyId: key.id, apiKeyLabel, ownerCreated };
}
