// Website step: fetch the home page through the SSRF-safe client and read its metadata with
// htmlparser2 (a streaming, forgiving HTML parser — real pages are rarely valid HTML).
import { Parser } from 'htmlparser2';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { parseEmailAddress } from './email.js';
import { HttpError, safeFetch, statusError, type SafeFetchOptions } from './http.js';
import { mergeProfiles, parseSocialUrl, type SocialProfile } from './social.js';
import type { Resolver } from './dns.js';

export interface ContactHints {
  emails: string[];
  /** E.164 when parseable, else as written. */
  phones: string[];
  /** Links that look like contact / imprint / about pages (absolute URLs). */
  contactPages: string[];
  /** Countries stated in structured data (schema.org addressCountry). */
  countries: string[];
}

export interface WebsiteMetadata {
  url: string;
  title: string | null;
  description: string | null;
  openGraph: Record<string, string>;
  /** BCP 47 language tag of the page, canonicalised ("en-US"), or null. */
  language: string | null;
  canonicalUrl: string | null;
  socialProfiles: SocialProfile[];
  contacts: ContactHints;
  /** Headings and leading visible text (≤ 2000 chars): input for the industry classifier. */
  textSample: string;
}

const MAX_TEXT_SAMPLE = 2000;
const MAX_HINTS = 20;
const SKIP_TEXT_IN = new Set(['script', 'style', 'noscript', 'template', 'svg', 'title']);
const CONTACT_LINK =
  /(contact|kontakt|contacto|contato|contatti|impressum|imprint|mentions-legales|about|ueber-uns|uber-uns|a-propos|quienes-somos)/i;
const EMAIL_IN_TEXT =
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Canonical BCP 47 tag ("en_us" → "en-US"), or null for junk. */
export function canonicalLanguage(raw: string | null | undefined): string | null {
  if (!raw) return null;
  // Content-Language may list several ("de, en"): the first is the page's.
  const tag = raw.split(/[,;]/)[0]!.trim().replace(/_/g, '-');
  if (tag === '' || tag === '*' || /\s/.test(tag)) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

function normalisePhone(raw: string, defaultCountry?: CountryCode): string | null {
  const cleaned = raw.replace(/^tel:/i, '').replace(/%20/g, ' ').trim();
  if (!/\d/.test(cleaned)) return null;
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry);
  if (parsed?.isValid()) return parsed.number;
  const digits = cleaned.replace(/[^\d+]/g, '');
  return digits.length >= 6 ? digits : null;
}

function resolveUrl(href: string, base: string): string | null {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return null;
  }
}

function collectJsonLd(
  node: unknown,
  into: { sameAs: string[]; emails: string[]; phones: string[]; countries: string[] },
  depth = 0,
): void {
  if (depth > 6 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectJsonLd(item, into, depth + 1);
    return;
  }
  const obj = node as Record<string, unknown>;
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  into.sameAs.push(...strings(obj.sameAs));
  into.emails.push(...strings(obj.email).map((e) => e.replace(/^mailto:/i, '')));
  into.phones.push(...strings(obj.telephone));
  const address = obj.address;
  if (address && typeof address === 'object' && !Array.isArray(address)) {
    const country = (address as Record<string, unknown>).addressCountry;
    if (typeof country === 'string') into.countries.push(country);
    else if (country && typeof country === 'object') into.countries.push(...strings((country as Record<string, unknown>).name));
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'sameAs' && typeof value === 'object') collectJsonLd(value, into, depth + 1);
  }
}

