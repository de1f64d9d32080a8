// The inspector: the selected step's form, rendered from the catalogue's `fields` (the same list
// the compiler validates against). Every change goes to `onChange(key, value)` with plain JSON.

import { CONDITION_OPERATORS, displayName, type FieldDef, type NodeKindDef } from '@leadflow/workflow-compiler';
import { useId, useMemo, type ReactNode } from 'react';
import { LEAD_FIELD_SUGGESTIONS, categoryColor, fieldVisible, kindDef } from './catalogue';
import type { StepNode } from './step-node';

const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks'] as const;
const VALUELESS = ['isEmpty', 'isNotEmpty'];

export interface InspectorProps {
  node: StepNode;
  errors: string[];
  readOnly: boolean;
  readOnlyReason?: string | null;
  onChange: (key: string, value: unknown) => void;
  onListRemove: (key: string, index: number) => void;
  onDelete: () => void;
}

/** Which messages belong under which field: the compiler names fields as 'Label' in quotes. */
function splitErrors(def: NodeKindDef | null, errors: string[]): { byField: Record<string, string[]>; rest: string[] } {
  const byField: Record<string, string[]> = {};
  const rest: string[] = [];
  for (const message of errors) {
    const field = def?.fields.find((f) => message.includes(`'${f.label}'`));
    if (field) (byField[field.key] ??= []).push(message.replace(/^[^:]*: /, ''));
    else rest.push(message);
  }
  return { byField, rest };
}

