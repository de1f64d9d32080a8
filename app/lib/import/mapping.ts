// Header auto-mapping: CSV column headers as CRMs export them → lead fields.
import {
  CUSTOM_KEY_PATTERN,
  CUSTOM_PREFIX,
  LEAD_FIELDS,
  type ColumnMapping,
  type LeadField,
  type Mapping,
  type MappingTarget,
} from './types';

/** Confidence of a column kept as a custom field because no lead field matched. */
export const UNKNOWN_COLUMN_CONFIDENCE = 0.3;

type Synonym = string | [header: string, confidence: number];

// Headers as HubSpot, Salesforce (labels and API names), Pipedrive, Zoho, Mailchimp, Outlook and
// Google Contacts export them, plus the usual hand-made variants and a few other languages.
// Compared after `headerKey` (lower case, no accents, punctuation, spaces or underscores), so
// "E-mail Address", "email_address" and "EmailAddress" are one entry. A confidence below 1 marks
// a weaker or secondary match: when two columns claim a field, the higher confidence keeps it.
const SYNONYMS: Record<LeadField, Synonym[]> = {
  firstName: [
    'first name',
    'firstname',
    'first',
    'given name',
    'forename',
    'fname',
    'vorname',
    'prenom',
    'nombre',
    'nome',
    'voornaam',
    'fornavn',
    'fornamn',
  ],
  lastName: [
    'last name',
    'lastname',
    'last',
    'surname',
    'family name',
    'lname',
    'nachname',
    'nom de famille',
    'apellido',
    'apellidos',
    'cognome',
    'achternaam',
    'efternavn',
    'efternamn',
    ['nom', 0.8],
  ],
  fullName: [
    'full name',
    'fullname',
    ['name', 0.9],
    'contact name',
    'person name',
    'lead name',
    'customer name',
    'your name',
    'nombre completo',
    'nom complet',
    'vollstandiger name',
    ['display name', 0.7],
    ['contact', 0.5],
  ],
  email: [
    'email',
    'e-mail',
    'email address',
    'e-mail address',
    'emailaddress',
    'mail',
    'email 1',
    'e-mail 1',
    'email 1 value',
    'e-mail 1 value',
    'e-mail 1 address',
    'primary email',
    'primary email address',
    'work email',
    'business email',
    'email work',
    'contact email',
    'lead email',
    'email id',
    'courriel',
    'adresse email',
    'adresse e-mail',
    'correo',
    'correo electronico',
    'e-mail adresse',
    'emailadresse',
    'indirizzo email',
    ['personal email', 0.8],
    ['email home', 0.7],
    ['home email', 0.7],
    ['email other', 0.4],
    ['email 2', 0.4],
    ['e-mail 2', 0.4],
    ['email 2 value', 0.4],
    ['e-mail 2 value', 0.4],
    ['e-mail 2 address', 0.4],
    ['email 3', 0.3],
    ['e-mail 3 address', 0.3],
    ['e-mail 3 value', 0.3],
    ['secondary email', 0.4],
    ['other email', 0.4],
    ['alternate email', 0.4],
    ['alternative email', 0.4],
  ],
  phone: [
    'phone',
    'phone number',
    'phonenumber',
    'telephone',
    'telephone number',
    'tel',
    'primary phone',
    'phone 1',
    'phone 1 value',
    ['business phone', 0.95],
    ['work phone', 0.95],
    ['phone work', 0.95],
    ['direct phone', 0.95],
    ['direct dial', 0.9],
    ['mobile', 0.9],
    ['mobile phone', 0.9],
    ['mobile phone number', 0.9],
    ['mobilephone', 0.9],
    ['mobile number', 0.9],
    ['phone mobile', 0.9],
    ['cell', 0.9],
    ['cell phone', 0.9],
    ['cellphone', 0.9],
    ['contact number', 0.9],
    'telefon',
    'telefono',
    'telefonnummer',
    ['handy', 0.8],
    ['portable', 0.8],
    ['whatsapp', 0.6],
    ['home phone', 0.6],
    ['phone home', 0.6],
    ['phone other', 0.4],
    ['other phone', 0.4],
    ['phone 2', 0.4],
    ['phone 2 value', 0.4],
    ['business phone 2', 0.4],
    ['phone 3', 0.3],
  ],
  title: [
    'job title',
    'jobtitle',
    ['title', 0.9],
    'position',
    'designation',
    'job',
    'job role',
    'organization title',
    'organization 1 title',
    'position title',
    'job position',
    ['role', 0.7],
    'poste',
    'puesto',
    'cargo',
    'berufsbezeichnung',
    ['funktion', 0.8],
  ],
  companyName: [
    'company',
    'company name',
    'companyname',
    'organization',
    'organisation',
    'organization name',
    'organisation name',
    'organization 1 name',
    'account',
    'account name',
    'business name',
    'business',
    'employer',
    'firm',
    'org',
    'org name',
    'company account',
    ['associated company', 0.8],
    ['company organization', 0.9],
    'firma',
    'unternehmen',
    'firmenname',
    'empresa',
    'societe',
    'entreprise',
    'azienda',
    'bedrijf',
    'organizacion',
  ],
  website: [
    'website',
    'website url',
    'web site',
    'web page',
    'webpage',
    'url',
    'homepage',
    'home page',
    'company website',
    'website 1 value',
    'web',
    ['site', 0.8],
    ['domain', 0.6],
    ['company domain name', 0.6],
    ['company domain', 0.6],
    'webseite',
    'sitio web',
    'site web',
    'site internet',
  ],
  companySize: [
    'company size',
    'employees',
    'number of employees',
    'numberofemployees',
    'no of employees',
    'num employees',
    'of employees',
    'employee count',
    'employees count',
    'headcount',
    'company headcount',
    'employee range',
    'employees range',
    'team size',
    ['size', 0.6],
    ['mitarbeiter', 0.8],
    ['anzahl mitarbeiter', 0.9],
  ],
  industry: ['industry', 'sector', 'vertical', 'industry type', 'branche', 'industria', 'secteur', ['business type', 0.7]],
  country: [
    'country',
    'country region',
    'country name',
    ['country code', 0.9],
    'business country region',
    'business country',
    'address 1 country',
    'address country',
    'mailing country',
    ['billing country', 0.6],
    ['shipping country', 0.5],
    'land',
    'pays',
    'pais',
    'paese',
    ['nation', 0.7],
    ['cc', 0.7],
    ['ip country', 0.7],
  ],
  region: [
    'state',
    'state province',
    'state region',
    'province',
    'region',
    'state or province',
    'business state',
    'address 1 region',
    'address region',
    'address state',
    'mailing state',
    'mailing state province',
    'state code',
    ['billing state', 0.6],
    'bundesland',
    'provincia',
    'estado',
    ['prefecture', 0.9],
    ['county', 0.5],
    ['ip state region', 0.7],
    ['ip state', 0.7],
  ],
  city: [
    'city',
    'town',
    'locality',
    'business city',
    'address 1 city',
    'address city',
    'mailing city',
    ['billing city', 0.6],
    'stadt',
    'ort',
    'ville',
    'ciudad',
    'citta',
    'cidade',
    'plaats',
    ['ip city', 0.7],
  ],
  timezone: ['time zone', 'timezone', 'tz', 'time zone name', ['ip timezone', 0.7], ['zeitzone', 0.9]],
  channel: [
    'channel',
    'acquisition channel',
    'marketing channel',
    'lead channel',
    'source channel',
    'utm channel',
    ['original source type', 0.7],
  ],
  source: [
    'lead source',
    'leadsource',
    'source',
    'original source',
    ['utm source', 0.95],
    ['latest source', 0.7],
    ['source of lead', 0.9],
    ['how did you hear about us', 0.6],
    ['referral source', 0.7],
    'lead quelle',
    'quelle',
    'origen',
    'origine',
  ],
  medium: ['medium', ['utm medium', 0.95], 'lead medium', 'source medium', 'marketing medium'],
  campaign: [
    'campaign',
    'campaign name',
    ['utm campaign', 0.95],
    'lead campaign',
    'marketing campaign',
    ['campaign source', 0.6],
    'kampagne',
    'campana',
    'campagne',
  ],
  referrer: [
    'referrer',
    'referer',
    'referring url',
    'referrer url',
    'referer url',
    'http referer',
    'http referrer',
    'referring site',
    'first referring site',
    'referring domain',
    ['last referring site', 0.7],
  ],
  landingPage: [
    'landing page',
    'landing page url',
    'landingpage',
    'first page seen',
    'entry page',
    'first url',
    'first landing page',
    ['page url', 0.6],
    ['conversion page', 0.6],
    ['last page seen', 0.5],
  ],
  stage: [
    'lifecycle stage',
    'lifecyclestage',
    ['lead status', 0.9],
    ['leadstatus', 0.9],
    ['hs lead status', 0.9],
    'stage',
    'lead stage',
    'pipeline stage',
    ['contact status', 0.8],
    ['deal stage', 0.7],
    ['status', 0.6],
    ['phase', 0.6],
  ],
  owner: [
    'owner email',
    'lead owner email',
    'contact owner email',
    'owner',
    ['lead owner', 0.9],
    ['contact owner', 0.9],
    ['hubspot owner', 0.9],
    ['account owner', 0.7],
    ['assigned to', 0.9],
    ['assignee', 0.9],
    ['sales rep', 0.8],
    ['salesperson', 0.8],
    ['rep', 0.6],
    ['owner name', 0.6],
    ['record owner', 0.8],
  ],
  tags: [
    'tags',
    'tag',
    'labels',
    ['label', 0.8],
    'categories',
    ['category', 0.7],
    ['group membership', 0.8],
    ['lists', 0.6],
    ['list', 0.5],
    ['segments', 0.6],
    ['segment', 0.5],
    ['keywords', 0.6],
    'schlagworte',
    'etiquetas',
    'etiquettes',
  ],
  emailOptIn: [
    'email opt in',
    'email optin',
    'email opted in',
    ['opt in', 0.8],
    ['optin', 0.8],
    ['opted in', 0.8],
    'email consent',
    'marketing consent',
    'email marketing consent',
    'marketing email consent',
    'accepts marketing',
    'accepts email marketing',
    'marketing opt in',
    'newsletter opt in',
    ['newsletter', 0.7],
    ['subscribed', 0.8],
    'email subscribed',
    ['gdpr consent', 0.7],
    ['consent', 0.6],
    ['subscription status', 0.6],
  ],
  smsOptIn: [
    'sms opt in',
    'sms optin',
    'sms consent',
    'accepts sms marketing',
    'sms marketing consent',
    'text opt in',
    'sms subscribed',
    'text message opt in',
    'whatsapp opt in',
  ],
  unsubscribed: [
    'unsubscribed',
    'email opt out',
    'email optout',
    'emailoptout',
    ['opt out', 0.8],
    ['optout', 0.8],
    ['opted out', 0.8],
    'unsubscribed from all email',
    'has opted out of email',
    'hasoptedoutofemail',
    'email unsubscribed',
    'is unsubscribed',
    ['unsubscribe', 0.8],
    ['do not email', 0.8],
    ['donotemail', 0.8],
  ],
  doNotContact: [
    'do not contact',
    'donotcontact',
    'dnc',
    ['do not call', 0.8],
    ['donotcall', 0.8],
    'do not solicit',
    ['no contact', 0.8],
    ['blocked', 0.5],
  ],
  createdAt: [
    'created at',
    'createdat',
    'created',
    'created date',
    'createddate',
    'create date',
    'date created',
    'creation date',
    'created on',
    'created time',
    'date added',
    'added on',
    'added',
    'lead created date',
    'contact created date',
    ['signup date', 0.8],
    ['sign up date', 0.8],
    ['registration date', 0.8],
    ['became a lead date', 0.7],
    ['optin time', 0.6],
    ['opt in date', 0.6],
    ['first seen', 0.6],
    ['timestamp', 0.6],
    ['submitted at', 0.7],
    ['submission date', 0.7],
    ['date', 0.5],
    ['erstellt am', 0.9],
    ['erstellungsdatum', 0.9],
    ['date de creation', 0.9],
    ['fecha de creacion', 0.9],
  ],
  notes: [
    'notes',
    'note',
    'description',
    'comments',
    'comment',
    'remarks',
    'lead notes',
    'contact notes',
    ['message', 0.7],
    ['additional information', 0.6],
    ['additional info', 0.6],
    ['about', 0.5],
    'notizen',
    'bemerkung',
    'bemerkungen',
    'commentaires',
    'notas',
    'comentarios',
  ],
};