/** Parse a home page. Pure: takes the HTML and the URL it came from. */
export function parseHomePage(html: string, pageUrl: string, options: { defaultCountry?: CountryCode } = {}): WebsiteMetadata {
  let title: string | null = null;
  let inTitle = false;
  let titleText = '';
  const metas: { name: string; content: string }[] = [];
  let htmlLang: string | null = null;
  let canonical: string | null = null;
  let baseHref: string | null = null;
  const links: { href: string; text: string }[] = [];
  let currentLink: { href: string; text: string } | null = null;
  const jsonLdBlocks: string[] = [];
  let inJsonLd = false;
  let jsonLdText = '';
  const skipStack: string[] = [];
  let text = '';
  const headings: string[] = [];
  let headingDepth = 0;
  let headingText = '';

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'html' && attrs.lang) htmlLang ??= attrs.lang;
        if (name === 'title' && title === null) {
          inTitle = true;
          titleText = '';
        }
        if (name === 'base' && attrs.href) baseHref ??= attrs.href;
        if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? attrs['http-equiv'] ?? '').toLowerCase().trim();
          if (key && attrs.content !== undefined) metas.push({ name: key, content: attrs.content });
        }
        if (name === 'link' && attrs.href && /(^|\s)canonical(\s|$)/i.test(attrs.rel ?? '')) canonical ??= attrs.href;
        if (name === 'a' && attrs.href) {
          currentLink = { href: attrs.href, text: '' };
          links.push(currentLink);
        }
        if (name === 'script' && /application\/ld\+json/i.test(attrs.type ?? '')) {
          inJsonLd = true;
          jsonLdText = '';
        }
        if (/^h[1-3]$/.test(name)) {
          headingDepth++;
          headingText = '';
        }
        if (SKIP_TEXT_IN.has(name)) skipStack.push(name);
      },
      ontext(data) {
        if (inTitle) titleText += data;
        if (inJsonLd) jsonLdText += data;
        if (skipStack.length > 0) return;
        if (currentLink) currentLink.text += data;
        if (headingDepth > 0) headingText += data;
        if (text.length < MAX_TEXT_SAMPLE * 4) text += ` ${data}`;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          title = collapse(titleText) || null;
        }
        if (name === 'script' && inJsonLd) {
          inJsonLd = false;
          jsonLdBlocks.push(jsonLdText);
        }
        if (name === 'a') currentLink = null;
        if (/^h[1-3]$/.test(name) && headingDepth > 0) {
          headingDepth--;
          const h = collapse(headingText);
          if (h && headings.length < 10) headings.push(h);
        }
        if (skipStack.length > 0 && skipStack[skipStack.length - 1] === name) skipStack.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();

  const base = (baseHref && resolveUrl(baseHref, pageUrl)) || pageUrl;
  const meta = (key: string) => metas.find((m) => m.name === key)?.content.trim() || null;
  const openGraph: Record<string, string> = {};
  for (const m of metas) {
    if (m.name.startsWith('og:') && !(m.name in openGraph) && m.content.trim() !== '')
      openGraph[m.name.slice(3)] = collapse(m.content);
  }

  const jsonLd = { sameAs: [] as string[], emails: [] as string[], phones: [] as string[], countries: [] as string[] };
  for (const block of jsonLdBlocks) {
    try {
      collectJsonLd(JSON.parse(block), jsonLd);
    } catch {
      // Broken JSON-LD is common; it only loses hints.
    }
  }

  const profiles: SocialProfile[] = [];
  const emails = new Set<string>();
  const phones = new Set<string>();
  const contactPages = new Set<string>();
  const pageHost = new URL(pageUrl).hostname.replace(/^www\./, '');
  const addEmail = (raw: string) => {
    const address = decodeURIComponentSafe(raw.split('?')[0] ?? '').trim();
    const parsed = parseEmailAddress(address);
    if (parsed.ok && !parsed.quoted && emails.size < MAX_HINTS) emails.add(`${parsed.localPart.toLowerCase()}@${parsed.domain}`);
  };
  const addPhone = (raw: string) => {
    const phone = normalisePhone(raw, options.defaultCountry);
    if (phone && phones.size < MAX_HINTS) phones.add(phone);
  };
  for (const link of links) {
    const href = link.href.trim();
    if (/^mailto:/i.test(href)) addEmail(href.slice(7));
    else if (/^(tel|callto):/i.test(href)) addPhone(href.replace(/^(tel|callto):/i, ''));
    else {
      const absolute = resolveUrl(href, base);
      if (!absolute || !/^https?:/.test(absolute)) continue;
      const profile = parseSocialUrl(absolute, 'link');
      if (profile) profiles.push(profile);
      else {
        const target = new URL(absolute);
        const sameSite = target.hostname.replace(/^www\./, '') === pageHost;
        if (sameSite && contactPages.size < MAX_HINTS && (CONTACT_LINK.test(target.pathname) || CONTACT_LINK.test(link.text))) {
          target.hash = '';
          contactPages.add(target.href);
        }
      }
    }
  }
  for (const u of jsonLd.sameAs) {
    const profile = parseSocialUrl(u, 'json-ld');
    if (profile) profiles.push(profile);
  }
  jsonLd.emails.forEach(addEmail);
  jsonLd.phones.forEach(addPhone);
  const visible = collapse(text);
  for (const match of visible.matchAll(EMAIL_IN_TEXT)) addEmail(match[0]);

  const description = meta('description') ?? openGraph.description ?? meta('twitter:description');
  const language =
    canonicalLanguage(htmlLang) ?? canonicalLanguage(meta('content-language')) ?? canonicalLanguage(openGraph.locale);
  const sampleParts = [title, description, ...headings, visible].filter((s): s is string => !!s);
  return {
    url: pageUrl,
    title: title ?? openGraph.title ?? null,
    description: description ? collapse(description) : null,
    openGraph,
    language,
    canonicalUrl: canonical ? resolveUrl(canonical, base) : null,
    socialProfiles: mergeProfiles(profiles),
    contacts: {
      emails: [...emails],
      phones: [...phones],
      contactPages: [...contactPages],
      countries: [...new Set(jsonLd.countries.map((c) => c.trim()).filter(Boolean))],
    },
    textSample: sampleParts.join(' \n ').slice(0, MAX_TEXT_SAMPLE),
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Decode a body by its declared charset, the page's <meta charset>, or UTF-8. */
export function decodeHtml(body: Buffer, headerCharset: string | null): string {
  const head = body.subarray(0, 2048).toString('latin1');
  const metaCharset = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)/i.exec(head)?.[1] ?? null;
  for (const label of [headerCharset, metaCharset, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // Unknown label: try the next one.
    }
  }
  return body.toString('utf8');
}