export function Inspector({ node, errors, readOnly, readOnlyReason, onChange, onListRemove, onDelete }: InspectorProps) {
  const def = kindDef(node.type);
  const { byField, rest } = useMemo(() => splitErrors(def, errors), [def, errors]);
  const data = node.data ?? {};
  const baseId = `insp-${node.id}`;
  return (
    <div className="inspector" data-node-id={node.id}>
      <div className="inspector-head" style={{ ['--cat' as string]: def ? categoryColor(def.category) : '#98a2b3' }}>
        <span className="flow-node-cat" aria-hidden="true" />
        <div>
          <h3>{displayName({ type: node.type, data })}</h3>
          <p className="help">{def ? `${def.label} — ${def.description}` : `Unknown step type "${node.type}"`}</p>
        </div>
      </div>
      {readOnlyReason ? <p className="help inspector-note">{readOnlyReason}</p> : null}
      {rest.length > 0 ? (
        <ul className="inspector-problems" aria-label="Problems with this step">
          {rest.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : errors.length === 0 ? (
        <p className="inspector-ok">No problems with this step.</p>
      ) : null}
      <fieldset disabled={readOnly} className="inspector-fields">
        <div className="field">
          <label htmlFor={`${baseId}-label`}>Name on the canvas</label>
          <input
            id={`${baseId}-label`}
            value={typeof data.label === 'string' ? data.label : ''}
            placeholder={def?.label ?? ''}
            maxLength={80}
            onChange={(e) => onChange('label', e.target.value === '' ? undefined : e.target.value)}
          />
        </div>
        {def?.fields
          .filter((f) => fieldVisible(def, f, data))
          .map((field) => (
            <FieldEditor
              key={field.key}
              id={`${baseId}-${field.key}`}
              field={field}
              value={data[field.key] === undefined ? field.default : data[field.key]}
              errors={byField[field.key] ?? []}
              onChange={(v) => onChange(field.key, v)}
              onListRemove={(i) => onListRemove(field.key, i)}
            />
          ))}
        {def && def.fields.length === 0 ? <p className="help">This step has no settings.</p> : null}
      </fieldset>
      {!readOnly ? (
        <button type="button" className="secondary danger-text" onClick={onDelete}>
          Delete step
        </button>
      ) : null}
    </div>
  );
}

function FieldShell(props: { id: string; field: FieldDef; errors: string[]; children: ReactNode; group?: boolean }) {
  const { id, field, errors, children, group } = props;
  const help = [field.help, field.placeholders ? 'Placeholders: {{lead.first_name}}, {{item.total}}, {{now-7d}}.' : null]
    .filter(Boolean)
    .join(' ');
  const Label = group ? 'span' : 'label';
  return (
    <div
      className={`field${errors.length ? ' invalid' : ''}`}
      data-field={field.key}
      role={group ? 'group' : undefined}
      aria-labelledby={group ? `${id}-label` : undefined}
    >
      <Label id={`${id}-label`} {...(group ? { className: 'label' } : { htmlFor: id })}>
        {field.label}
        {field.required ? (
          <span className="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </Label>
      {children}
      {help ? (
        <div className="help" id={`${id}-help`}>
          {help}
        </div>
      ) : null}
      {errors.map((m) => (
        <div className="field-error" key={m} id={`${id}-error`}>
          {m}
        </div>
      ))}
    </div>
  );
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function FieldEditor(props: {
  id: string;
  field: FieldDef;
  value: unknown;
  errors: string[];
  onChange: (value: unknown) => void;
  onListRemove: (index: number) => void;
}) {
  const { id, field, value, errors, onChange, onListRemove } = props;
  const invalid = errors.length > 0 ? true : undefined;
  const describedBy = errors.length ? `${id}-error` : field.help ? `${id}-help` : undefined;
  const common = { id, 'aria-invalid': invalid, 'aria-describedby': describedBy, 'aria-required': field.required || undefined };

  switch (field.type) {
    case 'string':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <input {...common} type="text" value={asText(value)} onChange={(e) => onChange(e.target.value)} />
        </FieldShell>
      );
    case 'number':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <input
            {...common}
            type="number"
            value={typeof value === 'number' || typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? '' : Number(e.target.value))}
          />
        </FieldShell>
      );
    case 'boolean':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        </FieldShell>
      );
    case 'select':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <select
            {...common}
            value={asText(value)}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          >
            {!field.required && field.default === undefined ? <option value="">—</option> : null}
            {value !== undefined && value !== '' && !field.options?.some((o) => o.value === value) ? (
              <option value={asText(value)}>{asText(value)} (unknown)</option>
            ) : null}
            {field.options?.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </FieldShell>
      );
    case 'text':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <textarea
            {...common}
            className={field.key === 'code' ? 'code' : undefined}
            rows={field.key === 'code' ? 10 : 4}
            spellCheck={field.key !== 'code'}
            value={asText(value)}
            onChange={(e) => onChange(e.target.value)}
          />
        </FieldShell>
      );
    case 'json':
      return <JsonEditor {...props} />;
    case 'duration': {
      const d = (value && typeof value === 'object' ? value : {}) as { amount?: unknown; unit?: unknown };
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <div className="pair">
            <input
              {...common}
              type="number"
              min={1}
              aria-label={`${field.label}: amount`}
              value={typeof d.amount === 'number' || typeof d.amount === 'string' ? d.amount : ''}
              onChange={(e) => onChange({ amount: e.target.value === '' ? '' : Number(e.target.value), unit: d.unit ?? 'hours' })}
            />
            <select
              aria-label={`${field.label}: unit`}
              value={asText(d.unit ?? 'hours')}
              onChange={(e) => onChange({ amount: d.amount ?? 1, unit: e.target.value })}
            >
              {DURATION_UNITS.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          </div>
        </FieldShell>
      );
    }
    case 'date':
      return (
        <FieldShell id={id} field={field} errors={errors}>
          <input
            {...common}
            type="datetime-local"
            value={toLocalInput(value)}
            onChange={(e) => onChange(e.target.value === '' ? '' : fromLocalInput(e.target.value))}
          />
          {typeof value === 'string' && value ? <div className="help">Saved as {value} (UTC)</div> : null}
        </FieldShell>
      );
    case 'keyvalue':
      return <KeyValueEditor {...props} />;
    case 'conditions':
      return <ConditionsEditor {...props} />;
    case 'list':
      return (
        <FieldShell id={id} field={field} errors={errors} group>
          <ListEditor id={id} value={value} onChange={onChange} onRemove={onListRemove} addLabel="Add value" />
        </FieldShell>
      );
    default:
      return null;
  }
}

function toLocalInput(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return '';
  const d = new Date(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('.000Z', 'Z');
}

function JsonEditor(props: {
  id: string;
  field: FieldDef;
  value: unknown;
  errors: string[];
  onChange: (value: unknown) => void;
}) {
  const { id, field, value, errors, onChange } = props;
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value, null, 2);
  let parseError: string | null = null;
  if (text.trim() !== '') {
    try {
      JSON.parse(text);
    } catch (err) {
      parseError = (err as Error).message;
    }
  }
  const shown = parseError && !errors.some((e) => e.includes('JSON')) ? [...errors, `Not valid JSON yet: ${parseError}`] : errors;
  return (
    <FieldShell id={id} field={field} errors={shown}>
      <textarea
        id={id}
        className="code"
        rows={6}
        spellCheck={false}
        aria-invalid={shown.length ? true : undefined}
        aria-describedby={shown.length ? `${id}-error` : undefined}
        value={text}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    </FieldShell>
  );
}

