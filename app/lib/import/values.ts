// Cell value → lead value, one function per kind. Each returns the value, or an `Invalid` saying
// why (the caller turns it into a row error naming the column). The success path allocates as
// little as possible: these run once per cell, millions of times per import.
import { createRequire } from 'node:module';
import isoCountries from 'i18n-iso-countries';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { toE164 } from './phone';

export class Invalid {
  constructor(readonly message: string) {}
}

/** Show a value in a message: quoted, clipped, single line. */
export function quote(value: string, max = 60): string {
  const oneLine = value.replace(/\s+/g, ' ');
  return `'${oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine}'`;
}

// Placeholders spreadsheets and CRMs write for "no value".
const EMPTY_MARKERS = new Set(['n/a', '#n/a', 'null', '(null)', '-', '--', '—', '(blank)', '(empty)', '(none)']);

/** Trim, and treat placeholders like "N/A" or "NULL" as empty. Returns '' for no value. */
export function cleanCell(raw: string): string {
  let v = raw;
  if (v.length > 0 && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32)) v = v.trim();
  if (v.length > 0 && v.length <= 7 && EMPTY_MARKERS.has(v.toLowerCase())) return '';
  return v;
}

// Sound, deliberately simple address syntax (the enrichment validator is stricter): a local part
// of atext characters and single dots, a domain of letter/digit/hyphen labels, an alphabetic TLD.
const EMAIL =
  /^(?!\.)(?!.*\.\.)[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/u;
// Fast path for the common all-ASCII address; the Unicode pattern above runs only if this fails.
const ASCII_EMAIL = /^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_EMAIL = 254;

/**
 * Lower-case, trim and syntax-check an address. Accepts `mailto:x@y.z` and `Name <x@y.z>`.
 * Several addresses in one cell: the first is used (`extra` tells the caller, for a warning).
 */
export function normaliseEmail(value: string): { email: string; extra: boolean } | Invalid {
  let v = value.toLowerCase();
  if (ASCII_EMAIL.test(v) && v.length <= MAX_EMAIL) return { email: v, extra: false };
  if (v.startsWith('mailto:')) v = v.slice(7);
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(v);
  if (angle) v = angle[1];
  let extra = false;
  const parts = v.split(/[;,\s]+/).filter(Boolean);
  if (parts.length > 1 && parts.every((p) => p.includes('@'))) {
    v = parts[0];
    extra = true;
  }
  v = v.trim();
  if (v.length > MAX_EMAIL) return new Invalid(`is longer than ${MAX_EMAIL} characters`);
  if (!EMAIL.test(v)) return new Invalid('is not a valid email address');
  return { email: v, extra };
}

const PHONE_CHARS = /^[+\d\s().\-/]*(?:(?:ext\.?|extension|x|#)\s*\d{1,6})?$/i;

/**
 * E.164 when libphonenumber-js can place the number (an international `+` prefix, or the row's
 * or the default country); otherwise the number as written, since a national number without a
 * known country is still a phone number. Refused only when it clearly is not one: letters, or
 * fewer than 5 / more than 17 digits.
 */
export function normalisePhone(value: string, country: CountryCode | undefined): string | Invalid {
  let v = value;
  if (v.startsWith('tel:')) v = v.slice(4);
  if (!PHONE_CHARS.test(v)) return new Invalid('is not a phone number');
  let digits = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (digits < 5 || digits > 23) return new Invalid('is not a phone number');
  // 0044… written without a country: the international prefix most of the world uses.
  const text = !country && v.startsWith('00') ? `+${v.slice(2)}` : v;
  const e164 = toE164(text, country);
  if (e164) return e164;
  if (digits > 17) return new Invalid('is not a phone number');
  return v.replace(/\s+/g, ' ');
}

const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json') as isoCountries.LocaleData);
const COUNTRY_ALIASES: Record<string, string> = {
  uk: 'GB',
  'u.k.': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  usa: 'US',
  'u.s.': 'US',
  'u.s.a.': 'US',
  america: 'US',
  'united states of america': 'US',
  holland: 'NL',
  'south korea': 'KR',
  korea: 'KR',
  russia: 'RU',
  'czech republic': 'CZ',
  uae: 'AE',
  deutschland: 'DE',
  espana: 'ES',
  españa: 'ES',
  italia: 'IT',
  schweiz: 'CH',
  suisse: 'CH',
  osterreich: 'AT',
  österreich: 'AT',
  brasil: 'BR',
  mexico: 'MX',
  méxico: 'MX',
  nederland: 'NL',
  belgique: 'BE',
  belgie: 'BE',
  belgië: 'BE',
};
const countryCache = new Map<string, CountryCode | null>();

/**
 * The country a row's country cell names, as a libphonenumber region (used to read national
 * phone numbers). NOTE: the stored `country` stays as written; the enrichment step owns
 * canonical country codes (worker/enrichment/geo.ts).
 */
export function phoneRegionOf(country: string): CountryCode | undefined {
  let code = countryCache.get(country);
  if (code === undefined) {
    const lower = country.toLowerCase();
    let alpha2: string | undefined =
      COUNTRY_ALIASES[lower] ??
      (country.length === 2
        ? country.toUpperCase()
        : country.length === 3
          ? isoCountries.alpha3ToAlpha2(country.toUpperCase())
          : undefined) ??
      isoCountries.getAlpha2Code(country, 'en');
    if (alpha2 && !isSupportedCountry(alpha2)) alpha2 = undefined;
    code = (alpha2 as CountryCode | undefined) ?? null;
    if (countryCache.size < 10_000) countryCache.set(country, code);
  }
  return code ?? undefined;
}

/** A website as `https://host/path`: scheme added when missing, host lower-cased. */
export function normaliseWebsite(value: string): string | Invalid {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return new Invalid('is not a website address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return new Invalid('is not a website address (http or https)');
  if (url.username || url.password) return new Invalid('is not a website address (it looks like an email address)');
  const host = url.hostname;
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(host)) {
    return new Invalid('is not a website address');
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}${path}${url.search}${url.hash}`;
}

// Yes/no words. "Consent" words (subscribed, opted out…) say whether the person agreed to be
// contacted; for the negative fields (unsubscribed, doNotContact) they count the other way round.
const LITERAL_TRUE = new Set(['yes', 'y', 'true', 't', '1', 'x', '✓', '✔', 'on', 'checked', 'oui', 'si', 'sí', 'ja', 'j']);
const LITERAL_FALSE = new Set(['no', 'n', 'false', 'f', '0', 'off', 'unchecked', 'non', 'nein']);
const CONSENT_GIVEN = new Set([
  'opted in',
  'opt in',
  'optin',
  'opted',
  'subscribed',
  'subscriber',
  'consented',
  'granted',
  'accepted',
  'confirmed',
  'double opt in',
  'single opt in',
]);
const CONSENT_WITHHELD = new Set([
  'opted out',
  'opt out',
  'optout',
  'unsubscribed',
  'not subscribed',
  'non subscribed',
  'declined',
  'denied',
  'revoked',
  'withdrawn',
  'refused',
  'do not contact',
  'do not email',
]);

/** `negative`: the field means "do not contact" (unsubscribed, doNotContact). */
export function parseBoolean(value: string, negative: boolean): boolean | Invalid {
  const key = value.toLowerCase();
  if (LITERAL_TRUE.has(key)) return true;
  if (LITERAL_FALSE.has(key)) return false;
  const words = key.replace(/[\s_-]+/g, ' ').trim();
  if (CONSENT_GIVEN.has(words)) return !negative;
  if (CONSENT_WITHHELD.has(words)) return negative;
  return new Invalid('is not yes/no (use yes, no, true, false, 1 or 0)');
}

export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;

/** Split on `;` `,` or `|`, trim, drop empties and repeats (case-insensitive). */
export function parseTags(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 59;
    if (c !== 59 /* ; */ && c !== 44 /* , */ && c !== 124 /* | */) continue;
    const tag = value.slice(start, i).trim();
    start = i + 1;
    if (tag === '') continue;
    const key = tag.toLowerCase();
    if (!out.some((t) => t.toLowerCase() === key)) out.push(tag);
  }
  return out;
}

const timezoneCache = new Map<string, string | null>();

/** An IANA time zone name (as Intl knows it; case-insensitive), canonical spelling. */
export function normaliseTimezone(value: string): string | Invalid {
  let zone = timezoneCache.get(value);
  if (zone === undefined) {
    try {
      zone = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      zone = null;
    }
    if (timezoneCache.size < 10_000) timezoneCache.set(value, zone);
  }
  return zone ?? new Invalid('is not a time zone (use a name like Europe/Paris)');
}

/** Split a full name into first and last: "Ada Lovelace", "Lovelace, Ada", "Dr. Ada King Lovelace". */
export function splitFullName(value: string): { firstName?: string; lastName?: string } {
  const comma = value.indexOf(',');
  if (comma > 0 && value.indexOf(',', comma + 1) < 0) {
    const last = value.slice(0, comma).trim();
    const first = value.slice(comma + 1).trim();
    // "Smith, Jr." is a suffix, not "Last, First".
    if (first && last && !/^(jr|sr|ii|iii|iv|phd|md)\.?$/i.test(first)) return { firstName: first, lastName: last };
  }
  const words = value.split(/\s+/).filter(Boolean);
  while (words.length > 1 && /^(mr|mrs|ms|miss|mx|dr|prof|sir|herr|frau|mme|mlle|m)\.?$/i.test(words[0])) words.shift();
  if (words.length === 0) return {};
  if (words.length === 1) return { firstName: words[0] };
  return { firstName: words[0], lastName: words.slice(1).join(' ') };
}
