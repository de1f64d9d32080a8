// DNS behind a small injectable interface: the email check (MX/A) and the SSRF-safe HTTP
// client (address resolution before connecting) use the same one, so a test injects one
// fake and no lookup ever leaves the process.
import { Resolver as NodeResolver } from 'node:dns/promises';

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** What enrichment needs from DNS. Errors carry node's codes (ENOTFOUND, ENODATA, ETIMEOUT…). */
export interface Resolver {
  resolveMx(host: string): Promise<MxRecord[]>;
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

export interface NodeResolverOptions {
  /** DNS servers ("1.1.1.1", "[2606:4700::1111]:53"); the system's when omitted. */
  servers?: string[];
  /** Per-query timeout in ms (node's default is 5 s with 4 tries). */
  timeoutMs?: number;
  tries?: number;
}

/** The default resolver: node:dns/promises with an optional server list. */
export function createNodeResolver(options: NodeResolverOptions = {}): Resolver {
  const resolver = new NodeResolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
  return {
    resolveMx: (host) => resolver.resolveMx(host),
    resolve4: (host) => resolver.resolve4(host),
    resolve6: (host) => resolver.resolve6(host),
  };
}

export type DnsFailureKind = 'nxdomain' | 'nodata' | 'transient';

/**
 * Classify a DNS error. Only a definite answer (the name does not exist, or exists without
 * records of that type) counts; timeouts, SERVFAIL and refusals say nothing about the name.
 */
export function classifyDnsError(error: unknown): DnsFailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'NXDOMAIN') return 'nxdomain';
  if (code === 'ENODATA' || code === 'NODATA') return 'nodata';
  return 'transient';
}

/** An error shaped like node's DNS errors, for fakes and tests. */
export function dnsError(code: 'ENOTFOUND' | 'ENODATA' | 'ETIMEOUT' | 'ESERVFAIL', host: string): Error {
  return Object.assign(new Error(`${code} ${host}`), { code, hostname: host });
}

export interface HostAddress {
  address: string;
  family: 4 | 6;
}

/**
 * All A and AAAA addresses of a host. Throws (ENOTFOUND-like) when the name has none; a
 * transient failure of one family is tolerated when the other family answered.
 */
export async function lookupHost(resolver: Resolver, host: string, signal?: AbortSignal): Promise<HostAddress[]> {
  const [v4, v6] = await Promise.allSettled([
    withAbort(resolver.resolve4(host), signal),
    withAbort(resolver.resolve6(host), signal),
  ]);
  const addresses: HostAddress[] = [];
  if (v4.status === 'fulfilled') for (const address of v4.value) addresses.push({ address, family: 4 });
  if (v6.status === 'fulfilled') for (const address of v6.value) addresses.push({ address, family: 6 });
  if (addresses.length > 0) return addresses;
  const failures = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const transient = failures.find((e) => classifyDnsError(e) === 'transient');
  if (transient !== undefined) throw transient;
  throw dnsError('ENOTFOUND', host);
}

/** Reject when the signal aborts, even if the underlying promise never settles. */
export function withAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** An in-memory resolver for tests and offline runs: a record table, everything else NXDOMAIN. */
export interface StaticZone {
  a?: string[];
  aaaa?: string[];
  mx?: MxRecord[];
  /** Simulate a resolver that never answers (or times out) for this name. */
  fail?: 'ETIMEOUT' | 'ESERVFAIL';
}

export function createStaticResolver(zones: Record<string, StaticZone>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const find = (host: string): StaticZone | undefined => zones[host.toLowerCase().replace(/\.$/, '')];
  const answer = <T>(host: string, type: string, pick: (zone: StaticZone) => T[] | undefined): Promise<T[]> => {
    calls.push(`${type} ${host}`);
    const zone = find(host);
    if (!zone) return Promise.reject(dnsError('ENOTFOUND', host));
    if (zone.fail) return Promise.reject(dnsError(zone.fail, host));
    const records = pick(zone);
    if (!records || records.length === 0) return Promise.reject(dnsError('ENODATA', host));
    return Promise.resolve([...records]);
  };
  return {
    calls,
    resolveMx: (host) => answer(host, 'MX', (z) => z.mx),
    resolve4: (host) => answer(host, 'A', (z) => z.a),
    resolve6: (host) => answer(host, 'AAAA', (z) => z.aaaa),
  };
}