function KeyValueEditor(props: {
  id: string;
  field: FieldDef;
  value: unknown;
  errors: string[];
  onChange: (value: unknown) => void;
}) {
  const { id, field, value, errors, onChange } = props;
  const rows = Array.isArray(value) ? (value as Array<{ key?: unknown; value?: unknown }>) : [];
  const set = (i: number, patch: { key?: string; value?: string }) =>
    onChange(rows.map((r, j) => (j === i ? { key: asText(r.key), value: r.value ?? '', ...patch } : r)));
  return (
    <FieldShell id={id} field={field} errors={errors} group>
      <div className="rows">
        {rows.map((row, i) => (
          <div className="row kv" key={i}>
            <input
              aria-label={`${field.label} ${i + 1}: name`}
              placeholder="name"
              value={asText(row.key)}
              onChange={(e) => set(i, { key: e.target.value })}
            />
            <input
              aria-label={`${field.label} ${i + 1}: value`}
              placeholder="value"
              value={asText(row.value)}
              onChange={(e) => set(i, { value: e.target.value })}
            />
            <button
              type="button"
              className="icon"
              aria-label={`Remove ${field.label} ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        ))}
        <button type="button" className="secondary small" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          Add {rows.length ? 'another' : 'a'} pair
        </button>
      </div>
    </FieldShell>
  );
}

function ConditionsEditor(props: {
  id: string;
  field: FieldDef;
  value: unknown;
  errors: string[];
  onChange: (value: unknown) => void;
}) {
  const { id, field, value, errors, onChange } = props;
  const listId = useId();
  const rows = Array.isArray(value) ? (value as Array<{ field?: unknown; operator?: unknown; value?: unknown }>) : [];
  const set = (i: number, patch: Record<string, unknown>) =>
    onChange(
      rows.map((r, j) => {
        if (j !== i) return r;
        const next: Record<string, unknown> = { ...r, ...patch };
        // Values stay as typed: the compiler reads numeric text as a number where it compares numbers.
        if (VALUELESS.includes(String(next.operator))) delete next.value;
        else if (next.value === undefined) next.value = '';
        return next;
      }),
    );
  return (
    <FieldShell id={id} field={field} errors={errors} group>
      <datalist id={listId}>
        {LEAD_FIELD_SUGGESTIONS.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <div className="rows">
        {rows.map((row, i) => (
          <div className="row condition" key={i}>
            <input
              aria-label={`Condition ${i + 1}: lead field`}
              list={listId}
              placeholder="lead field"
              value={asText(row.field)}
              onChange={(e) => set(i, { field: e.target.value })}
            />
            <select
              aria-label={`Condition ${i + 1}: comparison`}
              value={asText(row.operator)}
              onChange={(e) => set(i, { operator: e.target.value })}
            >
              {CONDITION_OPERATORS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            {VALUELESS.includes(String(row.operator)) ? (
              <span />
            ) : (
              <input
                aria-label={`Condition ${i + 1}: value`}
                placeholder="value"
                value={asText(row.value)}
                onChange={(e) => set(i, { value: e.target.value })}
              />
            )}
            <button
              type="button"
              className="icon"
              aria-label={`Remove condition ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary small"
          onClick={() => onChange([...rows, { field: 'score', operator: 'gte', value: '' }])}
        >
          Add condition
        </button>
      </div>
    </FieldShell>
  );
}

function ListEditor(props: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  onRemove: (index: number) => void;
  addLabel: string;
}) {
  const { value, onChange, onRemove, addLabel } = props;
  const rows = Array.isArray(value) ? (value as unknown[]).map(asText) : [];
  return (
    <div className="rows">
      {rows.map((row, i) => (
        <div className="row list" key={i}>
          <input
            aria-label={`Value ${i + 1}`}
            value={row}
            onChange={(e) => onChange(rows.map((r, j) => (j === i ? e.target.value : r)))}
          />
          <button type="button" className="icon" aria-label={`Remove value ${i + 1}`} onClick={() => onRemove(i)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange([...rows, ''])}>
        {addLabel}
      </button>
    </div>
  );
}
