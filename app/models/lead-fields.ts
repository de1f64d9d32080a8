/**
 * The lead's fields as the API, forms, capture and import see them (camelCase), with their
 * validation. Shared by server and client code (no server imports here).
 */
import { z } from 'zod';

export const DEFAULT_STAGES = ['new', 'working', 'mql', 'sql', 'customer', 'lost'] as const;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .transform((v) => (v === '' ? null : v))
    .nullable();

export const emailField = z
  .string()
  .trim()
  .max(254, 'Use at most 254 characters')
  .transform((v) => (v === '' ? null : v.toLowerCase()))
  .pipe(z.email('Enter a valid email address').nullable())
  .nullable();

export const customValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

/** Every writable lead field. All optional: a patch sends only what changes. */
export const leadFieldsSchema = z
  .object({
    email: emailField,
    firstName: text(120),
    lastName: text(120),
    phone: text(40),
    title: text(200),
    companyName: text(200),
    website: text(500),
    companySize: text(40),
    industry: text(120),
    country: text(80),
    region: text(120),
    city: text(120),
    timezone: text(64),
    channel: text(80),
    source: text(200),
    medium: text(80),
    campaign: text(200),
    referrer: text(2000),
    landingPage: text(2000),
    stage: z.string().trim().min(1, 'Choose a stage').max(40),
    ownerId: z.uuid('Choose a valid owner').nullable(),
    tags: z.array(z.string().trim().min(1).max(60)).max(100),
    emailOptIn: z.boolean().nullable(),
    smsOptIn: z.boolean().nullable(),
    unsubscribed: z.boolean(),
    doNotContact: z.boolean(),
    custom: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'Custom field keys are lowercase letters, digits and _'), customValue),
  })
  .partial()
  .strict();

export type LeadFields = z.infer<typeof leadFieldsSchema>;

/** Columns that hold plain text/values and merge by "fill if empty". */
export const MERGEABLE_FIELDS = [
  'firstName',
  'lastName',
  'phone',
  'title',
  'companyName',
  'website',
  'companySize',
  'industry',
  'country',
  'region',
  'city',
  'timezone',
  'channel',
  'source',
  'medium',
  'campaign',
  'referrer',
  'landingPage',
  'emailOptIn',
  'smsOptIn',
] as const;