// Headers we recognise that have no lead field: kept as custom fields under a stable key, so the
// same data lands in the same custom field whichever CRM exported it.
const KNOWN_CUSTOM: Record<string, string[]> = {
  postal_code: [
    'zip',
    'zip code',
    'zipcode',
    'postal code',
    'postcode',
    'post code',
    'zip postal code',
    'postal zip code',
    'business postal code',
    'address 1 postal code',
    'address postal code',
    'mailing zip',
    'mailing postal code',
    'mailing zip postal code',
    'plz',
    'postleitzahl',
    'code postal',
    'codigo postal',
    'cap',
  ],
  street_address: [
    'street',
    'address',
    'street address',
    'address 1 street',
    'address street',
    'business street',
    'mailing street',
    'address line 1',
    'address 1',
    'strasse',
    'adresse',
    'direccion',
  ],
  salutation: ['salutation', 'prefix', 'name prefix', 'anrede'],
  middle_name: ['middle name', 'additional name', 'middle initial'],
  annual_revenue: ['annual revenue', 'revenue', 'annualrevenue'],
  linkedin: ['linkedin', 'linkedin url', 'linkedin profile', 'linkedin bio'],
  twitter: ['twitter', 'twitter handle', 'twitter username'],
  external_id: ['record id', 'contact id', 'lead id', 'id', 'person id', 'customer id', 'member id', 'external id'],
  birthday: ['birthday', 'date of birth', 'dob', 'birth date', 'birthdate'],
  gender: ['gender', 'sex'],
  department: ['department', 'abteilung'],
  rating: ['rating', 'lead rating', 'member rating', 'lead score', 'score'],
  fax: ['fax', 'business fax', 'fax number'],
};

