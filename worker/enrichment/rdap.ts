// RDAP (RFC 9082 queries, RFC 9083 JSON) over HTTPS: domain age, registrar, status.
// The default base is rdap.org, which redirects to the registry's own RDAP server (each
// redirect hop goes through the SSRF checks like any other URL).
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { HttpError, safeFetch, statusError, type SafeFetchOptions } from './http.js';
import type { Resolver } from './dns.js';

export const DEFAULT_RDAP_BASE_URL = 'https://rdap.org';

export interface RdapDomain {
  domain: string;
  handle: string | null;
  registrar: { name: string; ianaId: string | null } | null;
  registeredAt: string | null;
  expiresAt: string | null;
  updatedAt: string | null;
  /** Whole days between registration and `now`. */
  ageDays: number | null;
  status: string[];
  nameservers: string[];
  dnssec: boolean | null;
  /** The URL that answered (after redirects). */
  source: string | null;
}

// Only the members we read; RDAP servers add many extensions, so everything is lenient.
const vcardSchema = z.tuple([z.literal('vcard'), z.array(z.array(z.unknown()))]).rest(z.unknown());
type Entity = {
  roles?: string[];
  vcardArray?: unknown;
  publicIds?: { type?: string; identifier?: string }[];
  entities?: Entity[];
  handle?: string;
};
const entitySchema: z.ZodType<Entity> = z.lazy(() =>
  z
    .object({
      roles: z.array(z.string()).optional().catch(undefined),
      vcardArray: z.unknown().optional(),
      publicIds: z
        .array(z.object({ type: z.string().optional(), identifier: z.string().optional() }).loose())
        .optional()
        .catch(undefined),
      entities: z.array(entitySchema).optional().catch(undefined),
      handle: z.string().optional().catch(undefined),
    })
    .loose(),
);
const domainSchema = z
  .object({
    objectClassName: z.string().optional(),
    ldhName: z.string().optional(),
    unicodeName: z.string().optional(),
    handle: z.string().optional().catch(undefined),
    status: z.array(z.string()).optional().catch(undefined),
    events: z
      .array(z.object({ eventAction: z.string(), eventDate: z.string().optional() }).loose())
      .optional()
      .catch(undefined),
    entities: z.array(entitySchema).optional().catch(undefined),
    nameservers: z
      .array(z.object({ ldhName: z.string().optional() }).loose())
      .optional()
      .catch(undefined),
    secureDNS: z.object({ delegationSigned: z.boolean().optional() }).loose().optional().catch(undefined),
  })
  .loose();

function vcardText(vcardArray: unknown, property: string): string | null {
  const parsed = vcardSchema.safeParse(vcardArray);
  if (!parsed.success) return null;
  for (const prop of parsed.data[1]) {
    if (prop[0] === property) {
      const value = prop[3];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      if (Array.isArray(value)) {
        const joined = value
          .filter((v) => typeof v === 'string' && v !== '')
          .join(' ')
          .trim();
        if (joined !== '') return joined;
      }
    }
  }
  return null;
}

function findRegistrar(entities: Entity[] | undefined): Entity | null {
  for (const entity of entities ?? []) {
    if (entity.roles?.some((r) => r.toLowerCase() === 'registrar')) return entity;
  }
  return null;
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Parse an RFC 9083 domain object. Throws when the JSON is not a domain object. */
export function parseRdapDomain(json: unknown, now: Date = new Date(), source: string | null = null): RdapDomain {
  const parsed = domainSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not an RDAP domain object: ${parsed.error.message}`);
  const d = parsed.data;
  if (d.objectClassName !== undefined && d.objectClassName !== 'domain')
    throw new Error(`RDAP object is a ${d.objectClassName}, not a domain`);
  const eventDate = (action: string) => isoDate(d.events?.find((e) => e.eventAction.toLowerCase() === action)?.eventDate);
  const registeredAt = eventDate('registration');
  const registrarEntity = findRegistrar(d.entities);
  const registrarName = registrarEntity
    ? (vcardText(registrarEntity.vcardArray, 'fn') ??
      vcardText(registrarEntity.vcardArray, 'org') ??
      registrarEntity.handle ??
      null)
    : null;
  const ianaId = registrarEntity?.publicIds?.find((p) => /iana registrar id/i.test(p.type ?? ''))?.identifier ?? null;
  const name = (d.ldhName ?? d.unicodeName ?? '').toLowerCase().replace(/\.$/, '');
  return {
    domain: name,
    handle: d.handle ?? null,
    registrar: registrarName ? { name: registrarName, ianaId } : null,
    registeredAt,
    expiresAt: eventDate('expiration'),
    updatedAt: eventDate('last changed'),
    ageDays: registeredAt ? Math.max(0, Math.floor((now.getTime() - Date.parse(registeredAt)) / 86_400_000)) : null,
    status: (d.status ?? []).map((s) => s.toLowerCase()),
    nameservers: (d.nameservers ?? []).flatMap((ns) => (ns.ldhName ? [ns.ldhName.toLowerCase().replace(/\.$/, '')] : [])),
    dnssec: d.secureDNS?.delegationSigned ?? null,
    source,
  };
}

export interface RdapClientOptions extends Pick<SafeFetchOptions, 'allowCidrs' | 'allowHosts' | 'timeoutMs' | 'maxBytes'> {
  /** Default https://rdap.org. Its host is trusted (it is configuration, not lead data). */
  baseUrl?: string;
  resolver?: Resolver;
  now?: () => Date;
}

/** Look a domain up; null when the registry has no such domain (404). */
export async function lookupRdapDomain(
  domain: string,
  options: RdapClientOptions = {},
  signal?: AbortSignal,
): Promise<RdapDomain | null> {
  const base = (options.baseUrl ?? DEFAULT_RDAP_BASE_URL).replace(/\/+$/, '');
  const ascii = domainToASCII(domain.toLowerCase());
  if (ascii === '') throw new HttpError('bad_url', `not a domain: ${domain}`);
  const url = `${base}/domain/${encodeURIComponent(ascii)}`;
  const response = await safeFetch(url, {
    resolver: options.resolver,
    allowCidrs: options.allowCidrs,
    // A configured base (internal mirror, test server) is trusted; the public default is checked like any host.
    allowHosts: options.baseUrl
      ? [...(options.allowHosts ?? []), new URL(base).hostname.replace(/^\[|\]$/g, '')]
      : options.allowHosts,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: options.maxBytes ?? 512 * 1024,
    headers: { accept: 'application/rdap+json, application/json;q=0.9' },
    signal,
  });
  if (response.status === 404) return null;
  if (response.status < 200 || response.status >= 300) throw statusError(response);
  if (response.contentType && !/^application\/(rdap\+)?json$/.test(response.contentType)) {
    throw new HttpError('unsupported_content_type', `RDAP answered ${response.contentType}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new HttpError('http_status', `RDAP answered invalid JSON from ${response.url}`, { cause: error });
  }
  return parseRdapDomain(json, options.now?.() ?? new Date(), response.url);
}
