// The provider wrapper: every enrichment step runs through it and gets a per-attempt
// timeout, retries with exponential backoff and jitter (retryable errors only), a TTL
// cache keyed per domain, de-duplication of concurrent identical calls, and provenance.

/** Where a value came from; stored next to the value. */
export interface Provenance {
  provider: string;
  /** When the value was produced (ISO 8601) — for a cached value, when it was first fetched. */
  fetchedAt: string;
  /** 0..1: how much the provider trusts this value. */
  confidence: number;
  cached: boolean;
  /** Attempts made by this call (0 when served from cache). */
  attempts: number;
}

export interface Enriched<T> {
  value: T;
  provenance: Provenance;
}

/** What the cache stores: JSON-serialisable, so a Postgres-backed cache can hold it as jsonb. */
export interface CacheEntry {
  provider: string;
  value: unknown;
  confidence: number;
  fetchedAt: string;
}

/** Per-domain TTL cache. Implementations may be sync or async; get returns undefined when missing or expired. */
export interface EnrichmentCache {
  get(key: string): Promise<CacheEntry | undefined> | CacheEntry | undefined;
  set(key: string, value: CacheEntry, ttlMs: number): Promise<void> | void;
}

/** In-memory LRU with TTL: the default cache, and the one tests use. */
export class MemoryLruCache implements EnrichmentCache {
  readonly #entries = new Map<string, { value: CacheEntry; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }
  get(key: string): CacheEntry | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert: Map keeps insertion order, so the first key is the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit.value;
  }
  set(key: string, value: CacheEntry, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
  get size(): number {
    return this.#entries.size;
  }
}

export type ProviderErrorCode = 'timeout' | 'aborted' | 'failed';

/** A provider that gave up. `cause` is the last underlying error. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly code: string;
  readonly retryable: boolean;
  readonly attempts: number;
  constructor(
    provider: string,
    message: string,
    options: { code: string; retryable: boolean; attempts: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.code = options.code;
    this.retryable = options.retryable;
    this.attempts = options.attempts;
  }
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ETIMEOUT',
  'ESERVFAIL',
  'UND_ERR_SOCKET',
]);

/** Retry only what may succeed next time: timeouts, resets, 429/5xx — never bad input or a refusal. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retryable?: unknown; code?: unknown; name?: unknown };
  if (typeof e.retryable === 'boolean') return e.retryable;
  if (e.name === 'TimeoutError') return true;
  return typeof e.code === 'string' && RETRYABLE_CODES.has(e.code);
}

export interface ProviderSpec<I, T> {
  name: string;
  /** Bump to invalidate cached values when the parsing changes. */
  version?: number;
  /** Cache key for an input, normally its registrable domain; null = do not cache. */
  key(input: I): string | null;
  run(input: I, context: { signal: AbortSignal; attempt: number }): Promise<{ value: T; confidence: number }>;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** Exponential backoff: base * 2^(n-1), capped, with equal jitter (default 250 ms, 5 s). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long a value stays fresh in the cache (default 7 days; 0 disables caching). */
  ttlMs?: number;
}

export interface ProviderDeps {
  cache?: EnrichmentCache | null;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Skip the cache read (the fresh value is still written). */
  fresh?: boolean;
}

export interface Provider<I, T> {
  readonly name: string;
  (input: I, options?: CallOptions): Promise<Enriched<T>>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff before retry n (1-based): exponential, capped, half of it random (equal jitter). */
export function backoffDelay(
  retry: number,
  options: { baseMs?: number; maxMs?: number } = {},
  random: () => number = Math.random,
): number {
  const cap = options.maxMs ?? 5000;
  const exp = Math.min(cap, (options.baseMs ?? 250) * 2 ** (retry - 1));
  return exp / 2 + random() * (exp / 2);
}

async function attemptWithTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  caller: AbortSignal | undefined,
): Promise<T> {
  const controller = new AbortController();
  const signal = caller ? AbortSignal.any([caller, controller.signal]) : controller.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onCallerAbort: (() => void) | undefined;
  // Racing run() against the timer guards against a run() that ignores its signal.
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError', retryable: true });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    if (caller) {
      if (caller.aborted) reject(caller.reason);
      onCallerAbort = () => reject(caller.reason);
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
  });
  guard.catch(() => undefined);
  try {
    return await Promise.race([run(signal), guard]);
  } finally {
    clearTimeout(timer);
    if (caller && onCallerAbort) caller.removeEventListener('abort', onCallerAbort);
  }
}

/** Wrap a provider spec with timeout, retries, cache and provenance. */
export function defineProvider<I, T>(spec: ProviderSpec<I, T>, deps: ProviderDeps = {}): Provider<I, T> {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const wait = deps.sleep ?? sleep;
  const ttlMs = spec.ttlMs ?? 7 * 24 * 3600 * 1000;
  const retries = spec.retries ?? 2;
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const inFlight = new Map<string, Promise<Enriched<T>>>();

  async function execute(input: I, cacheKey: string | null, options: CallOptions): Promise<Enriched<T>> {
    const cache = deps.cache;
    if (cache && cacheKey && !options.fresh) {
      const hit = await cache.get(cacheKey);
      if (hit) {
        return {
          value: hit.value as T,
          provenance: { provider: hit.provider, fetchedAt: hit.fetchedAt, confidence: hit.confidence, cached: true, attempts: 0 },
        };
      }
    }
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        const { value, confidence } = await attemptWithTimeout(
          (signal) => spec.run(input, { signal, attempt }),
          timeoutMs,
          options.signal,
        );
        const entry: CacheEntry = { provider: spec.name, value, confidence, fetchedAt: new Date(now()).toISOString() };
        if (cache && cacheKey && ttlMs > 0) await cache.set(cacheKey, entry, ttlMs);
        return {
          value,
          provenance: { provider: spec.name, fetchedAt: entry.fetchedAt, confidence, cached: false, attempts: attempt },
        };
      } catch (error) {
        const callerAborted = options.signal?.aborted === true;
        const retryable = !callerAborted && isRetryable(error);
        if (!retryable || attempt > retries) {
          const code = callerAborted
            ? 'aborted'
            : (((error as { code?: unknown })?.code as string | undefined) ??
              ((error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'failed'));
          const message = error instanceof Error ? error.message : String(error);
          throw new ProviderError(spec.name, `${spec.name}: ${message}`, {
            code: String(code),
            retryable,
            attempts: attempt,
            cause: error,
          });
        }
        const retryAfter = (error as { retryAfterMs?: unknown })?.retryAfterMs;
        const delay = Math.max(
          backoffDelay(attempt, spec.backoff, random),
          typeof retryAfter === 'number' ? Math.min(retryAfter, spec.backoff?.maxMs ?? 5000) : 0,
        );
        await wait(delay, options.signal);
      }
    }
  }

  const provider = (input: I, options: CallOptions = {}): Promise<Enriched<T>> => {
    const key = spec.key(input);
    const cacheKey = key === null ? null : `${spec.name}@${spec.version ?? 1}:${key}`;
    if (cacheKey === null || options.fresh) return execute(input, cacheKey, options);
    // Concurrent calls for the same domain share one fetch.
    const pending = inFlight.get(cacheKey);
    if (pending) return pending;
    const promise = execute(input, cacheKey, options).finally(() => inFlight.delete(cacheKey));
    inFlight.set(cacheKey, promise);
    return promise;
  };
  Object.defineProperty(provider, 'name', { value: spec.name });
  return provider as Provider<I, T>;
}
