/**
 * How the pipeline sees a lead: pure functions from a stored lead (and its events) to what the
 * engines take — the scorer's `ScoringLead`, the predictive model's flat row, the fields that
 * enrichment may fill, and the facts derived from `leads.enrichment`.
 *
 * `leads.enrichment` holds the enrichment steps exactly as worker/enrichment returns them
 * (`{domain, email, industry, geo, …}`, each `{value, provenance}`); the facts below are derived
 * from it when scoring, so the stored form keeps its provenance.
 */
import type { LeadEnrichment } from '../enrichment/pipeline';
import type { ScoringEvent, ScoringLead } from '../scoring';

/** The lead columns the pipeline reads (camelCase, as drizzle returns them). */
export interface PipelineLead {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  title: string | null;
  companyName: string | null;
  website: string | null;
  companySize: string | null;
  industry: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  timezone: string | null;
  channel: string | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  stage: string;
  ownerId: string | null;
  tags: string[];
  emailOptIn: boolean | null;
  smsOptIn: boolean | null;
  unsubscribed: boolean;
  doNotContact: boolean;
  custom: unknown;
  enrichment: unknown;
  score: number;
  /** Timestamps: epoch milliseconds as the store reads them (Date/ISO strings accepted too). */
  scoredAt: Date | string | number | null;
  createdAt: Date | string | number;
  convertedAt?: Date | string | number | null;
  /** Read by bulk re-scoring only, to skip leads whose result did not change. */
  scoreGrade?: string | null;
  scoreExplanation?: unknown;
  /** `score_explanation::text` (bulk re-scoring compares text first, see ./explanation.ts). */
  scoreExplanationText?: string | null;
  predictedProbability?: number | null;
}

export interface PipelineEvent {
  leadId: string;
  type: string;
  occurredAt: Date | string | number;
  /** payload.via of 'merged' events: a merge made by a form submission counts as one. */
  via?: string | null;
  actorType?: string;
  /** For 'assigned' events: payload.from (the owner before). */
  from?: string | null;
}

