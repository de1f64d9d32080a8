/**
 * The one wrapper over n8n's public API (`/api/v1`, header `X-N8N-API-KEY`), checked against
 * n8n 2.41.1. Every call has a timeout; every failure is an N8nApiError.
 *
 * Types here are the small subset of n8n's own (packages/workflow/src/interfaces.ts) that
 * Leadflow reads or writes; n8n accepts and returns more.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
  /** Required on webhook nodes: without it the production path silently changes. */
  webhookId?: string;
  disabled?: boolean;
  notes?: string;
  continueOnFail?: boolean;
  onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTries?: number;
}

export interface N8nConnection {
  node: string;
  type: 'main' | string;
  index: number;
}

/** Keyed by source node NAME, then connection type, then output index. */
export type N8nConnections = Record<string, Record<string, Array<N8nConnection[] | null>>>;

export interface N8nWorkflowSettings {
  executionOrder?: 'v0' | 'v1';
  saveDataErrorExecution?: 'all' | 'none';
  saveDataSuccessExecution?: 'all' | 'none';
  saveManualExecutions?: boolean;
  saveExecutionProgress?: boolean;
  executionTimeout?: number;
  errorWorkflow?: string;
  timezone?: string;
  callerPolicy?: 'any' | 'none' | 'workflowsFromAList' | 'workflowsFromSameOwner';
}

/** What createWorkflow/updateWorkflow accept (`active`, `id`, `tags` are read-only there). */
export interface N8nWorkflowInput {
  name: string;
  nodes: N8nNode[];
  connections: N8nConnections;
  settings: N8nWorkflowSettings;
  staticData?: Record<string, unknown> | null;
}

export interface N8nTag {
  id: string;
  name: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface N8nWorkflow extends N8nWorkflowInput {
  id: string;
  /** Published (2.x) = active (1.x). */
  active: boolean;
  /** The version that runs in production; null when unpublished. */
  activeVersionId: string | null;
  /** The latest saved version (the draft). */
  versionId: string;
  isArchived: boolean;
  createdAt: string;
  updatedAt: string;
  tags?: N8nTag[];
}

export interface N8nCredential {
  id: string;
  name: string;
  type: string;
  createdAt: string;
  updatedAt: string;
}

export interface N8nCredentialInput {
  name: string;
  /** Credential type name, e.g. `smtp`, `httpHeaderAuth`, `postgres`. */
  type: string;
  /** Must match getCredentialSchema(type): unknown keys are rejected (400). */
  data: Record<string, unknown>;
}

/** JSON Schema of a credential type's data, as n8n reports it. */
export interface N8nCredentialSchema {
  type: 'object';
  additionalProperties?: boolean;
  properties: Record<string, { type: string; enum?: unknown[] }>;
  required?: string[];
  [key: string]: unknown;
}

export interface N8nItem {
  json: Record<string, unknown>;
  binary?: Record<string, unknown>;
  pairedItem?: unknown;
}

export interface N8nNodeRun {
  startTime: number;
  executionTime: number;
  executionStatus?: string;
  /** data.main[outputIndex][itemIndex]; an output that produced nothing may be null. */
  data?: { main: Array<N8nItem[] | null> };
  error?: { message: string; [key: string]: unknown };
  source?: unknown[];
}

export type N8nExecutionStatus = 'canceled' | 'crashed' | 'error' | 'new' | 'running' | 'success' | 'unknown' | 'waiting';

export interface N8nExecution {
  id: string;
  finished: boolean;
  mode: string;
  status: N8nExecutionStatus;
  startedAt: string;
  stoppedAt: string | null;
  workflowId: string;
  retryOf: string | null;
  waitTill: string | null;
  /** Present with includeData. */
  data?: {
    resultData: {
      runData: Record<string, N8nNodeRun[]>;
      lastNodeExecuted?: string;
      error?: { message: string; [key: string]: unknown };
    };
    [key: string]: unknown;
  };
}

export interface N8nPage<T> {
  data: T[];
  nextCursor: string | null;
}

export class N8nApiError extends Error {
  constructor(
    /** HTTP status; 0 when no response arrived (timeout, connection refused). */
    public readonly status: number,
    /** Parsed JSON body when there was one, else the text (or the network error message). */
    public readonly body: unknown,
    public readonly method: string,
    public readonly path: string,
    options?: { cause?: unknown },
  ) {
    const detail =
      body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : String(body ?? '');
    super(`n8n ${method} ${path} → ${status || 'no response'}${detail ? `: ${detail.slice(0, 300)}` : ''}`, options);
    this.name = 'N8nApiError';
  }
}

export interface N8nClientOptions {
  /** n8n base URL, e.g. http://127.0.0.1:5678 */
  baseUrl: string;
  apiKey: string;
  /** Production webhook base; defaults to `<baseUrl>/webhook`. */
  webhookBaseUrl?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface N8nWebhookResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON, else text. */
  body: unknown;
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function notRegistered(status: number, body: unknown): boolean {
  if (status !== 404 || !body || typeof body !== 'object') return false;
  const message = String((body as { message?: unknown }).message ?? '');
  return message.includes('is not registered');
}

export class N8nClient {
  readonly baseUrl: string;
  readonly webhookBaseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(options: N8nClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.webhookBaseUrl = (options.webhookBaseUrl ?? `${this.baseUrl}/webhook`).replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** One public-API call. `path` is relative to /api/v1 and may carry a query string. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          'X-N8N-API-KEY': this.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new N8nApiError(0, (error as Error).message, method, path, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = await readBody(res);
    } catch (error) {
      throw new N8nApiError(res.status, (error as Error).message, method, path, { cause: error });
    }
    if (!res.ok) throw new N8nApiError(res.status, parsed, method, path);
    return parsed as T;
  }

