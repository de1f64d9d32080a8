/**
 * The lead form's fields, shared by the create page and the lead page's edit form. Uncontrolled
 * inputs with server-side validation: errors come back from the action keyed by input name.
 */
import type { ReactNode } from 'react';
import { Field } from './forms';

export interface MemberOption {
  userId: string;
  email: string;
  name: string;
}

export interface CustomFieldOption {
  key: string;
  label: string;
  type: string;
  options: string[];
}

type Errors = Record<string, string | undefined>;
type Values = Record<string, string | undefined>;

export function memberLabel(m: MemberOption): string {
  return m.name ? `${m.name} (${m.email})` : m.email;
}

function describedBy(id: string, error?: string, help?: ReactNode) {
  return [error ? `${id}-error` : null, help ? `${id}-help` : null].filter(Boolean).join(' ') || undefined;
}

export function SelectField(props: {
  label: string;
  name: string;
  defaultValue?: string;
  error?: string;
  help?: ReactNode;
  options: Array<{ value: string; label: string }>;
  id?: string;
}) {
  const id = props.id ?? `field-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        defaultValue={props.defaultValue}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.error, props.help)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.help ? (
        <div className="help" id={`${id}-help`}>
          {props.help}
        </div>
      ) : null}
      {props.error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

export function TextAreaField(props: {
  label: string;
  name: string;
  defaultValue?: string;
  error?: string;
  rows?: number;
  required?: boolean;
  maxLength?: number;
  id?: string;
}) {
  const id = props.id ?? `field-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        defaultValue={props.defaultValue}
        required={props.required}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
      {props.error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/**
 * A checkbox. With `withHiddenOff` a hidden "off" of the same name goes first, so the server can
 * tell "unticked" from "not part of this form".
 */
export function CheckboxField(props: {
  label: string;
  name: string;
  value?: string;
  defaultChecked?: boolean;
  error?: string;
  withHiddenOff?: boolean;
  help?: ReactNode;
}) {
  const id = `field-${props.name}`;
  return (
    <div className="field checkbox">
      {props.withHiddenOff ? <input type="hidden" name={props.name} value="off" /> : null}
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          name={props.name}
          value={props.value}
          defaultChecked={props.defaultChecked}
          aria-invalid={props.error ? true : undefined}
        />{' '}
        {props.label}
      </label>
      {props.help ? <div className="help">{props.help}</div> : null}
      {props.error ? (
        <div className="field-error" role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** One input for a custom field, by its type. */
export function CustomFieldInput({
  def,
  defaultValue,
  error,
}: {
  def: CustomFieldOption;
  defaultValue?: string;
  error?: string;
}) {
  const name = `cf.${def.key}`;
  if (def.type === 'select' || def.type === 'boolean') {
    const options =
      def.type === 'boolean'
        ? [
            { value: '', label: '—' },
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]
        : [{ value: '', label: '—' }, ...def.options.map((o) => ({ value: o, label: o }))];
    return (
      <SelectField
        label={def.label}
        name={name}
        id={`field-cf-${def.key}`}
        defaultValue={defaultValue ?? ''}
        error={error}
        options={options}
      />
    );
  }
  return (
    <Field
      label={def.label}
      name={name}
      type={def.type === 'number' ? 'text' : def.type === 'date' ? 'date' : 'text'}
      defaultValue={defaultValue ?? ''}
      error={error}
      help={def.type === 'number' ? 'A number' : undefined}
    />
  );
}

const triState = [
  { value: '', label: 'Unknown' },
  { value: 'yes', label: 'Opted in' },
  { value: 'no', label: 'Opted out' },
];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend>{title}</legend>
      <div className="form-grid">{children}</div>
    </fieldset>
  );
}

/**
 * The lead's editable fields. In 'create' mode stage and owner are part of the form and consent is
 * asked with checkboxes (unticked = not given); in 'update' mode stage and owner have their own
 * quick forms, and opt-ins are tri-state (unknown / in / out) so an edit never invents consent.
 */
export function LeadFormFields(props: {
  mode: 'create' | 'update';
  values: Values;
  errors: Errors;
  stages?: string[];
  members?: MemberOption[];
  definitions: CustomFieldOption[];
}) {
  const { values: v, errors: e, mode } = props;
  const text = (name: string, label: string, extra: { type?: string; autoComplete?: string; help?: ReactNode } = {}) => (
    <Field label={label} name={name} defaultValue={v[name] ?? ''} error={e[name]} {...extra} />
  );
  return (
    <>
      <Section title="Contact">
        {text('firstName', 'First name', { autoComplete: 'off' })}
        {text('lastName', 'Last name', { autoComplete: 'off' })}
        {text('email', 'Email', { type: 'email', autoComplete: 'off' })}
        {text('phone', 'Phone', { type: 'tel', autoComplete: 'off' })}
        {text('title', 'Job title')}
      </Section>
      <Section title="Company">
        {text('companyName', 'Company')}
        {text('website', 'Website', { help: 'e.g. acme.com' })}
        {text('companySize', 'Company size', { help: 'e.g. 11-50' })}
        {text('industry', 'Industry')}
      </Section>
      <Section title="Location">
        {text('country', 'Country')}
        {text('region', 'Region')}
        {text('city', 'City')}
        {text('timezone', 'Time zone', { help: 'e.g. Europe/Berlin' })}
      </Section>
      <Section title="Attribution">
        {text('channel', 'Channel', { help: 'e.g. organic, paid, referral, event' })}
        {text('source', 'Source', { help: 'e.g. google, linkedin, trade-show' })}
        {text('medium', 'Medium')}
        {text('campaign', 'Campaign')}
      </Section>
      <Section title={mode === 'create' ? 'Pipeline' : 'Tags'}>
        {mode === 'create' && props.stages ? (
          <SelectField
            label="Stage"
            name="stage"
            defaultValue={v.stage}
            error={e.stage}
            options={props.stages.map((s) => ({ value: s, label: s }))}
          />
        ) : null}
        {mode === 'create' && props.members ? (
          <SelectField
            label="Owner"
            name="ownerId"
            defaultValue={v.ownerId ?? ''}
            error={e.ownerId}
            options={[
              { value: '', label: 'Unassigned' },
              ...props.members.map((m) => ({ value: m.userId, label: memberLabel(m) })),
            ]}
          />
        ) : null}
        {text('tags', 'Tags', { help: 'Separate tags with commas' })}
      </Section>
      <Section title="Consent">
        {mode === 'create' ? (
          <>
            <CheckboxField
              label="Agreed to receive email"
              name="emailOptIn"
              defaultChecked={v.emailOptIn === 'on'}
              error={e.emailOptIn}
            />
            <CheckboxField
              label="Agreed to receive SMS"
              name="smsOptIn"
              defaultChecked={v.smsOptIn === 'on'}
              error={e.smsOptIn}
            />
          </>
        ) : (
          <>
            <SelectField
              label="Email opt-in"
              name="emailOptIn"
              defaultValue={v.emailOptIn ?? ''}
              error={e.emailOptIn}
              options={triState}
            />
            <SelectField
              label="SMS opt-in"
              name="smsOptIn"
              defaultValue={v.smsOptIn ?? ''}
              error={e.smsOptIn}
              options={triState}
            />
          </>
        )}
        <CheckboxField
          label="Unsubscribed"
          name="unsubscribed"
          defaultChecked={v.unsubscribed === 'on'}
          withHiddenOff={mode === 'update'}
        />
        <CheckboxField
          label="Do not contact"
          name="doNotContact"
          defaultChecked={v.doNotContact === 'on'}
          withHiddenOff={mode === 'update'}
        />
      </Section>
      {props.definitions.length ? (
        <Section title="Custom fields">
          {props.definitions.map((def) => (
            <CustomFieldInput key={def.key} def={def} defaultValue={v[`cf.${def.key}`]} error={e[`cf.${def.key}`]} />
          ))}
        </Section>
      ) : null}
    </>
  );
}

/** A stored lead as form values (the inverse of parseLeadForm). */
export function leadToFormValues(lead: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(lead)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number') out[k] = String(v);
  }
  out.tags = Array.isArray(lead.tags) ? (lead.tags as string[]).join(', ') : '';
  out.ownerId = typeof lead.ownerId === 'string' ? lead.ownerId : '';
  out.emailOptIn = lead.emailOptIn === true ? 'yes' : lead.emailOptIn === false ? 'no' : '';
  out.smsOptIn = lead.smsOptIn === true ? 'yes' : lead.smsOptIn === false ? 'no' : '';
  out.unsubscribed = lead.unsubscribed ? 'on' : 'off';
  out.doNotContact = lead.doNotContact ? 'on' : 'off';
  for (const [k, v] of Object.entries((lead.custom ?? {}) as Record<string, unknown>)) {
    if (v !== null && v !== undefined) out[`cf.${k}`] = String(v);
  }
  return out;
}