// Letters NFKD does not split into a base letter and an accent.
const LETTERS_WITHOUT_DECOMPOSITION: Record<string, string> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', þ: 'th' };

/**
 * Lower case, accents and punctuation removed, camelCase and snake_case split into words:
 * "E-mail Address" → "e mail address", "utm_source" → "utm source", "MobilePhone" → "mobile phone".
 */
export function normaliseHeader(header: string): string {
  return header
    .replace(/__c$/i, '') // Salesforce custom-field API suffix
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæøœłđþ]/g, (c) => LETTERS_WITHOUT_DECOMPOSITION[c])
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The dictionary key of a header: its normalised words run together. */
export function headerKey(header: string): string {
  return normaliseHeader(header).replace(/ /g, '');
}

interface Match {
  field: MappingTarget;
  confidence: number;
}

const dictionary = new Map<string, Match>();
for (const field of LEAD_FIELDS) {
  for (const synonym of SYNONYMS[field]) {
    const [header, confidence] = typeof synonym === 'string' ? [synonym, 1] : synonym;
    addSynonym(headerKey(header), { field, confidence });
  }
}
for (const [key, headers] of Object.entries(KNOWN_CUSTOM)) {
  for (const header of headers) addSynonym(headerKey(header), { field: `${CUSTOM_PREFIX}${key}`, confidence: 0.9 });
}
function addSynonym(key: string, match: Match): void {
  const existing = dictionary.get(key);
  // NOTE: a synonym listed under two fields is a bug in the tables above, caught at load.
  if (existing && existing.field !== match.field) {
    throw new Error(`import mapping: header key "${key}" listed for both ${existing.field} and ${match.field}`);
  }
  dictionary.set(key, match);
}

