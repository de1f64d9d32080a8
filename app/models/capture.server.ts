/**
 * Public form capture: turns a website's form post into lead fields plus a marketing touch
 * (UTM parameters, referrer, landing page, derived channel).
 */
import { z } from 'zod';
import type { LeadFields } from './lead-fields';

const str = (max: number) => z.string().trim().max(max).optional();

/** Known fields (snake_case as in HTML forms, camelCase accepted too); others are kept as extras. */
export const captureBodySchema = z
  .object({
    email: str(254),
    first_name: str(120),
    last_name: str(120),
    name: str(240).describe('Full name, split into first and last when those are absent'),
    phone: str(40),
    company: str(200),
    title: str(200),
    website: str(500),
    message: str(5000),
    country: str(80),
    city: str(120),
    utm_source: str(200),
    utm_medium: str(80),
    utm_campaign: str(200),
    utm_term: str(200),
    utm_content: str(200),
    page_url: str(2000).describe('The page the form is on; its query string is read for UTM parameters'),
    referrer: str(2000),
    email_opt_in: z.union([z.boolean(), z.string()]).optional(),
    tags: z.union([z.string(), z.array(z.string())]).optional(),
    _gotcha: z.string().optional().describe('Honeypot: leave empty (hidden from people); bots fill it'),
    _redirect: z.string().url().optional().describe('Where to send the browser after a successful submit (303)'),
  })
  .catchall(z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]));

export type CaptureBody = z.infer<typeof captureBodySchema>;

const CAMEL_ALIASES: Record<string, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  fullName: 'name',
  companyName: 'company',
  pageUrl: 'page_url',
  landingPage: 'page_url',
  emailOptIn: 'email_opt_in',
};

export function normaliseCaptureKeys(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[CAMEL_ALIASES[k] ?? k] = v;
  return out;
}

const SEARCH_ENGINES = /(^|\.)(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|qwant|startpage|naver|seznam)\./i;
const SOCIAL = /(^|\.)(facebook|fb|instagram|linkedin|lnkd|twitter|x|t\.co|tiktok|reddit|pinterest|youtube|threads|mastodon)\./i;

/** A channel from UTM medium/source and the referrer, after common default channel groupings. */
export function deriveChannel(t: { medium?: string | null; source?: string | null; referrer?: string | null; landingHost?: string | null }): string {
  const medium = (t.medium ?? '').toLowerCase();
  const source = (t.source ?? '').toLowerCase();
  if (/^(cpc|ppc|paid|paidsearch|paid_search|sem)$/.test(medium)) return SOCIAL.test(`${source}.`) ? 'paid_social' : 'paid_search';
  if (/^(paid_?social|social_?paid|paidsocial)$/.test(medium)) return 'paid_social';
  if (/^(display|banner|cpm|expandable|interstitial)$/.test(medium)) return 'display';
  if (/^(e-?mail|newsletter)$/.test(medium)) return 'email';
  if (/^affiliates?$/.test(medium)) return 'affiliate';
  if (/^(social|social-network|social-media|sm|social network|social media)$/.test(medium)) return 'social';
  if (medium === 'organic') return 'organic_search';
  if (medium === 'referral') return 'referral';
  if (medium) return 'other';
  if (source && SOCIAL.test(`${source}.`)) return 'social';
  if (source && SEARCH_ENGINES.test(`${source}.`)) return 'organic_search';
  let refHost = '';
  try {
    refHost = t.referrer ? new URL(t.referrer).hostname : '';
  } catch {
    refHost = '';
  }
  if (!refHost || (t.landingHost && refHost === t.landingHost)) return source ? 'other' : 'direct';
  if (SEARCH_ENGINES.test(`${refHost}.`)) return 'organic_search';
  if (SOCIAL.test(`${refHost}.`)) return 'social';
  return 'referral';
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(1|true|yes|on|y)$/i.test(v.trim()));

export interface CaptureResult {
  fields: LeadFields;
  touch: Record<string, unknown>;
  extras: Record<string, unknown>;
  message: string | null;
}

/** Maps a validated capture body (plus the Referer header) to lead fields and a touch. */
export function interpretCapture(body: CaptureBody, headers: { referer?: string | null }, now = new Date()): CaptureResult {
  let pageUrl: URL | null = null;
  try {
    pageUrl = body.page_url ? new URL(body.page_url) : headers.referer ? new URL(headers.referer) : null;
  } catch {
    pageUrl = null;
  }
  const q = pageUrl?.searchParams;
  const utm = (k: string) => ((body as Record<string, unknown>)[`utm_${k}`] as string | undefined) || q?.get(`utm_${k}`) || null;
  const referrer = body.referrer || null;
  const touch = {
    at: now.toISOString(),
    source: utm('source'),
    medium: utm('medium'),
    campaign: utm('campaign'),
    term: utm('term'),
    content: utm('content'),
    referrer,
    landingPage: pageUrl ? `${pageUrl.origin}${pageUrl.pathname}` : null,
    channel: deriveChannel({ medium: utm('medium'), source: utm('source'), referrer, landingHost: pageUrl?.hostname ?? null }),
  };
  let firstName = body.first_name || undefined;
  let lastName = body.last_name || undefined;
  if (!firstName && !lastName && body.name) {
    const parts = body.name.split(/\s+/);
    firstName = parts[0];
    lastName = parts.slice(1).join(' ') || undefined;
  }
  const tags = Array.isArray(body.tags) ? body.tags : body.tags ? body.tags.split(/[,;|]/) : [];
  const known = new Set(Object.keys(captureBodySchema.shape));
  const extras: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!known.has(k) && !k.startsWith('_')) extras[k] = v;
  const fields: LeadFields = {
    email: body.email || null,
    firstName: firstName ?? null,
    lastName: lastName ?? null,
    phone: body.phone || null,
    companyName: body.company || null,
    title: body.title || null,
    website: body.website || null,
    country: body.country || null,
    city: body.city || null,
    channel: touch.channel,
    source: touch.source,
    medium: touch.medium,
    campaign: touch.campaign,
    referrer: touch.referrer,
    landingPage: touch.landingPage,
    tags: tags.map((t) => t.trim()).filter(Boolean).slice(0, 20),
    ...(body.email_opt_in !== undefined ? { emailOptIn: truthy(body.email_opt_in) } : {}),
  };
  return { fields, touch, extras, message: body.message || null };
}
