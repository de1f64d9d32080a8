// The one HTTP client of enrichment: SSRF-safe, size- and time-limited.
//
// Lead data is attacker-controlled (anyone can type a website into a form), so every
// outbound request resolves the host itself, refuses any non-public address, connects to
// exactly the address it checked (pinned through the socket's `lookup`, so a DNS answer
// that changes between check and connect — DNS rebinding — cannot redirect the socket),
// and repeats all of that on every redirect hop.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { classifyDnsError, createNodeResolver, lookupHost, type HostAddress, type Resolver } from './dns.js';

export type HttpErrorCode =
  | 'bad_url'
  | 'ssrf_blocked'
  | 'dns_failed'
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'tls'
  | 'too_large'
  | 'too_many_redirects'
  | 'unsupported_content_type'
  | 'http_status';

export class HttpError extends Error {
  readonly code: HttpErrorCode;
  /** Worth trying again later (timeouts, resets, 429/5xx); the provider wrapper reads this. */
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(
    code: HttpErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A request refused because its target is not a public address. Never retryable. */
export class SsrfError extends HttpError {
  constructor(message: string) {
    super('ssrf_blocked', message);
    this.name = 'SsrfError';
  }
}

export interface AddressPolicy {
  /** Host names whose addresses are trusted whatever they are (e.g. an operator's LLM on localhost). Exact match. */
  allowHosts?: readonly string[];
  /** Address ranges permitted although not public (tests: "127.0.0.1/32"). */
  allowCidrs?: readonly string[];
}

// Cloud metadata endpoints; all inside refused ranges already, listed so the reason is clear.
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200']);

/**
 * Why an address may not be contacted, or null when it may. Only globally routable unicast
 * passes: loopback, private (RFC 1918), carrier-grade NAT, link-local (cloud metadata),
 * unique-local, multicast, broadcast, unspecified (0.0.0.0, ::), documentation/benchmark
 * and reserved ranges are refused, and so is every IPv6 form that embeds an IPv4 address
 * (IPv4-mapped ::ffff:a.b.c.d, NAT64, 6to4, Teredo), since the embedded address decides
 * where the packet really goes.
 */
export function forbiddenAddressReason(address: string, policy: AddressPolicy = {}): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'not an IP address';
  }
  for (const cidr of policy.allowCidrs ?? []) {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (net.kind() === ip.kind() && ip.match(net, bits)) return null;
  }
  if (METADATA_ADDRESSES.has(ip.toString())) return 'cloud metadata address';
  const range = ip.range();
  if (range === 'unicast') return null;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    return `IPv4-mapped address of ${(ip as ipaddr.IPv6).toIPv4Address().toString()}`;
  }
  return `${range} address`;
}

export interface SafeFetchOptions extends AddressPolicy {
  /** DNS used to resolve every host; the node resolver when omitted. */
  resolver?: Resolver;
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Total time for all hops, headers and body (default 10 s). */
  timeoutMs?: number;
  /** Decoded body limit (default 1 MiB). */
  maxBytes?: number;
  /** What to do past maxBytes: fail (default) or keep the first maxBytes. */
  onLimit?: 'error' | 'truncate';
  /** Default 5. */
  maxRedirects?: number;
  /** Media types accepted for a 2xx answer ("text/html"); anything else fails. */
  acceptContentTypes?: readonly string[];
  signal?: AbortSignal;
}

export interface SafeResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Media type without parameters, lower-cased. */
  contentType: string | null;
  /** Charset parameter of Content-Type, if any. */
  charset: string | null;
  body: Buffer;
  truncated: boolean;
  /** URLs followed, in order (not including the first). */
  redirects: string[];
  /** The address actually connected to for the final hop. */
  address: string;
  elapsedMs: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const USER_AGENT = 'LeadflowEnrichment/1.0 (+https://github.com/leadflow)';

/** Check a URL before any connection: scheme, credentials, host, and its resolved addresses. */
export async function resolveSafeTarget(
  url: URL,
  resolver: Resolver,
  policy: AddressPolicy,
  signal?: AbortSignal,
): Promise<HostAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SsrfError(`scheme ${url.protocol} is not allowed`);
  if (url.username !== '' || url.password !== '') throw new SsrfError('URLs with credentials are not allowed');
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (host === '') throw new HttpError('bad_url', `no host in ${url.href}`);
  const trustedHost = (policy.allowHosts ?? []).some((h) => h.toLowerCase() === host);
  if (isIP(host) !== 0) {
    const reason = trustedHost ? null : forbiddenAddressReason(host, policy);
    if (reason) throw new SsrfError(`refusing ${host}: ${reason}`);
    return { address: host, family: isIP(host) === 6 ? 6 : 4 };
  }
  if (!trustedHost && (host === 'localhost' || host.endsWith('.localhost')))
    throw new SsrfError(`refusing ${host}: loopback name`);
  let addresses: HostAddress[];
  try {
    addresses = await lookupHost(resolver, host, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    const transient = classifyDnsError(error) === 'transient';
    throw new HttpError('dns_failed', `cannot resolve ${host}: ${(error as { code?: string }).code ?? String(error)}`, {
      retryable: transient,
      cause: error,
    });
  }
  if (!trustedHost) {
    // One bad answer refuses the host: a mixed answer is how rebinding attacks start.
    for (const a of addresses) {
      const reason = forbiddenAddressReason(a.address, policy);
      if (reason) throw new SsrfError(`refusing ${host} → ${a.address}: ${reason}`);
    }
  }
  return addresses[0]!;
}

