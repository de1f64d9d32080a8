// Geography and time zone of a lead from three signals: the country field (names, alpha-2,
// alpha-3 or numeric codes in several languages), the phone number (libphonenumber-js
// with full metadata) and the ccTLD of the website or email domain.
import { createRequire } from 'node:module';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import countriesAndTimezones from 'countries-and-timezones';
import isoCountries from 'i18n-iso-countries';
import { topLevelDomain } from './domain.js';

const require = createRequire(import.meta.url);
// Country names in the languages our tenants mostly write in; more can be registered.
const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'sv', 'da', 'pl'] as const;
for (const locale of LOCALES)
  isoCountries.registerLocale(require(`i18n-iso-countries/langs/${locale}.json`) as isoCountries.LocaleData);

/** Lower-case, no diacritics, no punctuation: "Côte d’Ivoire" → "cote divoire", "U.S.A." → "usa". */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[.'’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Names people use that are not country names in the ISO lists.
const EXTRA_ALIASES: Record<string, string> = {
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  britain: 'GB',
  america: 'US',
  'united states of america usa': 'US',
  holland: 'NL',
  'south korea': 'KR',
  korea: 'KR',
  'north korea': 'KP',
  russia: 'RU',
  'czech republic': 'CZ',
  uae: 'AE',
  emirates: 'AE',
  'hong kong sar': 'HK',
  macau: 'MO',
  vatican: 'VA',
  kosovo: 'XK',
};

let nameIndex: Map<string, string> | undefined;
function countryNameIndex(): Map<string, string> {
  if (nameIndex) return nameIndex;
  const index = new Map<string, string>();
  for (const locale of LOCALES) {
    const names = isoCountries.getNames(locale, { select: 'all' }) as Record<string, string[]>;
    for (const [code, list] of Object.entries(names))
      for (const name of list) if (!index.has(fold(name))) index.set(fold(name), code);
  }
  for (const [name, code] of Object.entries(countriesAndTimezones.getAllCountries())) {
    const folded = fold((code as { name: string }).name);
    if (!index.has(folded)) index.set(folded, name);
  }
  for (const [alias, code] of Object.entries(EXTRA_ALIASES)) index.set(fold(alias), code);
  nameIndex = index;
  return index;
}

/** ISO 3166-1 alpha-2 code for a country as people write it, or null. */
export function normalizeCountry(input: string | null | undefined): string | null {
  if (!input) return null;
  const raw = input.trim();
  if (raw === '') return null;
  if (/^[A-Za-z]{2}$/.test(raw)) {
    const code = raw.toUpperCase() === 'UK' ? 'GB' : raw.toUpperCase();
    return isoCountries.isValid(code) ? code : null;
  }
  if (/^[A-Za-z]{3}$/.test(raw)) {
    const code = isoCountries.alpha3ToAlpha2(raw.toUpperCase());
    if (code) return code;
  }
  if (/^\d{1,3}$/.test(raw)) return isoCountries.numericToAlpha2(raw.padStart(3, '0')) ?? null;
  return countryNameIndex().get(fold(raw)) ?? null;
}

/** English name of a country code. */
export function countryName(code: string): string | null {
  return isoCountries.getName(code, 'en') ?? null;
}

// ccTLDs sold worldwide as generic names: a weak signal of where a company is.
const VANITY_CCTLDS = new Set([
  'io',
  'co',
  'ai',
  'me',
  'tv',
  'fm',
  'ly',
  'am',
  'gg',
  'to',
  'cc',
  'ws',
  'sh',
  'ac',
  'vc',
  'so',
  'is',
  'it',
  'la',
  'st',
  'im',
  'nu',
  'tk',
  'ml',
  'ga',
  'cf',
  'gq',
  'xyz',
]);

export interface TldCountry {
  country: string;
  confidence: number;
}

/** Country of a domain's ccTLD ("example.co.uk" → GB). Generic TLDs give null. */
export function countryFromTld(domainOrHost: string | null | undefined): TldCountry | null {
  const tld = topLevelDomain(domainOrHost);
  if (!tld || !/^[a-z]{2}$/.test(tld)) return null;
  const code = tld === 'uk' ? 'GB' : tld.toUpperCase();
  if (!isoCountries.isValid(code)) return null; // .eu, .su, .ac…
  return { country: code, confidence: VANITY_CCTLDS.has(tld) ? 0.2 : 0.7 };
}

// The zone of the capital or the most populous region, for countries spanning several UTC
// offsets; elsewhere every zone of the country keeps the same time and any will do.
const PRIMARY_TIMEZONE: Record<string, string> = {
  AU: 'Australia/Sydney',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CD: 'Africa/Kinshasa',
  CL: 'America/Santiago',
  CN: 'Asia/Shanghai',
  EC: 'America/Guayaquil',
  ES: 'Europe/Madrid',
  FM: 'Pacific/Pohnpei',
  GL: 'America/Nuuk',
  ID: 'Asia/Jakarta',
  KI: 'Pacific/Tarawa',
  MN: 'Asia/Ulaanbaatar',
  MX: 'America/Mexico_City',
  NZ: 'Pacific/Auckland',
  PF: 'Pacific/Tahiti',
  PG: 'Pacific/Port_Moresby',
  PT: 'Europe/Lisbon',
  RU: 'Europe/Moscow',
  UA: 'Europe/Kyiv',
  US: 'America/New_York',
};

/** A name this runtime's Intl accepts: an older ICU may know "Europe/Kyiv" only as "Europe/Kiev". */
function usableZone(zone: string): string {
  const accepted = (name: string) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  };
  if (accepted(zone)) return zone;
  for (const [name, info] of Object.entries(countriesAndTimezones.getAllTimezones({ deprecated: true }))) {
    if ((info as { aliasOf: string | null }).aliasOf === zone && accepted(name)) return name;
  }
  return zone;
}