export interface WebsiteFetchOptions
  extends Pick<SafeFetchOptions, 'allowCidrs' | 'allowHosts' | 'timeoutMs' | 'maxBytes' | 'maxRedirects'> {
  resolver?: Resolver;
  defaultCountry?: CountryCode;
}

/**
 * Fetch and parse a site's home page. `site` is a host or URL; a bare host tries https
 * first and falls back to http only when https cannot connect (never after a refusal).
 */
export async function fetchWebsite(
  site: string,
  options: WebsiteFetchOptions = {},
  signal?: AbortSignal,
): Promise<WebsiteMetadata & { status: number; truncated: boolean; redirects: string[] }> {
  const trimmed = site.trim();
  const candidates = /^https?:\/\//i.test(trimmed) ? [trimmed] : [`https://${trimmed}/`, `http://${trimmed}/`];
  let lastError: unknown;
  for (const url of candidates) {
    try {
      const response = await safeFetch(url, {
        resolver: options.resolver,
        allowCidrs: options.allowCidrs,
        allowHosts: options.allowHosts,
        timeoutMs: options.timeoutMs ?? 10_000,
        maxBytes: options.maxBytes ?? 1024 * 1024,
        maxRedirects: options.maxRedirects ?? 5,
        // The head of a page holds the metadata: a long page is cut, not refused.
        onLimit: 'truncate',
        acceptContentTypes: ['text/html', 'application/xhtml+xml'],
        headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1', 'accept-language': 'en;q=0.9, *;q=0.5' },
        signal,
      });
      if (response.status < 200 || response.status >= 300) throw statusError(response);
      const html = decodeHtml(response.body, response.charset);
      return {
        ...parseHomePage(html, response.url, { defaultCountry: options.defaultCountry }),
        status: response.status,
        truncated: response.truncated,
        redirects: response.redirects,
      };
    } catch (error) {
      lastError = error;
      const fallBack = error instanceof HttpError && (error.code === 'network' || error.code === 'tls');
      if (!fallBack) throw error;
    }
  }
  throw lastError;
}
