/**
 * How lead fields and events read to people. Pure (shared by the server and the browser).
 */

export const FIELD_LABELS: Record<string, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  title: 'Job title',
  companyName: 'Company',
  website: 'Website',
  companySize: 'Company size',
  industry: 'Industry',
  country: 'Country',
  region: 'Region',
  city: 'City',
  timezone: 'Time zone',
  channel: 'Channel',
  source: 'Source',
  medium: 'Medium',
  campaign: 'Campaign',
  referrer: 'Referrer',
  landingPage: 'Landing page',
  stage: 'Stage',
  ownerId: 'Owner',
  tags: 'Tags',
  emailOptIn: 'Email opt-in',
  smsOptIn: 'SMS opt-in',
  unsubscribed: 'Unsubscribed',
  doNotContact: 'Do not contact',
  custom: 'Custom fields',
};

/** "companyName" → "Company"; "custom.plan" → the custom field's label (or "plan"). */
export function fieldLabel(field: string, customLabels: Record<string, string> = {}): string {
  if (field.startsWith('custom.')) {
    const key = field.slice('custom.'.length);
    return customLabels[key] ?? key;
  }
  return FIELD_LABELS[field] ?? humanise(field);
}

/** "stage_changed" / "formSubmitted" → "Stage changed" / "Form submitted". */
export function humanise(s: string): string {
  const spaced = s
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function leadName(lead: {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  companyName?: string | null;
}): string {
  return [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.companyName || 'Unnamed lead';
}

/** A stored value as text: '—' for empty, yes/no for booleans, lists joined. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.length ? value.map(displayValue).join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