  // --- workflows -------------------------------------------------------------------------------

  createWorkflow(input: N8nWorkflowInput): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('POST', '/workflows', input);
  }

  /** Replaces the draft. NOTE: on a published workflow n8n republishes the new version at once. */
  updateWorkflow(id: string, input: N8nWorkflowInput): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('PUT', `/workflows/${encodeURIComponent(id)}`, input);
  }

  getWorkflow(id: string): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('GET', `/workflows/${encodeURIComponent(id)}`);
  }

  /** One page; `tags` is a comma-separated list of tag NAMES. */
  listWorkflows(
    filter: { tags?: string; name?: string; active?: boolean; projectId?: string; limit?: number; cursor?: string } = {},
  ): Promise<N8nPage<N8nWorkflow>> {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined) q.set(key, String(value));
    return this.request<N8nPage<N8nWorkflow>>('GET', `/workflows${q.size ? `?${q}` : ''}`);
  }

  /**
   * Publishes (n8n 1.x: activates) the latest version, or `versionId`. Uses the 2.x `/publish`
   * route; `/activate` still exists in 2.41.1 but is deprecated. Unknown node types and webhook
   * path clashes surface here (400 / 409), not at create time.
   */
  publishWorkflow(id: string, options: { versionId?: string; name?: string; description?: string } = {}): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('POST', `/workflows/${encodeURIComponent(id)}/publish`, options);
  }

  /** Unpublishes (1.x: deactivates); its production webhooks stop answering. Idempotent. */
  unpublishWorkflow(id: string): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('POST', `/workflows/${encodeURIComponent(id)}/unpublish`);
  }

  /** Archives (and thereby unpublishes) a workflow. */
  archiveWorkflow(id: string): Promise<N8nWorkflow> {
    return this.request<N8nWorkflow>('POST', `/workflows/${encodeURIComponent(id)}/archive`);
  }

  /**
   * Deletes a workflow, archiving it first when n8n refuses because it is published (409), and
   * retrying while n8n still reports it published. Returns false when it was already gone, so a
   * retried job can call it again safely.
   */
  async deleteWorkflow(id: string, options: { attempts?: number; delayMs?: number } = {}): Promise<boolean> {
    const attempts = options.attempts ?? 6;
    const delayMs = options.delayMs ?? 200;
    const path = `/workflows/${encodeURIComponent(id)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.request<unknown>('DELETE', path);
        return true;
      } catch (error) {
        if (!(error instanceof N8nApiError)) throw error;
        if (error.status === 404) return false;
        // 409: still published. 500: seen intermittently from n8n 2.41.1 while an unpublish is
        // still being applied. Both settle within a moment.
        const retryable = error.status === 409 || error.status >= 500;
        if (!retryable || attempt >= attempts) throw error;
      }
      if (attempt === 1) {
        try {
          await this.archiveWorkflow(id);
        } catch (error) {
          // Already archived (400) or deleted meanwhile (404): the DELETE retry tells.
          if (!(error instanceof N8nApiError) || error.status >= 500 || error.status === 0) throw error;
        }
      }
      await sleep(delayMs * 2 ** (attempt - 1));
    }
  }

  // --- tags ------------------------------------------------------------------------------------

  listTags(options: { limit?: number; cursor?: string } = {}): Promise<N8nPage<N8nTag>> {
    const q = new URLSearchParams({ limit: String(options.limit ?? 250) });
    if (options.cursor) q.set('cursor', options.cursor);
    return this.request<N8nPage<N8nTag>>('GET', `/tags?${q}`);
  }

  async findTagByName(name: string): Promise<N8nTag | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listTags({ cursor });
      const found = page.data.find((t) => t.name === name);
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  }

  /** Creates the tag, or returns the existing one with that name (n8n answers 409 for duplicates). */
  async ensureTag(name: string): Promise<N8nTag> {
    try {
      return await this.request<N8nTag>('POST', '/tags', { name });
    } catch (error) {
      if (!(error instanceof N8nApiError) || error.status !== 409) throw error;
      const existing = await this.findTagByName(name);
      if (!existing) throw error;
      return existing;
    }
  }

  /** Replaces the workflow's tags. */
  setWorkflowTags(workflowId: string, tagIds: string[]): Promise<N8nTag[]> {
    return this.request<N8nTag[]>(
      'PUT',
      `/workflows/${encodeURIComponent(workflowId)}/tags`,
      tagIds.map((id) => ({ id })),
    );
  }

  getWorkflowTags(workflowId: string): Promise<N8nTag[]> {
    return this.request<N8nTag[]>('GET', `/workflows/${encodeURIComponent(workflowId)}/tags`);
  }

  // --- credentials -----------------------------------------------------------------------------

  /** The response never contains the secret data; keep the returned id. */
  createCredential(input: N8nCredentialInput): Promise<N8nCredential> {
    return this.request<N8nCredential>('POST', '/credentials', input);
  }

  getCredentialSchema(type: string): Promise<N8nCredentialSchema> {
    return this.request<N8nCredentialSchema>('GET', `/credentials/schema/${encodeURIComponent(type)}`);
  }

  /** Returns false when it was already gone. */
  async deleteCredential(id: string): Promise<boolean> {
    try {
      await this.request<unknown>('DELETE', `/credentials/${encodeURIComponent(id)}`);
      return true;
    } catch (error) {
      if (error instanceof N8nApiError && error.status === 404) return false;
      throw error;
    }
  }

  // --- executions ------------------------------------------------------------------------------

  /** Newest first. With includeData, node output is at data.resultData.runData[node][run].data.main. */
  listExecutions(
    filter: { workflowId?: string; status?: N8nExecutionStatus; includeData?: boolean; limit?: number; cursor?: string } = {},
  ): Promise<N8nPage<N8nExecution>> {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined) q.set(key, String(value));
    return this.request<N8nPage<N8nExecution>>('GET', `/executions${q.size ? `?${q}` : ''}`);
  }

  getExecution(id: string, options: { includeData?: boolean } = {}): Promise<N8nExecution> {
    const q = options.includeData ? '?includeData=true' : '';
    return this.request<N8nExecution>('GET', `/executions/${encodeURIComponent(id)}${q}`);
  }

  // --- webhooks --------------------------------------------------------------------------------

  /** Production URL of a webhook node's `path`. */
  webhookUrl(path: string): string {
    return `${this.webhookBaseUrl}/${path.replace(/^\/+/, '')}`;
  }

  /**
   * Waits until a just-published webhook is registered (n8n answers 404 for ~0.5 s after publish
   * returns), without running the workflow: it probes with another HTTP method, which n8n answers
   * with "not registered for <probe> requests. Did you mean … <method>" once the path is live.
   * NOTE: if the same path is also registered for the probe method, the probe runs that workflow.
   */
  waitForWebhook(url: string, options: { method?: string; timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
    return this.pollWebhook(url, 'registered', options);
  }

  /**
   * The reverse: after unpublish/archive returns, n8n keeps serving the webhook for a moment
   * (publication is applied asynchronously in 2.x). Waits until the path answers "not registered".
   */
  waitForWebhookGone(url: string, options: { method?: string; timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
    return this.pollWebhook(url, 'gone', options);
  }

  private async pollWebhook(
    url: string,
    want: 'registered' | 'gone',
    options: { method?: string; timeoutMs?: number; intervalMs?: number },
  ): Promise<void> {
    const method = (options.method ?? 'POST').toUpperCase();
    const probe = method === 'GET' ? 'PATCH' : 'GET';
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let last: unknown;
    for (;;) {
      try {
        const res = await fetch(url, { method: probe, signal: AbortSignal.timeout(this.timeoutMs) });
        const body = await readBody(res);
        last = body;
        const message = body && typeof body === 'object' ? String((body as { message?: unknown }).message ?? '') : '';
        // A non-404 means the probe method itself is registered on this path: the path is live.
        const live = res.status !== 404 || (message.includes('Did you mean') && message.includes(method));
        if (live === (want === 'registered')) return;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new N8nApiError(want === 'registered' ? 404 : 200, last, probe, new URL(url).pathname);
      }
      await sleep(options.intervalMs ?? 100);
    }
  }

  /**
   * Calls a production webhook, retrying only while n8n answers "webhook … is not registered"
   * (no execution happened then), as it does for ~0.5 s after publish. Other statuses are returned,
   * not thrown: a flow may answer 4xx/5xx on purpose.
   */
  async callWebhook(
    url: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string>; notRegisteredRetryMs?: number } = {},
  ): Promise<N8nWebhookResponse> {
    const method = (init.method ?? 'POST').toUpperCase();
    if (!HTTP_METHODS.has(method)) throw new TypeError(`unsupported webhook method ${method}`);
    const deadline = Date.now() + (init.notRegisteredRetryMs ?? 5_000);
    const hasBody = init.body !== undefined && method !== 'GET' && method !== 'HEAD';
    for (;;) {
      let res: Response;
      let body: unknown;
      try {
        res = await fetch(url, {
          method,
          headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
          body: hasBody ? JSON.stringify(init.body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        body = await readBody(res);
      } catch (error) {
        throw new N8nApiError(0, (error as Error).message, method, new URL(url).pathname, { cause: error });
      }
      if (!notRegistered(res.status, body) || Date.now() >= deadline) {
        return { status: res.status, headers: res.headers, body };
      }
      await sleep(100);
    }
  }
}

export function createN8nClient(options: N8nClientOptions): N8nClient {
  return new N8nClient(options);
}
