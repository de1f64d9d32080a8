// Shared shapes of the CSV import library. Plain data only: mappings, leads and errors travel in
// job payloads, HTTP responses and the CLI's JSON output.

/** The lead fields a CSV column can be mapped to (camelCase keys of the lead model). */
export const LEAD_FIELDS = [
  'firstName',
  'lastName',
  'fullName',
  'email',
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
  'stage',
  'owner',
  'tags',
  'emailOptIn',
  'smsOptIn',
  'unsubscribed',
  'doNotContact',
  'createdAt',
  'notes',
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];

/** A column kept as a custom field: `custom.<key>`, key = lower-case letters, digits, `_`. */
export type CustomFieldTarget = `custom.${string}`;
export type MappingTarget = LeadField | CustomFieldTarget;

export const CUSTOM_PREFIX = 'custom.';
export const CUSTOM_KEY_PATTERN = /^[a-z0-9][a-z0-9_]{0,63}$/;

/** One CSV column and what it imports into (`field: null` = ignored). */
export interface ColumnMapping {
  header: string;
  /** 0-based position of the column in the file. */
  index: number;
  field: MappingTarget | null;
  /** 0–1: 1 = exact synonym, lower = a guess the UI should draw attention to. */
  confidence: number;
  /** Why a column was left unmapped or guessed (shown in the mapping UI). */
  reason?: string;
}

export type Mapping = ColumnMapping[];

export type DateOrder = 'dmy' | 'mdy';

/** What a CSV row becomes. Every property is optional: absent = the file had no usable value. */
export interface LeadInput {
  firstName?: string;
  lastName?: string;
  /** Lower-cased, trimmed, syntax-checked. */
  email?: string;
  /** E.164 when libphonenumber-js can place it; otherwise the number as written (see README). */
  phone?: string;
  title?: string;
  companyName?: string;
  /** `https://host/path` with a lower-case host. */
  website?: string;
  companySize?: string;
  industry?: string;
  country?: string;
  region?: string;
  city?: string;
  /** IANA time zone name. */
  timezone?: string;
  channel?: string;
  source?: string;
  medium?: string;
  campaign?: string;
  referrer?: string;
  landingPage?: string;
  stage?: string;
  /** Lower-cased email of the owning user; the importer resolves it to a user. */
  owner?: string;
  tags?: string[];
  emailOptIn?: boolean;
  smsOptIn?: boolean;
  unsubscribed?: boolean;
  doNotContact?: boolean;
  /** ISO 8601 in UTC (`2024-01-31T00:00:00.000Z`). */
  createdAt?: string;
  notes?: string;
  /** Custom fields by key (without the `custom.` prefix). */
  custom?: Record<string, string>;
}

/**
 * A problem with one row. `severity: 'error'` = the row was not imported; `'warning'` = the row
 * was imported without the value named (or, for in-file duplicates, handed to the caller with
 * `duplicateOf` to merge or skip).
 */
export interface RowError {
  /** Row number as a spreadsheet shows it: header = 1 (see README). */
  row: number;
  /** The column's header as written in the file ('' when the problem is the whole row). */
  column: string;
  message: string;
  severity: 'error' | 'warning';
}

export type UnusableFileReason =
  | 'empty'
  | 'header_only'
  | 'not_csv'
  | 'no_identifying_column'
  | 'inconsistent_columns'
  | 'invalid_mapping';

/** The file cannot be imported at all; nothing was (or may be) imported from it. */
export class UnusableFileError extends Error {
  override readonly name = 'UnusableFileError';
  constructor(
    readonly reason: UnusableFileReason,
    message: string,
  ) {
    super(message);
  }
}
