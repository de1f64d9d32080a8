/** The lead and event as the REST API shows them (also the OpenAPI response schemas). */
import { z } from 'zod';
import type { Lead, LeadEvent } from './lead.server';

export const leadResourceSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  title: z.string().nullable(),
  companyName: z.string().nullable(),
  website: z.string().nullable(),
  companySize: z.string().nullable(),
  industry: z.string().nullable(),
  country: z.string().nullable(),
  region: z.string().nullable(),
  city: z.string().nullable(),
  timezone: z.string().nullable(),
  channel: z.string().nullable(),
  source: z.string().nullable(),
  medium: z.string().nullable(),
  campaign: z.string().nullable(),
  referrer: z.string().nullable(),
  landingPage: z.string().nullable(),
  firstTouch: z.record(z.string(), z.unknown()).nullable(),
  lastTouch: z.record(z.string(), z.unknown()).nullable(),
  stage: z.string(),
  ownerId: z.uuid().nullable(),
  tags: z.array(z.string()),
  emailOptIn: z.boolean().nullable(),
  smsOptIn: z.boolean().nullable(),
  unsubscribed: z.boolean(),
  doNotContact: z.boolean(),
  custom: z.record(z.string(), z.unknown()),
  enrichment: z.record(z.string(), z.unknown()),
  score: z.number().int(),
  scoreGrade: z.string().nullable(),
  scoredAt: z.string().nullable(),
  predictedProbability: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  convertedAt: z.string().nullable(),
});

export const eventResourceSchema = z.object({
  id: z.uuid(),
  leadId: z.uuid(),
  type: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function leadToResource(l: Lead): z.infer<typeof leadResourceSchema> {
  return {
    id: l.id,
    email: l.email,
    firstName: l.firstName,
    lastName: l.lastName,
    phone: l.phone,
    title: l.title,
    companyName: l.companyName,
    website: l.website,
    companySize: l.companySize,
    industry: l.industry,
    country: l.country,
    region: l.region,
    city: l.city,
    timezone: l.timezone,
    channel: l.channel,
    source: l.source,
    medium: l.medium,
    campaign: l.campaign,
    referrer: l.referrer,
    landingPage: l.landingPage,
    firstTouch: (l.firstTouch as Record<string, unknown> | null) ?? null,
    lastTouch: (l.lastTouch as Record<string, unknown> | null) ?? null,
    stage: l.stage,
    ownerId: l.ownerId,
    tags: l.tags,
    emailOptIn: l.emailOptIn,
    smsOptIn: l.smsOptIn,
    unsubscribed: l.unsubscribed,
    doNotContact: l.doNotContact,
    custom: (l.custom ?? {}) as Record<string, unknown>,
    enrichment: (l.enrichment ?? {}) as Record<string, unknown>,
    score: l.score,
    scoreGrade: l.scoreGrade,
    scoredAt: iso(l.scoredAt),
    predictedProbability: l.predictedProbability,
    createdAt: iso(l.createdAt)!,
    updatedAt: iso(l.updatedAt)!,
    convertedAt: iso(l.convertedAt),
  };
}

export function eventToResource(e: LeadEvent): z.infer<typeof eventResourceSchema> {
  return {
    id: e.id,
    leadId: e.leadId,
    type: e.type,
    actorType: e.actorType,
    actorId: e.actorId,
    payload: (e.payload ?? {}) as Record<string, unknown>,
    occurredAt: iso(e.occurredAt)!,
  };
}

/** Event types an API client may add (system types like 'created' are written by Leadflow). */
export const CLIENT_EVENT_TYPES = [
  'note',
  'call',
  'meeting',
  'page_viewed',
  'form_submitted',
  'email_sent',
  'email_opened',
  'email_clicked',
  'email_replied',
  'email_bounced',
  'sms_sent',
  'custom',
] as const;

export const newEventSchema = z
  .object({
    type: z.enum(CLIENT_EVENT_TYPES),
    payload: z.record(z.string(), z.unknown()).default({}),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
