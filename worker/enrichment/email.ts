// Email address check for a CRM: syntax by a small addr-spec grammar (policy in README.md),
// then optional MX/A lookup, free-mail, disposable and role-account flags.
import { domainToASCII, domainToUnicode } from 'node:url';
import { registrableDomain } from './domain.js';
import { classifyDnsError, withAbort, type MxRecord, type Resolver } from './dns.js';
import { isDisposableDomain, isFreeMailDomain, isRoleLocalPart } from './lists.js';

export type EmailSyntaxReason =
  | 'empty'
  | 'invalid_unicode'
  | 'control_character'
  | 'whitespace'
  | 'comment'
  | 'missing_at'
  | 'missing_local_part'
  | 'missing_domain'
  | 'invalid_local_part'
  | 'unclosed_quoted_string'
  | 'invalid_quoted_string'
  | 'local_part_too_long'
  | 'ip_literal'
  | 'invalid_domain'
  | 'label_too_long'
  | 'single_label_domain'
  | 'invalid_tld'
  | 'numeric_tld'
  | 'domain_too_long'
  | 'address_too_long';

export type EmailReason = EmailSyntaxReason | 'no_mail_host';

export type ParsedEmail =
  | { ok: true; localPart: string; quoted: boolean; domain: string; asciiDomain: string }
  | { ok: false; reason: EmailSyntaxReason };

const MAX_LOCAL_OCTETS = 64; // RFC 5321 §4.5.3.1.1
const MAX_DOMAIN_OCTETS = 253; // RFC 1035: 255 on the wire = 253 in text form
const MAX_ADDRESS_OCTETS = 254; // RFC 5321 path (256) less the angle brackets
const MAX_LABEL_OCTETS = 63;

// RFC 5322 atext, ASCII part.
const ASCII_ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
// RFC 6532 extends atext/qtext with non-ASCII UTF-8. We take the graphic characters only:
// letters, marks, numbers, punctuation, symbols — no separators (NBSP, ideographic space),
// controls, format characters, unassigned or private-use code points.
const NON_ASCII_GRAPHIC = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
// IDNA2008 permits letters, marks, digits and the hyphen in a U-label (RFC 5892, roughly).
const U_LABEL_CHAR = /^[\p{L}\p{M}\p{Nd}-]$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

function isAtext(ch: string): boolean {
  return ch.charCodeAt(0) < 0x80 ? ASCII_ATEXT.test(ch) : NON_ASCII_GRAPHIC.test(ch);
}

/** A whitespace or control character anywhere outside a quoted string is the usual paste error. */
function classifyStray(ch: string): EmailSyntaxReason {
  if (/^\s$/u.test(ch)) return 'whitespace';
  if (/^\p{Cc}$/u.test(ch)) return 'control_character';
  if (ch === '(' || ch === ')') return 'comment';
  return 'invalid_local_part';
}

/**
 * Parse an addr-spec by our policy: local part = dot-atom or one quoted string (RFC 5321
 * qtextSMTP / quoted-pairSMTP, plus UTF-8 per RFC 6532); domain = at least two labels,
 * LDH or IDNA U-labels, top-level label not numeric and at least two characters; no
 * comments, folding white space or domain literals; lengths in UTF-8 octets.
 */
export function parseEmailAddress(input: string): ParsedEmail {
  if (input.length === 0) return { ok: false, reason: 'empty' };
  // With the u flag a surrogate range matches only an unpaired surrogate (not well-formed UTF-16).
  if (/[\uD800-\uDFFF]/u.test(input)) return { ok: false, reason: 'invalid_unicode' };
  const chars = Array.from(input);
  let i = 0;
  let localPart: string;
  let quoted = false;

  if (chars[0] === '"') {
    quoted = true;
    i = 1;
    let closed = false;
    while (i < chars.length) {
      const ch = chars[i]!;
      if (ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (ch === '\\') {
        const next = chars[i + 1];
        if (next === undefined) return { ok: false, reason: 'unclosed_quoted_string' };
        const code = next.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) return { ok: false, reason: 'invalid_quoted_string' };
        i += 2;
        continue;
      }
      const code = ch.charCodeAt(0);
      const qtext = code < 0x80 ? code >= 0x20 && code <= 0x7e : NON_ASCII_GRAPHIC.test(ch);
      if (!qtext) return { ok: false, reason: /\s/u.test(ch) && code !== 0x20 ? 'whitespace' : 'invalid_quoted_string' };
      i++;
    }
    if (!closed) return { ok: false, reason: 'unclosed_quoted_string' };
    localPart = chars.slice(0, i).join('');
    if (chars[i] !== '@') {
      if (i >= chars.length) return { ok: false, reason: 'missing_at' };
      return { ok: false, reason: classifyStray(chars[i]!) };
    }
  } else {
    const at = chars.indexOf('@');
    const localChars = at === -1 ? chars : chars.slice(0, at);
    for (const ch of localChars) {
      if (ch !== '.' && !isAtext(ch)) {
        // A missing @ explains more than a stray character in "name.example.com".
        const reason = classifyStray(ch);
        return { ok: false, reason: at === -1 && reason === 'invalid_local_part' ? 'missing_at' : reason };
      }
    }
    if (at === -1) return { ok: false, reason: 'missing_at' };
    localPart = localChars.join('');
    if (localPart === '') return { ok: false, reason: 'missing_local_part' };
    if (localPart.split('.').some((atom) => atom === '')) return { ok: false, reason: 'invalid_local_part' };
    i = at;
  }

  if (utf8Length(localPart) > MAX_LOCAL_OCTETS) return { ok: false, reason: 'local_part_too_long' };
  const domainInput = chars.slice(i + 1).join('');
  const domain = checkDomain(domainInput);
  if (!domain.ok) return domain;
  if (utf8Length(localPart) + 1 + Math.max(utf8Length(domain.domain), domain.asciiDomain.length) > MAX_ADDRESS_OCTETS) {
    return { ok: false, reason: 'address_too_long' };
  }
  return { ok: true, localPart, quoted, domain: domain.domain, asciiDomain: domain.asciiDomain };
}