/** Facts derived from the enrichment steps; scoring rules address them as `enrichment.<name>`. */
export interface EnrichmentFacts {
  companyDomain?: string | null;
  emailDomain?: string | null;
  emailValid?: boolean;
  emailFree?: boolean;
  emailDisposable?: boolean;
  emailRole?: boolean;
  emailDns?: string;
  industry?: string | null;
  industryConfidence?: number;
  country?: string | null;
  timezone?: string | null;
  phoneValid?: boolean;
  phoneType?: string | null;
  domainAgeDays?: number | null;
  registrar?: string | null;
  websiteTitle?: string | null;
  websiteLanguage?: string | null;
  socialProfiles?: number;
  company?: { employees?: number };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stepValue(enrichment: unknown, step: string): Record<string, unknown> | null {
  if (!isObject(enrichment)) return null;
  const s = enrichment[step];
  if (!isObject(s)) return null;
  const v = s.value;
  return isObject(v) ? v : null;
}

/**
 * Lower bound of a company-size text: "51-200" → 51, "1000+" → 1000, "250" → 250,
 * "1,001–5,000 employees" → 1001. Null when no number is found.
 */
export function companySizeLowerBound(text: string | null | undefined): number | null {
  if (!text) return null;
  const m = /(\d[\d,.]*)/.exec(text);
  if (!m) return null;
  const n = Number(m[1].replace(/[,.](?=\d{3}\b)/g, '').replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

export function enrichmentFacts(enrichment: unknown, lead?: Pick<PipelineLead, 'companySize'>): EnrichmentFacts {
  const facts: EnrichmentFacts = {};
  const domain = stepValue(enrichment, 'domain');
  if (domain) {
    facts.companyDomain = (domain.companyDomain as string | null) ?? null;
    facts.emailDomain = (domain.emailDomain as string | null) ?? null;
  }
  const email = stepValue(enrichment, 'email');
  if (email) {
    facts.emailValid = email.valid === true;
    facts.emailFree = email.free === true;
    facts.emailDisposable = email.disposable === true;
    facts.emailRole = email.role === true;
    facts.emailDns = typeof email.dns === 'string' ? email.dns : undefined;
  }
  const industry = stepValue(enrichment, 'industry');
  if (industry) {
    facts.industry = (industry.industry as string | null) ?? null;
    facts.industryConfidence = typeof industry.confidence === 'number' ? industry.confidence : 0;
  }
  const geo = stepValue(enrichment, 'geo');
  if (geo) {
    facts.country = (geo.country as string | null) ?? null;
    facts.timezone = (geo.timezone as string | null) ?? null;
    const phone = isObject(geo.phone) ? geo.phone : null;
    if (phone) {
      facts.phoneValid = phone.valid === true;
      facts.phoneType = typeof phone.type === 'string' ? phone.type : null;
    }
  }
  const rdap = stepValue(enrichment, 'rdap');
  if (rdap) {
    facts.domainAgeDays = typeof rdap.ageDays === 'number' ? rdap.ageDays : null;
    facts.registrar = isObject(rdap.registrar) && typeof rdap.registrar.name === 'string' ? rdap.registrar.name : null;
  }
  const website = stepValue(enrichment, 'website');
  if (website) {
    facts.websiteTitle = typeof website.title === 'string' ? website.title : null;
    facts.websiteLanguage = typeof website.language === 'string' ? website.language : null;
  }
  if (isObject(enrichment) && isObject(enrichment.social) && Array.isArray(enrichment.social.value)) {
    facts.socialProfiles = enrichment.social.value.length;
  }
  // No provider reports head counts; the lead's own company-size text gives the lower bound.
  const employees = companySizeLowerBound(lead?.companySize);
  if (employees !== null) facts.company = { employees };
  return facts;
}

/** The lead as the rule scorer sees it: its columns, the aliases the default model uses, facts. */
export function scoringLeadOf(lead: PipelineLead, events: readonly PipelineEvent[] = []): ScoringLead {
  return {
    email: lead.email,
    firstName: lead.firstName,
    lastName: lead.lastName,
    phone: lead.phone,
    title: lead.title,
    jobTitle: lead.title,
    companyName: lead.companyName,
    company: lead.companyName,
    website: lead.website,
    companySize: lead.companySize,
    industry: lead.industry,
    country: lead.country,
    region: lead.region,
    city: lead.city,
    timezone: lead.timezone,
    channel: lead.channel,
    source: lead.source,
    medium: lead.medium,
    campaign: lead.campaign,
    stage: lead.stage,
    tags: lead.tags,
    emailOptIn: lead.emailOptIn,
    smsOptIn: lead.smsOptIn,
    unsubscribed: lead.unsubscribed,
    doNotContact: lead.doNotContact,
    bounced: events.some((e) => e.type === 'email_bounced'),
    custom: isObject(lead.custom) ? lead.custom : {},
    enrichment: enrichmentFacts(lead.enrichment, lead) as Record<string, unknown>,
  };
}

/** Behaviour events for the scorer: a merge made by a form submission counts as that submission. */
export function scoringEventsOf(events: readonly PipelineEvent[]): ScoringEvent[] {
  return events.map((e) => ({ type: e.type === 'merged' && e.via ? e.via : e.type, occurredAt: e.occurredAt }));
}

/** Lead columns that enrichment may fill when they are empty (never overwriting a user's value). */
export interface FillIns {
  country?: string;
  timezone?: string;
  industry?: string;
  website?: string;
}

/** Below this classifier confidence an industry is kept in enrichment but not written to the lead. */
export const INDUSTRY_FILL_CONFIDENCE = 0.5;

const empty = (v: string | null | undefined) => v === null || v === undefined || v.trim() === '';

export function fillInsFor(lead: PipelineLead, enrichment: LeadEnrichment): FillIns {
  const out: FillIns = {};
  const geo = enrichment.geo?.value;
  if (empty(lead.country) && geo?.country) out.country = geo.country;
  if (empty(lead.timezone) && geo?.timezone) out.timezone = geo.timezone;
  const industry = enrichment.industry?.value;
  if (empty(lead.industry) && industry?.industry && industry.confidence >= INDUSTRY_FILL_CONFIDENCE) out.industry = industry.industry;
  // The company's domain comes from a business email address (never free or disposable mail).
  const companyDomain = enrichment.domain?.value.companyDomain;
  if (empty(lead.website) && companyDomain) out.website = `https://${companyDomain}`;
  return out;
}

export function withFillIns<T extends PipelineLead>(lead: T, fill: FillIns): T {
  return { ...lead, ...fill };
}

// ---------------------------------------------------------------------------------------------
// Predictive rows

/** The outcome of a lead for training: stage customer = converted, stage lost = not. */
export function outcomeOf(stage: string): 1 | 0 | null {
  return stage === 'customer' ? 1 : stage === 'lost' ? 0 : null;
}

export const LABEL_COLUMN = 'converted';

/**
 * Columns present in the rows but only known after the outcome (or the outcome itself): always
 * excluded from training, and listed as such next to the model.
 */
export const POST_OUTCOME_FIELDS = [
  'stage',
  'convertedAt',
  'score',
  'scoreGrade',
  'scoredAt',
  'predictedProbability',
  'ownerId',
  'updatedAt',
  'lastActivityAt',
] as const;

/**
 * When the outcome became known: converted_at, else the first stage change into customer/lost.
 * Null for open leads.
 */
export function outcomeTime(lead: PipelineLead, events: readonly PipelineEvent[]): number | null {
  if (outcomeOf(lead.stage) === null) return null;
  if (lead.convertedAt) return new Date(lead.convertedAt).getTime();
  let first: number | null = null;
  for (const e of events) {
    if (e.type !== 'stage_changed') continue;
    const t = new Date(e.occurredAt).getTime();
    if (first === null || t < first) first = t;
  }
  return first;
}

/**
 * The flat row the predictive model trains on and predicts from. Leakage guard by construction:
 * behaviour counts and the owner are taken as they were when the outcome became known (events
 * after it, and owner changes after it, are ignored); post-outcome columns are present only so
 * the trainer can list them as excluded.
 */
export function predictiveRowOf(
  lead: PipelineLead,
  events: readonly PipelineEvent[],
  options: { outcomeAt?: number | null } = {},
): Record<string, unknown> {
  const cutoff = options.outcomeAt ?? null;
  const counts: Record<string, number> = {};
  let owner = lead.ownerId;
  let ownerChangedAfter: { at: number; from: string | null } | null = null;
  for (const e of events) {
    const at = new Date(e.occurredAt).getTime();
    if (cutoff !== null && at > cutoff) {
      if (e.type === 'assigned' && (!ownerChangedAfter || at < ownerChangedAfter.at)) ownerChangedAfter = { at, from: e.from ?? null };
      continue;
    }
    const type = e.type === 'merged' && e.via ? e.via : e.type;
    if (type === 'updated' || type === 'stage_changed' || type === 'assigned' || type === 'score_threshold_crossed') continue;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  if (ownerChangedAfter) owner = ownerChangedAfter.from;
  const facts = enrichmentFacts(lead.enrichment, lead);
  const row: Record<string, unknown> = {
    emailDomainKind: facts.emailFree ? 'free' : facts.emailDisposable ? 'disposable' : facts.emailDomain ? 'business' : null,
    hasPhone: lead.phone ? 1 : 0,
    title: lead.title,
    companySize: lead.companySize,
    employees: facts.company?.employees ?? null,
    industry: lead.industry ?? facts.industry ?? null,
    country: lead.country ?? facts.country ?? null,
    region: lead.region,
    channel: lead.channel,
    source: lead.source,
    medium: lead.medium,
    campaign: lead.campaign,
    emailOptIn: lead.emailOptIn,
    unsubscribed: lead.unsubscribed,
    doNotContact: lead.doNotContact,
    ownerAtOutcome: owner,
    createdHour: new Date(lead.createdAt).getUTCHours(),
    createdWeekday: new Date(lead.createdAt).getUTCDay(),
    tagCount: lead.tags.length,
    'enrichment.emailRole': facts.emailRole ?? null,
    'enrichment.phoneType': facts.phoneType ?? null,
    'enrichment.domainAgeDays': facts.domainAgeDays ?? null,
  };
  if (isObject(lead.custom)) for (const [k, v] of Object.entries(lead.custom)) row[`custom.${k}`] = v;
  for (const [type, n] of Object.entries(counts)) row[`events.${type}`] = n;
  // Post-outcome columns: included so the trainer reports them as excluded (never used).
  row.stage = lead.stage;
  row.ownerId = lead.ownerId;
  row.score = lead.scoredAt ? lead.score : null;
  row.convertedAt = lead.convertedAt ?? null;
  return row;
}
