import { describe, expect, it } from 'vitest';
import { backoffDelay, defineProvider, isRetryable, MemoryLruCache, ProviderError } from './provider.js';
import { HttpError, SsrfError } from './http.js';

const noWait = { sleep: () => Promise.resolve(), random: () => 0.5 };

describe('defineProvider', () => {
  it('retries retryable errors with exponential backoff and stops at the limit', async () => {
    const delays: number[] = [];
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'flaky',
        key: () => null,
        retries: 3,
        backoff: { baseMs: 100, maxMs: 1000 },
        run: () => {
          calls++;
          return Promise.reject(new HttpError('network', 'reset', { retryable: true }));
        },
      },
      { sleep: (ms) => (delays.push(ms), Promise.resolve()), random: () => 1 },
    );
    const error = await provider('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: 'flaky', code: 'network', retryable: true, attempts: 4 });
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
  });

  it('does not retry what cannot succeed', async () => {
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'ssrf',
        key: () => null,
        run: () => {
          calls++;
          return Promise.reject(new SsrfError('refusing 10.0.0.1'));
        },
      },
      noWait,
    );
    await expect(provider('x')).rejects.toMatchObject({ code: 'ssrf_blocked', retryable: false, attempts: 1 });
    expect(calls).toBe(1);
  });

  it('succeeds after transient failures and records the attempts', async () => {
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'eventually',
        key: () => null,
        run: () =>
          ++calls < 3
            ? Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))
            : Promise.resolve({ value: 42, confidence: 0.7 }),
      },
      noWait,
    );
    const r = await provider('x');
    expect(r).toMatchObject({ value: 42, provenance: { provider: 'eventually', confidence: 0.7, cached: false, attempts: 3 } });
  });

  it('times out each attempt, even when run() ignores its signal, and retries', async () => {
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'slow',
        key: () => null,
        timeoutMs: 30,
        retries: 1,
        run: () => {
          calls++;
          return new Promise(() => undefined);
        },
      },
      noWait,
    );
    await expect(provider('x')).rejects.toMatchObject({ code: 'timeout', retryable: true, attempts: 2 });
    expect(calls).toBe(2);
  });

  it('passes an abort signal to run() that fires on timeout', async () => {
    let aborted = false;
    const provider = defineProvider(
      {
        name: 'signal',
        key: () => null,
        timeoutMs: 20,
        retries: 0,
        run: (_input, { signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      },
      noWait,
    );
    await expect(provider('x')).rejects.toMatchObject({ code: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('stops when the caller aborts, without retrying', async () => {
    let calls = 0;
    const controller = new AbortController();
    const provider = defineProvider(
      {
        name: 'cancel',
        key: () => null,
        run: () => {
          calls++;
          controller.abort(new Error('shutdown'));
          return Promise.reject(new HttpError('network', 'reset', { retryable: true }));
        },
      },
      noWait,
    );
    await expect(provider('x', { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted', retryable: false });
    expect(calls).toBe(1);
  });

  it('caches per key until the TTL runs out, with provenance of the first fetch', async () => {
    let now = Date.parse('2024-05-01T10:00:00Z');
    const cache = new MemoryLruCache({ now: () => now });
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'rdap',
        version: 2,
        key: (domain: string) => domain,
        ttlMs: 60_000,
        run: (d) => (calls++, Promise.resolve({ value: `info:${d}`, confidence: 0.9 })),
      },
      { cache, now: () => now, ...noWait },
    );
    const first = await provider('example.com');
    now += 30_000;
    const second = await provider('example.com');
    expect(calls).toBe(1);
    expect(second).toEqual({
      value: 'info:example.com',
      provenance: { provider: 'rdap', fetchedAt: '2024-05-01T10:00:00.000Z', confidence: 0.9, cached: true, attempts: 0 },
    });
    expect(first.provenance.cached).toBe(false);
    await provider('other.com');
    expect(calls).toBe(2);
    now += 31_000;
    const third = await provider('example.com');
    expect(calls).toBe(3);
    expect(third.provenance).toMatchObject({ cached: false, fetchedAt: '2024-05-01T10:01:01.000Z' });
    await provider('example.com', { fresh: true });
    expect(calls).toBe(4);
  });

  it('does not cache failures', async () => {
    const cache = new MemoryLruCache();
    let calls = 0;
    const provider = defineProvider(
      { name: 'fails', key: () => 'k', retries: 0, run: () => (calls++, Promise.reject(new Error('bad'))) },
      { cache, ...noWait },
    );
    await expect(provider('x')).rejects.toThrow('bad');
    await expect(provider('x')).rejects.toThrow('bad');
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('shares one fetch between concurrent calls for the same domain', async () => {
    let calls = 0;
    const provider = defineProvider(
      {
        name: 'shared',
        key: (d: string) => d,
        run: async (d) => (calls++, await new Promise((r) => setTimeout(r, 10)), { value: d, confidence: 1 }),
      },
      { cache: new MemoryLruCache(), ...noWait },
    );
    const results = await Promise.all([provider('a.com'), provider('a.com'), provider('b.com')]);
    expect(results.map((r) => r.value)).toEqual(['a.com', 'a.com', 'b.com']);
    expect(calls).toBe(2);
  });
});

describe('MemoryLruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new MemoryLruCache({ maxEntries: 2 });
    const entry = (v: string) => ({ provider: 'p', value: v, confidence: 1, fetchedAt: '' });
    cache.set('a', entry('a'), 1000);
    cache.set('b', entry('b'), 1000);
    cache.get('a');
    cache.set('c', entry('c'), 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe('a');
    expect(cache.get('c')?.value).toBe('c');
  });
});

describe('backoff and retryability', () => {
  it('grows exponentially up to the cap, with at most half of it random', () => {
    expect(backoffDelay(1, { baseMs: 100, maxMs: 1000 }, () => 0)).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(400);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
  });
  it('classifies errors', () => {
    expect(isRetryable(new HttpError('http_status', '503', { retryable: true }))).toBe(true);
    expect(isRetryable(new HttpError('http_status', '404'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }))).toBe(true);
    expect(isRetryable(new TypeError('bug'))).toBe(false);
  });
});