type DomainCheck = { ok: true; domain: string; asciiDomain: string } | { ok: false; reason: EmailSyntaxReason };

function checkDomain(input: string): DomainCheck {
  if (input === '') return { ok: false, reason: 'missing_domain' };
  if (input.startsWith('[')) return { ok: false, reason: 'ip_literal' };
  for (const ch of input) {
    if (/^\s$/u.test(ch)) return { ok: false, reason: 'whitespace' };
    if (/^\p{Cc}$/u.test(ch)) return { ok: false, reason: 'control_character' };
    if (ch === '(' || ch === ')') return { ok: false, reason: 'comment' };
  }
  const labels = input.split('.');
  const unicodeLabels: string[] = [];
  const asciiLabels: string[] = [];
  for (const label of labels) {
    if (label === '') return { ok: false, reason: 'invalid_domain' };
    if (!/[^\p{ASCII}]/u.test(label)) {
      if (label.length > MAX_LABEL_OCTETS) return { ok: false, reason: 'label_too_long' };
      if (!LDH_LABEL.test(label)) return { ok: false, reason: 'invalid_domain' };
      asciiLabels.push(label.toLowerCase());
      unicodeLabels.push(label.toLowerCase());
      continue;
    }
    // A U-label: IDNA2008 code points only, already in normal form (full-width or other
    // compatibility characters are refused, not silently mapped), and round-tripping
    // through its A-label.
    const lower = label.toLowerCase();
    if (!Array.from(label).every((ch) => U_LABEL_CHAR.test(ch))) return { ok: false, reason: 'invalid_domain' };
    if (label.normalize('NFKC') !== label || lower.normalize('NFC') !== lower) return { ok: false, reason: 'invalid_domain' };
    if (label.startsWith('-') || label.endsWith('-')) return { ok: false, reason: 'invalid_domain' };
    const ascii = domainToASCII(lower);
    if (ascii === '' || domainToUnicode(ascii) !== lower) return { ok: false, reason: 'invalid_domain' };
    if (ascii.length > MAX_LABEL_OCTETS) return { ok: false, reason: 'label_too_long' };
    asciiLabels.push(ascii);
    unicodeLabels.push(lower);
  }
  if (labels.length < 2) return { ok: false, reason: 'single_label_domain' };
  const tld = unicodeLabels[unicodeLabels.length - 1]!;
  if (/^[0-9]+$/.test(tld)) return { ok: false, reason: 'numeric_tld' };
  if (Array.from(tld).length < 2) return { ok: false, reason: 'invalid_tld' };
  const asciiDomain = asciiLabels.join('.');
  const domain = unicodeLabels.join('.');
  if (asciiDomain.length > MAX_DOMAIN_OCTETS || utf8Length(domain) > MAX_DOMAIN_OCTETS)
    return { ok: false, reason: 'domain_too_long' };
  return { ok: true, domain, asciiDomain };
}

/** Syntax only: is this a usable address by our policy? */
export function isValidEmailSyntax(address: string): boolean {
  return parseEmailAddress(address).ok;
}

/**
 * The local part in its simplest equivalent form: a quoted string whose content is a
 * valid dot-atom is the same mailbox unquoted (RFC 5321 §4.1.2).
 */
function simplifyLocalPart(localPart: string, quoted: boolean): string {
  if (!quoted) return localPart;
  const content = localPart.slice(1, -1).replace(/\\(.)/gu, '$1');
  const dotAtom = content !== '' && content.split('.').every((atom) => atom !== '' && Array.from(atom).every(isAtext));
  return dotAtom ? content : localPart;
}

export type DnsStatus = 'ok' | 'no_mail_host' | 'unknown' | 'skipped';