function pinnedLookup(target: HostAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The error to throw for an unsuccessful status: 408/425/429/5xx are worth a retry. */
export function statusError(response: Pick<SafeResponse, 'status' | 'url' | 'headers'>): HttpError {
  const retryable = [408, 425, 429].includes(response.status) || response.status >= 500;
  return new HttpError('http_status', `HTTP ${response.status} from ${response.url}`, {
    retryable,
    status: response.status,
    retryAfterMs: parseRetryAfter(response.headers['retry-after']),
  });
}

interface HopResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

function requestOnce(
  url: URL,
  target: HostAddress,
  init: { method: string; headers: Record<string, string>; body?: string | Buffer },
  limits: { maxBytes: number; onLimit: 'error' | 'truncate'; followable: boolean },
  signal: AbortSignal,
): Promise<HopResult> {
  return new Promise<HopResult>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: init.method,
        headers: { host: url.host, ...init.headers },
        lookup: pinnedLookup(target),
        // NOTE: no keep-alive pool: a pooled socket is keyed by host name, and reusing one
        // would bypass the per-request address check.
        agent: false,
        signal,
        maxHeaderSize: 64 * 1024,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (limits.followable && REDIRECT_STATUSES.has(status) && res.headers.location) {
          res.resume();
          resolve({ status, headers: res.headers, body: Buffer.alloc(0), truncated: false });
          return;
        }
        readBody(res, limits.maxBytes, limits.onLimit).then(
          ({ body, truncated }) => resolve({ status, headers: res.headers, body, truncated }),
          reject,
        );
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

async function readBody(
  res: IncomingMessage,
  maxBytes: number,
  onLimit: 'error' | 'truncate',
): Promise<{ body: Buffer; truncated: boolean }> {
  const declared = Number(res.headers['content-length']);
  const encoding = String(res.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  if (onLimit === 'error' && encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new HttpError('too_large', `body of ${declared} bytes exceeds ${maxBytes}`);
  }
  let stream: Readable = res;
  // Decoded size is what counts: a small gzip body can inflate without limit.
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
  else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
  if (stream !== res) {
    const decoder = stream;
    res.on('error', (error) => decoder.destroy(error));
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (total + buf.length > maxBytes) {
        if (onLimit === 'error') throw new HttpError('too_large', `body exceeds ${maxBytes} bytes`);
        chunks.push(buf.subarray(0, maxBytes - total));
        total = maxBytes;
        return { body: Buffer.concat(chunks, total), truncated: true };
      }
      chunks.push(buf);
      total += buf.length;
    }
  } finally {
    if (!res.complete) res.destroy();
    if (stream !== res) stream.destroy();
  }
  return { body: Buffer.concat(chunks, total), truncated: false };
}

function translateError(error: unknown, timeout: AbortSignal, caller: AbortSignal | undefined, url: URL): HttpError {
  if (error instanceof HttpError) return error;
  if (timeout.aborted) return new HttpError('timeout', `timed out fetching ${url.href}`, { retryable: true, cause: error });
  if (caller?.aborted) return new HttpError('aborted', `aborted fetching ${url.href}`, { cause: error });
  const code = (error as { code?: string })?.code ?? '';
  if (/^(ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL)/.test(code) || /certificate/i.test(String(error))) {
    return new HttpError('tls', `TLS failure for ${url.host}: ${code || String(error)}`, { cause: error });
  }
  return new HttpError('network', `${code || 'network error'} fetching ${url.href}`, { retryable: true, cause: error });
}

/**
 * Fetch a URL safely. Non-2xx answers are returned, not thrown (use statusError); errors
 * are HttpError with `retryable` set for the provider wrapper.
 */
export async function safeFetch(input: string | URL, options: SafeFetchOptions = {}): Promise<SafeResponse> {
  const started = Date.now();
  const resolver = options.resolver ?? createNodeResolver();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const maxRedirects = options.maxRedirects ?? 5;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new HttpError('bad_url', `not a URL: ${String(input)}`);
  }
  let method = options.method ?? 'GET';
  let body = options.body;
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    'accept-encoding': 'gzip, deflate, br',
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const redirects: string[] = [];
  for (;;) {
    let hop: HopResult;
    let target: HostAddress;
    try {
      target = await resolveSafeTarget(url, resolver, options, signal);
      hop = await requestOnce(
        url,
        target,
        { method, headers, body },
        { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, onLimit: options.onLimit ?? 'error', followable: maxRedirects >= 0 },
        signal,
      );
    } catch (error) {
      throw translateError(error, timeout, options.signal, url);
    }
    if (REDIRECT_STATUSES.has(hop.status) && hop.headers.location) {
      if (redirects.length >= maxRedirects)
        throw new HttpError('too_many_redirects', `more than ${maxRedirects} redirects from ${String(input)}`);
      let next: URL;
      try {
        next = new URL(hop.headers.location, url);
      } catch {
        throw new HttpError('bad_url', `bad redirect location ${hop.headers.location}`);
      }
      if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      }
      // Credentials never follow a redirect to another origin.
      if (next.origin !== url.origin) {
        delete headers.authorization;
        delete headers.cookie;
      }
      redirects.push(next.href);
      url = next;
      continue;
    }
    const rawType = hop.headers['content-type'] ?? '';
    const contentType = rawType.split(';')[0]!.trim().toLowerCase() || null;
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(rawType)?.[1]?.toLowerCase() ?? null;
    if (hop.status >= 200 && hop.status < 300 && options.acceptContentTypes && method !== 'HEAD') {
      if (!contentType || !options.acceptContentTypes.includes(contentType)) {
        throw new HttpError('unsupported_content_type', `${url.href} answered ${contentType ?? 'no content type'}`);
      }
    }
    return {
      url: url.href,
      status: hop.status,
      headers: hop.headers,
      contentType,
      charset,
      body: hop.body,
      truncated: hop.truncated,
      redirects,
      address: target.address,
      elapsedMs: Date.now() - started,
    };
  }
}
