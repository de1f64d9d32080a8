/**
 * The scoring-model form (Settings → Scoring) ↔ the model JSON. Repeating sections are numbered
 * rows (`fit.0.label`, `event.2.points` …); blank rows are ignored, so the page can always offer a
 * few empty ones. Validation is the model's own zod schema; its issues are mapped back to the
 * form's field names so each shows next to its input.
 */
import type { z } from 'zod';
import { FIT_OPERATORS, scoringModelSchema, type ScoringModel } from '../../worker/scoring/rules';

export { FIT_OPERATORS };

export const NEGATIVE_SIGNALS = ['disposableEmail', 'freeEmail', 'roleAccount', 'unsubscribed', 'bounced', 'doNotContact'] as const;

type Form = Pick<FormData, 'get'>;

const text = (form: Form, name: string) => String(form.get(name) ?? '').trim();

/** A number field: empty → undefined (the schema's default or "required"), junk → NaN (an error). */
function num(form: Form, name: string): number | undefined {
  const raw = text(form, name);
  if (raw === '') return undefined;
  const n = Number(raw.replace(',', '.'));
  return Number.isFinite(n) ? n : Number.NaN;
}

const rowsOf = (form: Form & Pick<FormData, 'keys'>, prefix: string): number[] => {
  const rows = new Set<number>();
  for (const key of form.keys()) {
    const m = new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(key);
    if (m) rows.add(Number(m[1]));
  }
  return [...rows].sort((a, b) => a - b);
};

export interface ParsedScoringForm {
  input: unknown;
  /** Form row of each model list index, per section. */
  rows: { fit: number[]; event: number[]; source: number[]; grade: number[]; threshold: number[] };
  eventTypes: string[];
  sourceKeys: string[];
}

export function parseScoringForm(form: Form & Pick<FormData, 'keys'>): ParsedScoringForm {
  const rows: ParsedScoringForm['rows'] = { fit: [], event: [], source: [], grade: [], threshold: [] };
  const fitRules: unknown[] = [];
  for (const r of rowsOf(form, 'fit')) {
    const label = text(form, `fit.${r}.label`);
    const field = text(form, `fit.${r}.field`);
    const rawValue = text(form, `fit.${r}.value`);
    const points = num(form, `fit.${r}.points`);
    if (!label && !field && !rawValue) continue;
    const operator = text(form, `fit.${r}.operator`) || 'equals';
    let value: unknown;
    if (operator === 'exists' || operator === 'notExists') value = undefined;
    else if (operator === 'in') value = rawValue ? rawValue.split(',').map((v) => v.trim()).filter(Boolean) : undefined;
    else if (['gt', 'gte', 'lt', 'lte'].includes(operator)) value = rawValue === '' ? undefined : Number.isFinite(Number(rawValue)) ? Number(rawValue) : rawValue;
    else value = rawValue === '' ? undefined : rawValue;
    const id = text(form, `fit.${r}.id`) || `rule-${r + 1}`;
    fitRules.push({ id, label, field, operator, value, points });
    rows.fit.push(r);
  }
  const eventPoints: Record<string, unknown> = {};
  const eventTypes: string[] = [];
  for (const r of rowsOf(form, 'event')) {
    const type = text(form, `event.${r}.type`);
    if (!type) continue;
    eventPoints[type] = num(form, `event.${r}.points`);
    eventTypes.push(type);
    rows.event.push(r);
  }
  const sourceWeights: Record<string, unknown> = {};
  const sourceKeys: string[] = [];
  for (const r of rowsOf(form, 'source')) {
    const key = text(form, `source.${r}.key`);
    if (!key) continue;
    sourceWeights[key] = num(form, `source.${r}.points`);
    sourceKeys.push(key);
    rows.source.push(r);
  }
  const grades: unknown[] = [];
  for (const r of rowsOf(form, 'grade')) {
    const grade = text(form, `grade.${r}.grade`);
    const min = num(form, `grade.${r}.min`);
    if (!grade && min === undefined) continue;
    grades.push({ grade, min });
    rows.grade.push(r);
  }
  const thresholds: unknown[] = [];
  for (const r of rowsOf(form, 'threshold')) {
    const score = num(form, `threshold.${r}.score`);
    const stage = text(form, `threshold.${r}.stage`);
    const event = text(form, `threshold.${r}.event`);
    if (score === undefined && !stage && !event) continue;
    thresholds.push({ score, stage, event: event || (stage ? `lead.became_${stage}` : '') });
    rows.threshold.push(r);
  }
  const negative: Record<string, unknown> = {
    disposableDomains: text(form, 'negative.disposableDomains').split(/[\s,]+/).filter(Boolean),
    freeEmailDomains: text(form, 'negative.freeEmailDomains').split(/[\s,]+/).filter(Boolean),
  };
  for (const signal of NEGATIVE_SIGNALS) negative[signal] = num(form, `negative.${signal}`) ?? 0;
  const input = {
    version: 1,
    fitRules,
    completeness: {
      fields: text(form, 'completeness.fields').split(/[\s,]+/).filter(Boolean),
      maxPoints: num(form, 'completeness.maxPoints') ?? 0,
    },
    behaviour: {
      halfLifeDays: num(form, 'behaviour.halfLifeDays'),
      maxPoints: num(form, 'behaviour.maxPoints') ?? 0,
      eventPoints,
    },
    sourceWeights,
    negative,
    grades,
    thresholds,
  };
  return { input, rows, eventTypes, sourceKeys };
}

/** zod issues → {formFieldName: message}; issues with no field go under '_form'. */
export function scoringFieldErrors(parsed: ParsedScoringForm, issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const put = (name: string, message: string) => (errors[name] ??= message);
  for (const issue of issues) {
    const [section, a, b] = issue.path as (string | number)[];
    const message = issue.message;
    if (section === 'fitRules' && typeof a === 'number') put(`fit.${parsed.rows.fit[a]}.${String(b ?? 'label')}`, message);
    else if (section === 'fitRules') put('fitRules', message);
    else if (section === 'behaviour' && a === 'eventPoints' && typeof b === 'string') put(`event.${parsed.rows.event[parsed.eventTypes.indexOf(b)]}.points`, message);
    else if (section === 'behaviour' || section === 'completeness') put(`${section}.${String(a)}`, message);
    else if (section === 'sourceWeights' && typeof a === 'string') put(`source.${parsed.rows.source[parsed.sourceKeys.indexOf(a)]}.points`, message);
    else if (section === 'grades' && typeof a === 'number') put(`grade.${parsed.rows.grade[a]}.${String(b ?? 'grade')}`, message);
    else if (section === 'grades') put('grades', message);
    else if (section === 'thresholds' && typeof a === 'number') put(`threshold.${parsed.rows.threshold[a]}.${String(b ?? 'score')}`, message);
    else if (section === 'negative') put(`negative.${String(a)}`, message);
    else put('_form', message);
  }
  return errors;
}

export function validateScoringForm(form: Form & Pick<FormData, 'keys'>):
  | { ok: true; model: ScoringModel }
  | { ok: false; fieldErrors: Record<string, string> } {
  const parsed = parseScoringForm(form);
  const result = scoringModelSchema.safeParse(parsed.input);
  if (result.success) return { ok: true, model: result.data };
  return { ok: false, fieldErrors: scoringFieldErrors(parsed, result.error.issues) };
}