export interface MailHostCheck {
  status: DnsStatus;
  /** Which lookup decided: MX records, the implicit MX (A/AAAA, RFC 5321 §5.1), a null MX (RFC 7505). */
  via: 'mx' | 'a' | 'null_mx' | 'nxdomain' | 'none' | null;
  mx: MxRecord[];
  error?: string;
}

export interface EmailCheck {
  address: string;
  valid: boolean;
  reason: EmailReason | null;
  normalized: string | null;
  domain: string | null;
  registrableDomain: string | null;
  free: boolean;
  disposable: boolean;
  role: boolean;
  dns: DnsStatus;
  mx: MxRecord[];
}

export interface CheckEmailOptions {
  /** null or omitted: syntax and lists only (dns = 'skipped'). */
  dns?: Resolver | null;
  /** Per-lookup time limit; a timeout is 'unknown', never 'invalid'. */
  dnsTimeoutMs?: number;
  signal?: AbortSignal;
  /** Memoise mail-host lookups per domain (the CLI checks thousands of addresses at once). */
  mailHostCache?: Map<string, Promise<MailHostCheck>>;
}

/**
 * Look up where mail for a domain goes. "No answer" (timeout, SERVFAIL) is 'unknown';
 * only a definite answer — the name does not exist, it has a null MX, or it has neither
 * MX nor A/AAAA — is 'no_mail_host'.
 */
export async function checkMailHost(
  resolver: Resolver,
  asciiDomain: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<MailHostCheck> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const describe = (e: unknown) => (e as { code?: string })?.code ?? (e instanceof Error ? e.message : String(e));
  try {
    const records = await withAbort(resolver.resolveMx(asciiDomain), signal);
    const usable = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
    if (records.length > 0 && usable.length === 0) return { status: 'no_mail_host', via: 'null_mx', mx: [] };
    if (usable.length > 0) {
      const mx = usable.map((r) => ({ exchange: r.exchange.replace(/\.$/, '').toLowerCase(), priority: r.priority }));
      mx.sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
      return { status: 'ok', via: 'mx', mx };
    }
  } catch (error) {
    const kind = classifyDnsError(error);
    if (kind === 'nxdomain') return { status: 'no_mail_host', via: 'nxdomain', mx: [] };
    if (kind === 'transient') return { status: 'unknown', via: null, mx: [], error: describe(error) };
  }
  // No MX: the implicit MX is the host itself when it has an address.
  const results = await Promise.allSettled([
    withAbort(resolver.resolve4(asciiDomain), signal),
    withAbort(resolver.resolve6(asciiDomain), signal),
  ]);
  if (results.some((r) => r.status === 'fulfilled' && r.value.length > 0)) {
    return { status: 'ok', via: 'a', mx: [{ exchange: asciiDomain, priority: 0 }] };
  }
  const transient = results.find((r) => r.status === 'rejected' && classifyDnsError(r.reason) === 'transient');
  if (transient && transient.status === 'rejected')
    return { status: 'unknown', via: null, mx: [], error: describe(transient.reason) };
  return { status: 'no_mail_host', via: 'none', mx: [] };
}

/** Check one address: syntax, lists, and (with a resolver) where its mail would go. */
export async function checkEmail(address: string, options: CheckEmailOptions = {}): Promise<EmailCheck> {
  const parsed = parseEmailAddress(address);
  if (!parsed.ok) {
    return {
      address,
      valid: false,
      reason: parsed.reason,
      normalized: null,
      domain: null,
      registrableDomain: null,
      free: false,
      disposable: false,
      role: false,
      dns: 'skipped',
      mx: [],
    };
  }
  const localPart = simplifyLocalPart(parsed.localPart, parsed.quoted);
  const base = registrableDomain(parsed.domain);
  const result: EmailCheck = {
    address,
    valid: true,
    reason: null,
    // NOTE: local parts are case-sensitive by the RFC but not at any provider we know of;
    // a CRM deduplicates on the lower-cased form.
    normalized: `${localPart.normalize('NFC').toLowerCase()}@${parsed.domain}`,
    domain: parsed.domain,
    registrableDomain: base,
    free: isFreeMailDomain(parsed.asciiDomain) || isFreeMailDomain(parsed.domain),
    disposable: isDisposableDomain(parsed.asciiDomain) || isDisposableDomain(parsed.domain),
    role: !localPart.startsWith('"') && isRoleLocalPart(localPart),
    dns: 'skipped',
    mx: [],
  };
  if (options.dns) {
    const cache = options.mailHostCache;
    let lookup = cache?.get(parsed.asciiDomain);
    if (!lookup) {
      lookup = checkMailHost(options.dns, parsed.asciiDomain, { timeoutMs: options.dnsTimeoutMs, signal: options.signal });
      cache?.set(parsed.asciiDomain, lookup);
    }
    const host = await lookup;
    result.dns = host.status;
    result.mx = host.mx;
    if (host.status === 'no_mail_host') {
      result.valid = false;
      result.reason = 'no_mail_host';
    }
  }
  return result;
}
