// One CSV record + the mapping → a lead, or the reasons it cannot be one.
//
// Row policy (pinned by rows.test.ts):
// - A row is REJECTED (severity 'error', not imported) when it cannot be identified: its email
//   cell holds an invalid address (the email is the merge key: importing the row without it
//   would create a lead that can never be matched again), or it has no email, no phone and no
//   name-with-company (see IDENTIFYING_RULE).
// - Any other bad value (phone, website, date, yes/no, time zone, owner, too long…) is DROPPED:
//   the row is imported without that value and a warning names the column and the value.
import type { CountryCode } from 'libphonenumber-js';
import { defaultDateOrder, InvalidDate, parseDate } from './dates';
import {
  cleanCell,
  Invalid,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  normaliseEmail,
  normalisePhone,
  normaliseTimezone,
  normaliseWebsite,
  parseBoolean,
  parseTags,
  phoneRegionOf,
  quote,
  splitFullName,
} from './values';
import { CUSTOM_PREFIX, type DateOrder, type LeadField, type LeadInput, type Mapping, type RowError } from './types';

/** Longest accepted value per field, in characters (matches the lead model's limits). */
export const FIELD_LIMITS: Record<
  Exclude<LeadField, 'tags' | 'emailOptIn' | 'smsOptIn' | 'unsubscribed' | 'doNotContact' | 'createdAt'>,
  number
> = {
  firstName: 120,
  lastName: 120,
  fullName: 240,
  email: 254,
  phone: 40,
  title: 200,
  companyName: 200,
  website: 2048,
  companySize: 50,
  industry: 200,
  country: 100,
  region: 100,
  city: 100,
  timezone: 64,
  channel: 200,
  source: 200,
  medium: 200,
  campaign: 200,
  referrer: 2048,
  landingPage: 2048,
  stage: 40,
  owner: 254,
  notes: 10_000,
};
export const CUSTOM_VALUE_LIMIT = 2000;

/** Human names of fields, for messages when the header is not at hand. */
const FIELD_LABELS: Partial<Record<LeadField, string>> = {
  email: 'Email',
  phone: 'Phone',
  website: 'Website',
  createdAt: 'Created at',
  owner: 'Owner',
  timezone: 'Time zone',
};

export interface NormaliseOptions {
  /** Country for national phone numbers when the row has no (recognisable) country. */
  defaultCountry?: CountryCode;
  /** Day/month order of ambiguous numeric dates; default from defaultCountry (US → month first). */
  dateOrder?: DateOrder;
}

export type NormalisedRow = { ok: true; lead: LeadInput; warnings: RowError[] } | { ok: false; errors: RowError[] };

type Kind =
  | 'text'
  | 'email'
  | 'phone'
  | 'website'
  | 'bool'
  | 'boolNegative'
  | 'date'
  | 'tags'
  | 'timezone'
  | 'owner'
  | 'custom'
  | 'fullName'
  | 'size';

interface PlanColumn {
  index: number;
  header: string;
  /** Lead field, or the custom key for kind 'custom'. */
  key: string;
  kind: Kind;
  limit: number;
}

interface Plan {
  columns: PlanColumn[];
  countryIndex: number;
}

const KINDS: Partial<Record<LeadField, Kind>> = {
  email: 'email',
  phone: 'phone',
  website: 'website',
  emailOptIn: 'bool',
  smsOptIn: 'bool',
  unsubscribed: 'boolNegative',
  doNotContact: 'boolNegative',
  createdAt: 'date',
  tags: 'tags',
  timezone: 'timezone',
  owner: 'owner',
  fullName: 'fullName',
  companySize: 'size',
};

const plans = new WeakMap<Mapping, Plan>();

/** The mapping turned into a per-column work list (cached per mapping object). */
function planFor(mapping: Mapping): Plan {
  let plan = plans.get(mapping);
  if (plan) return plan;
  const columns: PlanColumn[] = [];
  let countryIndex = -1;
  for (const entry of mapping) {
    if (!entry.field) continue;
    if (entry.field.startsWith(CUSTOM_PREFIX)) {
      columns.push({
        index: entry.index,
        header: entry.header,
        key: entry.field.slice(CUSTOM_PREFIX.length),
        kind: 'custom',
        limit: CUSTOM_VALUE_LIMIT,
      });
      continue;
    }
    const field = entry.field as LeadField;
    if (field === 'country') countryIndex = entry.index;
    columns.push({
      index: entry.index,
      header: entry.header,
      key: field,
      kind: KINDS[field] ?? 'text',
      limit: (FIELD_LIMITS as Record<string, number>)[field] ?? Infinity,
    });
  }
  // Phone is read after country so a national number can use the row's country.
  columns.sort((a, b) => (a.kind === 'phone' ? 1 : 0) - (b.kind === 'phone' ? 1 : 0));
  plan = { columns, countryIndex };
  plans.set(mapping, plan);
  return plan;
}

function label(column: PlanColumn): string {
  return column.header || FIELD_LABELS[column.key as LeadField] || column.key;
}

/**
 * Normalise one record. `rowNumber` is only used in the errors. Cells beyond the record's length
 * count as empty (the pipeline checks column counts before calling this).
 */
const NO_WARNINGS: RowError[] = [];
Object.freeze(NO_WARNINGS);

/** Problems found in one row, collected lazily (most rows have none). */
class RowProblems {
  list: RowError[] | undefined;
  rejected = false;
  constructor(readonly row: number) {}
  add(column: PlanColumn, message: string, reject: boolean): void {
    (this.list ??= []).push({
      row: this.row,
      column: column.header,
      message: `${label(column)}: ${message}`,
      severity: reject ? 'error' : 'warning',
    });
    if (reject) this.rejected = true;
  }
}

