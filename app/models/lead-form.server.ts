/**
 * The lead create/edit form → LeadFields, validated by the same leadFieldsSchema the API and
 * import use, plus the checks only the workspace can answer (pipeline stages, members, custom
 * field definitions). Errors come back keyed by form field name, ready for <Field error>.
 */
import { leadFieldsSchema, type LeadFields } from './lead-fields';
import { parseCustomFieldValue, type CustomFieldDefinition, type CustomValue } from './custom-field.server';

/** Plain text inputs of the form, named as the LeadFields keys. */
export const LEAD_TEXT_FIELDS = [
  'firstName',
  'lastName',
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
] as const;

export type FieldErrors = Record<string, string>;

export interface LeadFormContext {
  mode: 'create' | 'update';
  /** Stages the form may set (the pipeline, plus the lead's current stage when editing). */
  stages: string[];
  /** Users a lead may be assigned to (members of the workspace, plus the current owner when editing). */
  ownerIds: string[];
  definitions: Array<Pick<CustomFieldDefinition, 'key' | 'label' | 'type' | 'options'>>;
}

export type LeadFormResult =
  | { ok: true; fields: LeadFields; custom: Record<string, CustomValue | null> }
  | { ok: false; fieldErrors: FieldErrors; formError: string };

const str = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');

/** "a, b,,c" → ['a', 'b', 'c'] (trimmed, without duplicates). */
export function parseTags(raw: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  return out;
}

/** A consent answer: a checkbox ("on") or a tri-state select ("yes" / "no" / "" = unknown). */
function consentValue(v: string): boolean | null {
  if (v === 'on' || v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  return null;
}

/**
 * Reads the lead form. In 'create' mode absent inputs count as empty; in 'update' mode only the
 * inputs present in the form are changed (so a partial form never clears other fields). Boolean
 * checkboxes in an edit form come with a hidden "off" input of the same name, so that unticking
 * is distinguishable from "not in this form".
 */
export function parseLeadForm(form: FormData, ctx: LeadFormContext): LeadFormResult {
  const create = ctx.mode === 'create';
  const present = (name: string) => create || form.has(name);
  const fieldErrors: FieldErrors = {};
  const raw: Record<string, unknown> = {};

  for (const name of LEAD_TEXT_FIELDS) if (present(name)) raw[name] = str(form.get(name));

  if (present('stage')) {
    const stage = str(form.get('stage')).trim();
    if (!stage) fieldErrors.stage = 'Choose a stage';
    else if (!ctx.stages.includes(stage)) fieldErrors.stage = 'Choose a stage of this pipeline';
    else raw.stage = stage;
  }
  if (present('ownerId')) {
    const ownerId = str(form.get('ownerId')).trim();
    if (!ownerId) raw.ownerId = null;
    else if (!ctx.ownerIds.includes(ownerId)) fieldErrors.ownerId = 'Choose a member of this workspace';
    else raw.ownerId = ownerId;
  }
  if (present('tags')) {
    const tags = parseTags(str(form.get('tags')));
    if (tags.some((t) => t.length > 60)) fieldErrors.tags = 'Tags have at most 60 characters each';
    else if (tags.length > 100) fieldErrors.tags = 'Use at most 100 tags';
    else raw.tags = tags;
  }
  for (const name of ['emailOptIn', 'smsOptIn'] as const) {
    if (form.has(name)) raw[name] = consentValue(str(form.get(name)));
    else if (create) raw[name] = null;
  }
  for (const name of ['unsubscribed', 'doNotContact'] as const) {
    if (form.has(name)) raw[name] = form.getAll(name).includes('on');
    else if (create) raw[name] = false;
  }

  const custom: Record<string, CustomValue | null> = {};
  for (const def of ctx.definitions) {
    const name = `cf.${def.key}`;
    if (!form.has(name)) continue;
    const parsed = parseCustomFieldValue(def, str(form.get(name)));
    if (parsed.ok) custom[def.key] = parsed.value;
    else fieldErrors[name] = parsed.message;
  }
  if (create) {
    const values = Object.fromEntries(Object.entries(custom).filter(([, v]) => v !== null));
    raw.custom = values;
  }

  const parsed = leadFieldsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, key] = issue.path;
      const name = head === 'custom' && typeof key === 'string' ? `cf.${key}` : String(head);
      fieldErrors[name] ??= issue.message;
    }
  }
  if (create && parsed.success && Object.keys(fieldErrors).length === 0) {
    const f = parsed.data;
    if (!f.email && !f.firstName && !f.lastName && !f.companyName && !f.phone) {
      fieldErrors.email = 'Enter at least a name, an email, a phone number or a company';
    }
  }
  if (!parsed.success || Object.keys(fieldErrors).length) {
    return { ok: false, fieldErrors, formError: 'Check the highlighted fields.' };
  }
  return { ok: true, fields: parsed.data, custom };
}

/** The edit form's custom values applied to the stored ones (null clears a key; undefined keys are kept). */
export function applyCustomValues(current: unknown, changes: Record<string, CustomValue | null>): Record<string, CustomValue> {
  const next = { ...((current ?? {}) as Record<string, CustomValue>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The submitted values, echoed back so a form re-rendered without JavaScript keeps what was typed. */
export function formValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) {
    if (k === 'csrf' || typeof v !== 'string') continue;
    out[k] = k in out && (k === 'unsubscribed' || k === 'doNotContact') ? (v === 'on' ? 'on' : out[k]) : v;
  }
  return out;
}