export interface CountryTimezone {
  timezone: string | null;
  /** All zones of the country. */
  timezones: string[];
  /** False when the country spans several UTC offsets and `timezone` is its main one. */
  exact: boolean;
}

export function timezoneForCountry(country: string): CountryTimezone {
  const info = countriesAndTimezones.getCountry(country as Parameters<typeof countriesAndTimezones.getCountry>[0]);
  const zones = info?.timezones ?? [];
  if (zones.length === 0) return { timezone: null, timezones: [], exact: false };
  const offsets = new Set(
    zones.map((z) => {
      const tz = countriesAndTimezones.getTimezone(z);
      return tz ? `${tz.utcOffset}/${tz.dstOffset}` : z;
    }),
  );
  if (offsets.size > 1) {
    const primary = PRIMARY_TIMEZONE[country];
    return { timezone: primary ? usableZone(primary) : null, timezones: zones, exact: false };
  }
  // Same clock everywhere: name it by a zone that is the country's own — Berlin, not Zurich,
  // for DE; for SE the tz database now links Stockholm to Berlin, so look at links too.
  const withLinks =
    countriesAndTimezones.getCountry(country as Parameters<typeof countriesAndTimezones.getCountry>[0], { deprecated: true })
      ?.timezones ?? zones;
  const owned = (list: readonly string[]) =>
    list.find((z) => z.includes('/') && countriesAndTimezones.getTimezone(z)?.countries[0] === country);
  const own = owned(zones) ?? owned(withLinks) ?? zones[0]!;
  return { timezone: usableZone(own), timezones: zones, exact: true };
}

export interface PhoneInfo {
  e164: string;
  country: string | null;
  valid: boolean;
  type: string | null;
}

export function parsePhone(phone: string | null | undefined, defaultCountry?: string | null): PhoneInfo | null {
  if (!phone || !/\d/.test(phone)) return null;
  const parsed = parsePhoneNumberFromString(phone, (defaultCountry ?? undefined) as CountryCode | undefined);
  if (!parsed) return null;
  return { e164: parsed.number, country: parsed.country ?? null, valid: parsed.isValid(), type: parsed.getType() ?? null };
}

export interface GeoInput {
  phone?: string | null;
  country?: string | null;
  /** Website or email domain, for the ccTLD. */
  domain?: string | null;
  /** Extra country hints (e.g. addressCountry from the website's structured data). */
  hints?: readonly string[];
}

export interface Geography {
  country: string | null;
  countryName: string | null;
  source: 'country_field' | 'phone' | 'website' | 'tld' | null;
  timezone: string | null;
  timezones: string[];
  timezoneExact: boolean;
  phone: PhoneInfo | null;
  signals: { countryField: string | null; phone: string | null; website: string | null; tld: string | null };
  confidence: number;
}

/**
 * Decide a lead's country: the country field when it names one, then a valid phone number,
 * then the website's stated address, then the ccTLD. Agreeing signals raise the confidence.
 */
export function resolveGeography(input: GeoInput): Geography {
  const fieldCountry = normalizeCountry(input.country);
  const tld = countryFromTld(input.domain);
  const websiteCountry = (input.hints ?? []).map(normalizeCountry).find((c): c is string => c !== null) ?? null;
  // A national number ("030 1234567") needs a country to be read in.
  const phone = parsePhone(input.phone, fieldCountry ?? websiteCountry ?? (tld && tld.confidence >= 0.5 ? tld.country : null));
  const phoneCountry = phone?.valid ? phone.country : null;
  const candidates: [Geography['source'], string | null, number][] = [
    ['country_field', fieldCountry, 0.9],
    ['phone', phoneCountry, 0.8],
    ['website', websiteCountry, 0.7],
    ['tld', tld?.country ?? null, tld?.confidence ?? 0],
  ];
  const chosen = candidates.find(([, c]) => c !== null);
  const signals = { countryField: fieldCountry, phone: phoneCountry, website: websiteCountry, tld: tld?.country ?? null };
  if (!chosen) {
    return {
      country: null,
      countryName: null,
      source: null,
      timezone: null,
      timezones: [],
      timezoneExact: false,
      phone,
      signals,
      confidence: 0,
    };
  }
  const [source, country, base] = chosen as [Geography['source'], string, number];
  const agreeing = candidates.filter(([s, c]) => s !== source && c === country).length;
  // A vanity ccTLD (.io, .ai) disagreeing says little; only firm signals count against.
  const disagreeing = candidates.filter(([, c, weight]) => c !== null && c !== country && weight >= 0.5).length;
  const confidence = Math.max(0.1, Math.min(0.99, base + 0.05 * agreeing - 0.15 * disagreeing));
  const tz = timezoneForCountry(country);
  return {
    country,
    countryName: countryName(country),
    source,
    timezone: tz.timezone,
    timezones: tz.timezones,
    timezoneExact: tz.exact,
    phone,
    signals,
    confidence: Math.round(confidence * 100) / 100,
  };
}