/**
 * Normalise one record. `rowNumber` is only used in the errors. Cells beyond the record's length
 * count as empty (the pipeline checks column counts before calling this).
 */
export function normaliseRow(
  record: readonly string[],
  mapping: Mapping,
  rowNumber: number,
  opts: NormaliseOptions = {},
): NormalisedRow {
  const plan = planFor(mapping);
  const lead: LeadInput = {};
  const problems = new RowProblems(rowNumber);
  let fullName: string | undefined;
  let rowCountry: CountryCode | undefined;
  let rowCountryLooked = false;

  for (const column of plan.columns) {
    const raw = record[column.index];
    if (raw === undefined || raw === '') continue;
    const value = cleanCell(raw);
    if (value === '') continue;
    if (value.length > column.limit) {
      problems.add(column, `${value.length} characters, more than the ${column.limit} allowed`, column.kind === 'email');
      continue;
    }
    switch (column.kind) {
      case 'text':
        (lead as Record<string, string>)[column.key] = value;
        break;
      case 'size':
        lead.companySize = value.replace(/\s*[-–]\s*/g, '-');
        break;
      case 'fullName':
        fullName = value;
        break;
      case 'email': {
        const result = normaliseEmail(value);
        if (result instanceof Invalid) problems.add(column, `${quote(value)} ${result.message}`, true);
        else {
          lead.email = result.email;
          if (result.extra)
            problems.add(column, `${quote(value)} holds several addresses; imported the first (${result.email})`, false);
        }
        break;
      }
      case 'owner': {
        const result = normaliseEmail(value);
        if (result instanceof Invalid)
          problems.add(column, `${quote(value)} is not an email address (owners are matched by the email of a user)`, false);
        else lead.owner = result.email;
        break;
      }
      case 'phone': {
        if (!rowCountryLooked) {
          rowCountryLooked = true;
          const countryCell = plan.countryIndex >= 0 ? record[plan.countryIndex] : undefined;
          const country = countryCell ? cleanCell(countryCell) : '';
          rowCountry = country ? phoneRegionOf(country) : undefined;
        }
        const result = normalisePhone(value, rowCountry ?? opts.defaultCountry);
        if (result instanceof Invalid) problems.add(column, `${quote(value)} ${result.message}`, false);
        else lead.phone = result;
        break;
      }
      case 'website': {
        const result = normaliseWebsite(value);
        if (result instanceof Invalid) problems.add(column, `${quote(value)} ${result.message}`, false);
        else lead.website = result;
        break;
      }
      case 'bool':
      case 'boolNegative': {
        const result = parseBoolean(value, column.kind === 'boolNegative');
        if (result instanceof Invalid) problems.add(column, `${quote(value)} ${result.message}`, false);
        else (lead as Record<string, boolean>)[column.key] = result;
        break;
      }
      case 'date': {
        const result = parseDate(value, opts.dateOrder ?? defaultDateOrder(opts.defaultCountry));
        if (result instanceof InvalidDate) problems.add(column, `${quote(value)} is not a valid date: ${result.reason}`, false);
        else lead.createdAt = result;
        break;
      }
      case 'tags': {
        let tags = parseTags(value);
        const tooLong = tags.filter((t) => t.length > MAX_TAG_LENGTH);
        if (tooLong.length) {
          problems.add(
            column,
            `${tooLong.length === 1 ? 'a tag is' : `${tooLong.length} tags are`} longer than ${MAX_TAG_LENGTH} characters and ${tooLong.length === 1 ? 'was' : 'were'} left out`,
            false,
          );
          tags = tags.filter((t) => t.length <= MAX_TAG_LENGTH);
        }
        if (tags.length > MAX_TAGS) {
          problems.add(column, `${tags.length} tags, only the first ${MAX_TAGS} were kept`, false);
          tags = tags.slice(0, MAX_TAGS);
        }
        if (tags.length) lead.tags = tags;
        break;
      }
      case 'timezone': {
        const result = normaliseTimezone(value);
        if (result instanceof Invalid) problems.add(column, `${quote(value)} ${result.message}`, false);
        else lead.timezone = result;
        break;
      }
      case 'custom':
        (lead.custom ??= {})[column.key] = value;
        break;
    }
  }

  if (fullName !== undefined && (lead.firstName === undefined || lead.lastName === undefined)) {
    const split = splitFullName(fullName);
    if (lead.firstName === undefined && split.firstName !== undefined)
      lead.firstName = split.firstName.slice(0, FIELD_LIMITS.firstName);
    if (lead.lastName === undefined && split.lastName !== undefined)
      lead.lastName = split.lastName.slice(0, FIELD_LIMITS.lastName);
  }

  if (!problems.rejected) {
    const named = fullName !== undefined || (lead.firstName !== undefined && lead.lastName !== undefined);
    const identifiable = lead.email !== undefined || lead.phone !== undefined || (lead.companyName !== undefined && named);
    if (!identifiable) {
      problems.rejected = true;
      (problems.list ??= []).push({ row: rowNumber, column: '', message: rowIdentityMessage(), severity: 'error' });
    }
  }

  if (problems.rejected) {
    // The row is not imported: every problem in it is an error the user fixes before re-importing.
    const errors = problems.list!;
    for (const p of errors) p.severity = 'error';
    return { ok: false, errors };
  }
  return { ok: true, lead, warnings: problems.list ?? NO_WARNINGS };
}

function rowIdentityMessage(): string {
  return 'The row has no email, no phone, and no name with a company: a lead needs one of these to be identified. Row not imported';
}