// Words that, prefixed to a header, do not change its meaning ("Person - Email - Work", "Contact First Name").
const NEUTRAL_PREFIXES = ['person', 'contact', 'customer', 'prospect', 'subscriber', 'member', 'lead'];
// Words that turn an email/phone-looking header into something else ("Email Opt Out", "Phone Type").
const NOT_A_VALUE = new Set([
  'type',
  'label',
  'status',
  'opt',
  'optin',
  'optout',
  'opted',
  'bounce',
  'bounced',
  'date',
  'time',
  'consent',
  'verified',
  'verification',
  'domain',
  'count',
  'sent',
  'opened',
  'opens',
  'clicked',
  'clicks',
  'unsubscribed',
  'unsubscribe',
  'subscription',
  'format',
  'display',
  'permission',
  'reason',
  'quality',
  'valid',
  'validity',
  'score',
  'country',
  'code',
  'extension',
  'ext',
  'fax',
  'sms',
  'call',
  'calls',
  'id',
]);
const SECONDARY = new Set([
  '2',
  '3',
  '4',
  'other',
  'secondary',
  'alternate',
  'alternative',
  'alt',
  'home',
  'personal',
  'private',
]);

function lookup(header: string): Match | null {
  const words = normaliseHeader(header);
  const key = words.replace(/ /g, '');
  const exact = dictionary.get(key);
  if (exact) return exact;

  // "Email (required)", "Phone [mobile]"
  const withoutBrackets = headerKey(header.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '));
  if (withoutBrackets && withoutBrackets !== key) {
    const match = dictionary.get(withoutBrackets);
    if (match) return match;
  }

  const tokens = words.split(' ').filter(Boolean);
  if (tokens.length > 1 && NEUTRAL_PREFIXES.includes(tokens[0])) {
    const match = dictionary.get(tokens.slice(1).join(''));
    if (match) return { field: match.field, confidence: match.confidence * 0.95 };
  }
  return fuzzy(tokens);
}

/** Last resort for headers no table lists: a few safe keyword rules, at low confidence. */
function fuzzy(tokens: string[]): Match | null {
  if (tokens.length === 0 || tokens.some((t) => NOT_A_VALUE.has(t))) return null;
  const has = (word: string) => tokens.includes(word);
  const secondary = tokens.some((t) => SECONDARY.has(t));
  if (has('email') || (has('e') && has('mail')) || tokens.some((t) => t.startsWith('email'))) {
    return { field: 'email', confidence: secondary ? 0.35 : 0.6 };
  }
  if (has('phone') || has('mobile') || has('telephone') || has('cell')) {
    return { field: 'phone', confidence: secondary ? 0.35 : 0.5 };
  }
  if (has('name') && (has('first') || has('given'))) return { field: 'firstName', confidence: 0.6 };
  if (has('name') && (has('last') || has('family') || has('sur'))) return { field: 'lastName', confidence: 0.6 };
  if ((has('company') || has('organization') || has('organisation')) && (tokens.length === 1 || has('name'))) {
    return { field: 'companyName', confidence: 0.6 };
  }
  return null;
}

/** A custom-field key for an unknown header: "Favourite Colour" → "favourite_colour". */
export function customKeyFor(header: string, index: number): string {
  const slug = normaliseHeader(header).replace(/ /g, '_').slice(0, 64).replace(/_+$/, '');
  return CUSTOM_KEY_PATTERN.test(slug) ? slug : `column_${index + 1}`;
}

/** The best lead field for a single header, or null (used by the not-a-CSV check). */
export function leadFieldForHeader(header: string): LeadField | null {
  const match = lookup(header);
  return match && !match.field.startsWith(CUSTOM_PREFIX) ? (match.field as LeadField) : null;
}

/**
 * Propose a mapping for the headers of a file. Every column gets an entry. When several columns
 * match one field, the most confident (then leftmost) keeps it and the others are left unmapped
 * with a reason. Unknown columns are proposed as custom fields (`custom.<slug>`) at low
 * confidence, for the user to keep or drop in the mapping UI.
 */
export function autoMapHeaders(headers: readonly string[]): Mapping {
  const mapping: Mapping = headers.map((raw, index) => {
    const header = raw.trim();
    if (header === '') return { header, index, field: null, confidence: 0, reason: 'The column has no header' };
    const match = lookup(header);
    if (match) {
      const entry: ColumnMapping = { header, index, field: match.field, confidence: round(match.confidence) };
      if (match.field.startsWith(CUSTOM_PREFIX))
        entry.reason = `No lead field for this column: kept as custom field "${match.field.slice(CUSTOM_PREFIX.length)}"`;
      return entry;
    }
    const key = customKeyFor(header, index);
    return {
      header,
      index,
      field: `${CUSTOM_PREFIX}${key}` as const,
      confidence: UNKNOWN_COLUMN_CONFIDENCE,
      reason: `Unknown column: proposed as custom field "${key}"`,
    };
  });

  // One column per field: the best claim wins.
  const winner = new Map<MappingTarget, ColumnMapping>();
  for (const entry of mapping) {
    if (!entry.field || entry.field.startsWith(CUSTOM_PREFIX)) continue;
    const best = winner.get(entry.field);
    if (!best || entry.confidence > best.confidence) winner.set(entry.field, entry);
  }
  for (const entry of mapping) {
    if (!entry.field || entry.field.startsWith(CUSTOM_PREFIX)) continue;
    const best = winner.get(entry.field)!;
    if (best !== entry) {
      entry.reason = `Also looks like ${entry.field}, which is already mapped from column "${best.header}"`;
      entry.field = null;
    }
  }

  // Custom keys must be unique too: "Notes 2" twice → notes_2, notes_2_2.
  const usedCustom = new Set<string>();
  for (const entry of mapping) {
    if (!entry.field?.startsWith(CUSTOM_PREFIX)) continue;
    let key = entry.field.slice(CUSTOM_PREFIX.length);
    if (usedCustom.has(key)) {
      const base = key.slice(0, 60);
      let n = 2;
      while (usedCustom.has(`${base}_${n}`)) n++;
      key = `${base}_${n}`;
      entry.field = `${CUSTOM_PREFIX}${key}`;
    }
    usedCustom.add(key);
  }
  return mapping;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface MappingValidation {
  ok: boolean;
  /** Problems that stop the import. */
  errors: string[];
  /** Things the user should know before importing. */
  warnings: string[];
}

const LEAD_FIELD_SET = new Set<string>(LEAD_FIELDS);

export const IDENTIFYING_RULE =
  'Map a column to Email or Phone, or to a name (Full name, or First and Last name) together with Company: every lead needs one of these to be identified';

export function isMappingTarget(field: unknown): field is MappingTarget {
  if (typeof field !== 'string') return false;
  if (LEAD_FIELD_SET.has(field)) return true;
  return field.startsWith(CUSTOM_PREFIX) && CUSTOM_KEY_PATTERN.test(field.slice(CUSTOM_PREFIX.length));
}

/**
 * Check a mapping (auto or edited in the UI) before importing. Identifying rule — the same one
 * `normaliseRow` applies to each row: a lead needs an email, or a phone, or a name (full name,
 * or first and last name) together with a company.
 */
export function validateMapping(mapping: Mapping, opts: { columnCount?: number } = {}): MappingValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  const byField = new Map<MappingTarget, ColumnMapping>();
  const indices = new Set<number>();
  for (const entry of mapping) {
    const label = entry.header ? `"${entry.header}"` : `#${entry.index + 1}`;
    if (
      !Number.isInteger(entry.index) ||
      entry.index < 0 ||
      (opts.columnCount !== undefined && entry.index >= opts.columnCount)
    ) {
      errors.push(`Column ${label}: position ${entry.index + 1} is not a column of the file`);
      continue;
    }
    if (indices.has(entry.index)) errors.push(`Column ${label} appears twice in the mapping`);
    indices.add(entry.index);
    if (entry.field === null) continue;
    if (!isMappingTarget(entry.field)) {
      errors.push(`Column ${label}: "${String(entry.field)}" is not a lead field or a custom field (custom.<lower_case_key>)`);
      continue;
    }
    const other = byField.get(entry.field);
    if (other) errors.push(`Columns "${other.header}" and "${entry.header}" are both mapped to ${entry.field}: keep one`);
    else byField.set(entry.field, entry);
  }
  const has = (field: LeadField) => byField.has(field);
  const identifiable =
    has('email') || has('phone') || (has('companyName') && (has('fullName') || (has('firstName') && has('lastName'))));
  if (!identifiable) errors.push(IDENTIFYING_RULE);
  else if (!has('email'))
    warnings.push(
      'No column is mapped to Email: duplicates within the file cannot be detected, and rows cannot be matched to existing leads by email',
    );
  return { ok: errors.length === 0, errors, warnings };
}
