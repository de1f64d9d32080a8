/**
 * Rule-based lead scoring: the per-tenant model edited in Settings (fit rules, profile
 * completeness, time-decayed behaviour, source weights, negative signals), compiled once into a
 * fast scorer that returns a 0–100 score, a grade and an explanation whose lines add up to the
 * displayed score exactly.
 *
 * Pure: no I/O. The worker loads the tenant's model JSON and the lead's events and stores the
 * result; threshold crossings tell it which stage change / workflow event to emit.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Model schema (stored as JSON per tenant)
// ---------------------------------------------------------------------------------------------

export const FIT_OPERATORS = [
  'equals',
  'notEquals',
  'in',
  'contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'notExists',
  'matches',
] as const;
export type FitOperator = (typeof FIT_OPERATORS)[number];

const NUMERIC_OPERATORS: ReadonlySet<FitOperator> = new Set(['gt', 'gte', 'lt', 'lte']);
const MAX_PATTERN_LENGTH = 200;
/** NOTE: tenant regexes run against every lead; long inputs are cut to bound backtracking cost. */
const MAX_MATCH_INPUT = 1000;

/** Dot path into the lead, e.g. `jobTitle`, `custom.industry`, `enrichment.company.employees`. */
const fieldPathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^.\s][^.]*(\.[^.]+)*$/, 'Use a dot path such as custom.industry');

const pointsSchema = z.number().min(-100).max(100);
const scalarSchema = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const fitRuleSchema = z
  .object({
    id: z.string().min(1).max(64),
    label: z.string().min(1).max(200),
    field: fieldPathSchema,
    operator: z.enum(FIT_OPERATORS),
    value: z.union([scalarSchema, z.array(z.union([z.string().max(1000), z.number()])).max(1000)]).optional(),
    points: pointsSchema,
  })
  .superRefine((rule, ctx) => {
    const { operator, value } = rule;
    const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (operator === 'exists' || operator === 'notExists') return;
    if (value === undefined) return problem(`The ${operator} operator needs a value`);
    if (operator === 'in' && !Array.isArray(value)) return problem('The in operator needs a list of values');
    if (operator !== 'in' && Array.isArray(value)) return problem(`The ${operator} operator takes a single value`);
    if (NUMERIC_OPERATORS.has(operator) && toNumber(value) === null) {
      return problem(`The ${operator} operator needs a number`);
    }
    if (operator === 'matches') {
      if (typeof value !== 'string' || value.length > MAX_PATTERN_LENGTH) {
        return problem(`The matches operator needs a pattern of at most ${MAX_PATTERN_LENGTH} characters`);
      }
      try {
        new RegExp(value, 'i');
      } catch {
        return problem('Not a valid regular expression');
      }
    }
  });

export const scoringModelSchema = z.object({
  version: z.literal(1).default(1),
  fitRules: z
    .array(fitRuleSchema)
    .max(200)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, 'Rule ids must be unique')
    .default([]),
  completeness: z
    .object({
      fields: z.array(fieldPathSchema).max(100).default([]),
      maxPoints: z.number().min(0).max(100).default(0),
    })
    .default({ fields: [], maxPoints: 0 }),
  behaviour: z
    .object({
      halfLifeDays: z.number().positive().max(3650),
      eventPoints: z.record(z.string().min(1).max(64), pointsSchema),
      maxPoints: z.number().min(0).max(100),
    })
    .default({ halfLifeDays: 30, eventPoints: {}, maxPoints: 0 }),
  /** Acquisition channel (lead.source, else lead.channel; case-insensitive) → points. */
  sourceWeights: z.record(z.string().min(1).max(64), pointsSchema).default({}),
  negative: z
    .object({
      disposableEmail: z.number().min(-100).max(0).default(0),
      unsubscribed: z.number().min(-100).max(0).default(0),
      bounced: z.number().min(-100).max(0).default(0),
      doNotContact: z.number().min(-100).max(0).default(0),
      roleAccount: z.number().min(-100).max(0).default(0),
      freeEmail: z.number().min(-100).max(0).default(0),
      /** Extra domains on top of the built-in lists. */
      disposableDomains: z.array(z.string().min(1).max(253)).max(10_000).default([]),
      freeEmailDomains: z.array(z.string().min(1).max(253)).max(10_000).default([]),
    })
    .default({
      disposableEmail: 0,
      unsubscribed: 0,
      bounced: 0,
      doNotContact: 0,
      roleAccount: 0,
      freeEmail: 0,
      disposableDomains: [],
      freeEmailDomains: [],
    }),
  grades: z
    .array(z.object({ min: z.number().min(0).max(100), grade: z.string().min(1).max(16) }))
    .min(1)
    .max(20)
    .refine((grades) => grades.some((g) => g.min <= 0), 'One grade must start at 0 so every score has a grade'),
  thresholds: z
    .array(
      z.object({
        score: z.number().min(0).max(100),
        stage: z.string().min(1).max(64),
        event: z.string().min(1).max(128),
      }),
    )
    .max(20)
    .default([]),
});

export type ScoringModel = z.infer<typeof scoringModelSchema>;
export type ScoringModelInput = z.input<typeof scoringModelSchema>;
export type FitRule = z.infer<typeof fitRuleSchema>;

export const defaultScoringModel: ScoringModel = {
  version: 1,
  fitRules: [
    {
      id: 'senior-title',
      label: 'Senior decision maker',
      field: 'jobTitle',
      operator: 'matches',
      value: '\\b(ceo|cto|cfo|coo|cmo|founder|owner|president|vp|vice president|head|director|chief)\\b',
      points: 15,
    },
    { id: 'manager-title', label: 'Manager', field: 'jobTitle', operator: 'matches', value: '\\bmanager\\b', points: 8 },
    {
      id: 'company-50',
      label: 'Company with 50+ employees',
      field: 'enrichment.company.employees',
      operator: 'gte',
      value: 50,
      points: 10,
    },
    {
      id: 'company-1000',
      label: 'Company with 1,000+ employees',
      field: 'enrichment.company.employees',
      operator: 'gte',
      value: 1000,
      points: 5,
    },
    { id: 'has-phone', label: 'Phone number given', field: 'phone', operator: 'exists', points: 3 },
  ],
  completeness: {
    fields: ['email', 'firstName', 'lastName', 'company', 'jobTitle', 'phone', 'country'],
    maxPoints: 10,
  },
  behaviour: {
    halfLifeDays: 30,
    eventPoints: {
      form_submitted: 10,
      page_viewed: 1,
      email_opened: 2,
      email_clicked: 5,
      email_replied: 15,
      meeting: 20,
      call: 8,
      demo_requested: 25,
      webinar_attended: 10,
      content_downloaded: 6,
    },
    maxPoints: 40,
  },
  sourceWeights: {
    referral: 15,
    partner: 12,
    event: 10,
    webinar: 10,
    organic_search: 8,
    paid_search: 6,
    email: 5,
    direct: 5,
    social: 4,
    paid_social: 4,
    cold_outbound: 0,
  },
  negative: {
    disposableEmail: -30,
    unsubscribed: -15,
    bounced: -25,
    doNotContact: -40,
    roleAccount: -10,
    freeEmail: -5,
    disposableDomains: [],
    freeEmailDomains: [],
  },
  grades: [
    { min: 80, grade: 'A' },
    { min: 60, grade: 'B' },
    { min: 40, grade: 'C' },
    { min: 20, grade: 'D' },
    { min: 0, grade: 'F' },
  ],
  thresholds: [{ score: 60, stage: 'mql', event: 'lead.became_mql' }],
};

// ---------------------------------------------------------------------------------------------
// Inputs and outputs
// ---------------------------------------------------------------------------------------------

/** The lead as the scorer sees it; the worker maps the row (and custom/enrichment JSON) to this. */
export interface ScoringLead {
  email?: string | null;
  /** Acquisition channel, matched against sourceWeights; `channel` is read when this is empty. */
  source?: string | null;
  channel?: string | null;
  unsubscribed?: boolean | null;
  bounced?: boolean | null;
  doNotContact?: boolean | null;
  custom?: Record<string, unknown> | null;
  enrichment?: Record<string, unknown> | null;
  [field: string]: unknown;
}

export interface ScoringEvent {
  type: string;
  occurredAt: Date | string | number;
}

export type ContributionKind =
  | 'fit'
  | 'completeness'
  | 'behaviour'
  | 'behaviour_cap'
  | 'source'
  | 'negative'
  | 'clamp'
  | 'rounding';

export interface Contribution {
  kind: ContributionKind;
  ruleId?: string;
  label: string;
  /** Two decimals at most. */
  points: number;
}

export interface LeadScore {
  /** Integer 0–100. Equals the sum of all contributions (to the cent). */
  score: number;
  /** Sum of the rule contributions before the clamp to 0–100 and the final rounding. */
  raw: number;
  grade: string;
  contributions: Contribution[];
  computedAt: Date;
}

export interface ThresholdCrossing {
  direction: 'up' | 'down';
  score: number;
  stage: string;
  event: string;
}

export interface CompiledScoringModel {
  readonly model: ScoringModel;
  /** Full result with the explanation. */
  score(lead: ScoringLead, events: readonly ScoringEvent[], now: Date | number): LeadScore;
  /** Just the integer score (no allocation); always equal to `score(...).score`. */
  scoreValue(lead: ScoringLead, events: readonly ScoringEvent[], now: Date | number): number;
  grade(score: number): string;
  thresholdCrossings(previousScore: number | null, newScore: number): ThresholdCrossing[];
}

// ---------------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------------

const MS_PER_DAY = 86_400_000;

/** Points left after exponential decay: points × 0.5^(age / half-life). Future events count in full. */
export function decay(points: number, ageMs: number, halfLifeDays: number): number {
  if (!(ageMs > 0)) return points;
  return points * Math.pow(0.5, ageMs / (halfLifeDays * MS_PER_DAY));
}

/** Validate (zod) and compile the tenant model once; the returned scorer does no validation. */
export function compileScoringModel(input: unknown): CompiledScoringModel {
  const model = scoringModelSchema.parse(input);
  return new Scorer(model);
}

/** Convenience for one-off scoring; compile once when scoring many leads. */
export function scoreLead(lead: ScoringLead, events: readonly ScoringEvent[], model: unknown, now: Date | number): LeadScore {
  return compiledFor(model).score(lead, events, now);
}

/**
 * Thresholds crossed going from `previousScore` to `newScore`: upward when prev < t <= new,
 * downward when new < t <= prev. A lead scored for the first time (prev null) crosses upward every
 * threshold it reaches. Upward crossings are listed lowest first, downward highest first.
 */
export function thresholdCrossings(
  previousScore: number | null,
  newScore: number,
  model: Pick<ScoringModel, 'thresholds'>,
): ThresholdCrossing[] {
  const sorted = [...model.thresholds].sort((a, b) => a.score - b.score);
  const crossings: ThresholdCrossing[] = [];
  const previous = previousScore ?? Number.NEGATIVE_INFINITY;
  if (newScore > previous) {
    for (const t of sorted) {
      if (previous < t.score && t.score <= newScore) crossings.push({ direction: 'up', ...t });
    }
  } else if (newScore < previous) {
    for (let i = sorted.length - 1; i >= 0; i--) {
      const t = sorted[i];
      if (newScore < t.score && t.score <= previous) crossings.push({ direction: 'down', ...t });
    }
  }
  return crossings;
}

// ---------------------------------------------------------------------------------------------
// Compiled scorer
// ---------------------------------------------------------------------------------------------

const compiledCache = new WeakMap<object, CompiledScoringModel>();

function compiledFor(model: unknown): CompiledScoringModel {
  if (model instanceof Scorer) return model;
  if (typeof model !== 'object' || model === null) return compileScoringModel(model);
  let compiled = compiledCache.get(model);
  if (!compiled) {
    compiled = compileScoringModel(model);
    compiledCache.set(model, compiled);
  }
  return compiled;
}

interface CompiledRule {
  id: string;
  label: string;
  path: string[];
  test: (value: unknown) => boolean;
  cents: number;
}

interface NegativeSignal {
  id: 'disposableEmail' | 'unsubscribed' | 'bounced' | 'doNotContact' | 'roleAccount' | 'freeEmail';
  label: string;
  cents: number;
}

const NEGATIVE_LABELS: Record<NegativeSignal['id'], string> = {
  disposableEmail: 'Disposable email address',
  unsubscribed: 'Unsubscribed',
  bounced: 'Email bounced',
  doNotContact: 'Do not contact',
  roleAccount: 'Role account (info@, sales@ …)',
  freeEmail: 'Free email provider',
};

class Scorer implements CompiledScoringModel {
  readonly model: ScoringModel;
  private readonly rules: CompiledRule[];
  private readonly completenessPaths: string[][];
  private readonly completenessMaxPoints: number;
  private readonly halfLifeMs: number;
  private readonly eventIndex: Map<string, number>;
  private readonly eventTypes: string[];
  private readonly eventBase: Float64Array;
  private readonly behaviourMaxCents: number;
  private readonly sourceCents: Map<string, { key: string; cents: number }>;
  private readonly negatives: Record<NegativeSignal['id'], NegativeSignal>;
  private readonly disposableDomains: Set<string>;
  private readonly freeDomains: Set<string>;
  private readonly grades: { min: number; grade: string }[];
  // Scratch buffers reused across calls (scoring is synchronous, so this is safe).
  private readonly eventSums: Float64Array;
  private readonly eventCounts: Int32Array;

  constructor(model: ScoringModel) {
    this.model = model;
    this.rules = model.fitRules.map(compileRule);
    this.completenessPaths = model.completeness.fields.map((f) => f.split('.'));
    this.completenessMaxPoints = model.completeness.maxPoints;
    this.halfLifeMs = model.behaviour.halfLifeDays * MS_PER_DAY;
    this.eventTypes = Object.keys(model.behaviour.eventPoints);
    this.eventIndex = new Map(this.eventTypes.map((type, i) => [type, i]));
    this.eventBase = Float64Array.from(this.eventTypes, (type) => model.behaviour.eventPoints[type]);
    this.behaviourMaxCents = toCents(model.behaviour.maxPoints);
    this.sourceCents = new Map(
      Object.entries(model.sourceWeights).map(([key, points]) => [normaliseKey(key), { key, cents: toCents(points) }]),
    );
    const n = model.negative;
    const signal = (id: NegativeSignal['id']): NegativeSignal => ({ id, label: NEGATIVE_LABELS[id], cents: toCents(n[id]) });
    this.negatives = {
      disposableEmail: signal('disposableEmail'),
      unsubscribed: signal('unsubscribed'),
      bounced: signal('bounced'),
      doNotContact: signal('doNotContact'),
      roleAccount: signal('roleAccount'),
      freeEmail: signal('freeEmail'),
    };
    this.disposableDomains = new Set([...DISPOSABLE_DOMAINS, ...n.disposableDomains.map((d) => d.toLowerCase())]);
    this.freeDomains = new Set([...FREE_EMAIL_DOMAINS, ...n.freeEmailDomains.map((d) => d.toLowerCase())]);
    this.grades = [...model.grades].sort((a, b) => b.min - a.min);
    this.eventSums = new Float64Array(this.eventTypes.length);
    this.eventCounts = new Int32Array(this.eventTypes.length);
  }

  score(lead: ScoringLead, events: readonly ScoringEvent[], now: Date | number): LeadScore {
    const contributions: Contribution[] = [];
    const nowMs = typeof now === 'number' ? now : now.getTime();
    const rawCents = this.evaluate(lead, events, nowMs, contributions);
    const score = this.finish(rawCents, contributions);
    return { score, raw: rawCents / 100, grade: this.grade(score), contributions, computedAt: new Date(nowMs) };
  }

  scoreValue(lead: ScoringLead, events: readonly ScoringEvent[], now: Date | number): number {
    const nowMs = typeof now === 'number' ? now : now.getTime();
    return this.finish(this.evaluate(lead, events, nowMs, null), null);
  }

  grade(score: number): string {
    for (const g of this.grades) if (score >= g.min) return g.grade;
    return this.grades[this.grades.length - 1].grade;
  }

  thresholdCrossings(previousScore: number | null, newScore: number): ThresholdCrossing[] {
    return thresholdCrossings(previousScore, newScore, this.model);
  }

  /**
   * Every line is rounded to whole cents before it is added, and the total is kept in integer
   * cents, so the listed lines add up exactly. Returns the raw total in cents.
   */
  private evaluate(lead: ScoringLead, events: readonly ScoringEvent[], nowMs: number, sink: Contribution[] | null): number {
    let total = 0;

    for (const rule of this.rules) {
      if (rule.cents !== 0 && rule.test(getPath(lead, rule.path))) {
        total += rule.cents;
        sink?.push({ kind: 'fit', ruleId: rule.id, label: rule.label, points: rule.cents / 100 });
      }
    }

    const fieldCount = this.completenessPaths.length;
    if (fieldCount > 0 && this.completenessMaxPoints > 0) {
      let filled = 0;
      for (const path of this.completenessPaths) if (isFilled(getPath(lead, path))) filled++;
      const cents = toCents((this.completenessMaxPoints * filled) / fieldCount);
      if (cents !== 0) {
        total += cents;
        sink?.push({ kind: 'completeness', label: `Profile completeness (${filled}/${fieldCount} fields)`, points: cents / 100 });
      }
    }

    total += this.behaviour(events, nowMs, sink);

    const channel = firstText(lead.source) ?? firstText(lead.channel);
    if (channel !== null) {
      const weight = this.sourceCents.get(normaliseKey(channel));
      if (weight && weight.cents !== 0) {
        total += weight.cents;
        sink?.push({ kind: 'source', ruleId: weight.key, label: `Source: ${channel}`, points: weight.cents / 100 });
      }
    }

    total += this.negativeSignals(lead, sink);
    return total;
  }

  private behaviour(events: readonly ScoringEvent[], nowMs: number, sink: Contribution[] | null): number {
    const typeCount = this.eventTypes.length;
    if (typeCount === 0 || events.length === 0) return 0;
    const sums = this.eventSums;
    const counts = this.eventCounts;
    sums.fill(0);
    counts.fill(0);
    for (const event of events) {
      const index = this.eventIndex.get(event.type);
      if (index === undefined) continue;
      const at = timestampOf(event.occurredAt);
      if (Number.isNaN(at)) continue;
      const age = nowMs - at;
      const base = this.eventBase[index];
      sums[index] += age > 0 ? base * Math.pow(0.5, age / this.halfLifeMs) : base;
      counts[index]++;
    }
    let total = 0;
    for (let i = 0; i < typeCount; i++) {
      if (counts[i] === 0) continue;
      const cents = toCents(sums[i]);
      if (cents === 0) continue;
      total += cents;
      sink?.push({
        kind: 'behaviour',
        ruleId: this.eventTypes[i],
        label: `${humanise(this.eventTypes[i])} × ${counts[i]} (decayed)`,
        points: cents / 100,
      });
    }
    if (total > this.behaviourMaxCents) {
      const cap = this.behaviourMaxCents - total;
      sink?.push({ kind: 'behaviour_cap', label: `Behaviour capped at ${this.behaviourMaxCents / 100}`, points: cap / 100 });
      total = this.behaviourMaxCents;
    }
    return total;
  }

  private negativeSignals(lead: ScoringLead, sink: Contribution[] | null): number {
    const n = this.negatives;
    let total = 0;
    const apply = (signal: NegativeSignal) => {
      if (signal.cents === 0) return;
      total += signal.cents;
      sink?.push({ kind: 'negative', ruleId: signal.id, label: signal.label, points: signal.cents / 100 });
    };
    const email = typeof lead.email === 'string' ? lead.email.trim().toLowerCase() : '';
    const at = email.lastIndexOf('@');
    if (at > 0) {
      const domain = email.slice(at + 1);
      const local = email.slice(0, at).split('+')[0];
      if (this.isDisposable(domain) || getPath(lead, ENRICHMENT_DISPOSABLE_PATH) === true) apply(n.disposableEmail);
      else if (this.freeDomains.has(domain)) apply(n.freeEmail);
      if (ROLE_LOCAL_PARTS.has(local)) apply(n.roleAccount);
    }
    if (lead.unsubscribed === true) apply(n.unsubscribed);
    if (lead.bounced === true) apply(n.bounced);
    if (lead.doNotContact === true) apply(n.doNotContact);
    return total;
  }

  private isDisposable(domain: string): boolean {
    if (this.disposableDomains.has(domain)) return true;
    // Sub-domains of a disposable domain are disposable too.
    for (let dot = domain.indexOf('.'); dot !== -1; dot = domain.indexOf('.', dot + 1)) {
      if (this.disposableDomains.has(domain.slice(dot + 1))) return true;
    }
    return false;
  }

  /** Clamp and round as explicit lines so the explanation sums to the displayed score. */
  private finish(rawCents: number, sink: Contribution[] | null): number {
    const clamped = Math.min(10_000, Math.max(0, rawCents));
    if (clamped !== rawCents && sink) {
      sink.push({
        kind: 'clamp',
        label: rawCents > clamped ? 'Score capped at 100' : 'Score floored at 0',
        points: (clamped - rawCents) / 100,
      });
    }
    // Half-up rounding in integer arithmetic (clamped is whole cents, never negative).
    const score = Math.floor((clamped + 50) / 100);
    const rounding = score * 100 - clamped;
    if (rounding !== 0 && sink) sink.push({ kind: 'rounding', label: 'Rounded to a whole score', points: rounding / 100 });
    return score;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const ENRICHMENT_DISPOSABLE_PATH = ['enrichment', 'emailDisposable'];

function toCents(points: number): number {
  // Round half away from zero so +x and -x give mirrored lines.
  const cents = Math.round(Math.abs(points) * 100);
  return points < 0 ? -cents : cents;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Own properties only, so a path such as `constructor` never reaches the prototype. */
function getPath(root: unknown, path: readonly string[]): unknown {
  let value: unknown = root;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== 'object' || !hasOwn.call(value, path[i])) return undefined;
    value = (value as Record<string, unknown>)[path[i]];
  }
  return value;
}

function isFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (typeof value === 'number') return !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function firstText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function normaliseKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Comparable key for equals / in: case-insensitive trimmed text; numbers and booleans as text. */
function comparable(value: unknown): string | null {
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function timestampOf(value: Date | string | number): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}

function humanise(type: string): string {
  const text = type.replace(/[_-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * One predicate per rule. A missing field matches only `notExists`; array fields match
 * equals / in / contains when any element does.
 */
function compileRule(rule: FitRule): CompiledRule {
  const { operator, value } = rule;
  let test: (field: unknown) => boolean;
  const anyElement = (predicate: (v: unknown) => boolean) => (field: unknown) =>
    Array.isArray(field) ? field.some(predicate) : predicate(field);

  switch (operator) {
    case 'exists':
      test = isFilled;
      break;
    case 'notExists':
      test = (field) => !isFilled(field);
      break;
    case 'equals':
    case 'notEquals': {
      const expected = comparable(value);
      const equals = anyElement((v) => comparable(v) === expected);
      test = operator === 'equals' ? equals : (field) => isFilled(field) && !equals(field);
      break;
    }
    case 'in': {
      const allowed = new Set((value as (string | number)[]).map((v) => comparable(v)));
      test = anyElement((v) => {
        const key = comparable(v);
        return key !== null && allowed.has(key);
      });
      break;
    }
    case 'contains': {
      const needle = comparable(value) ?? '';
      test = anyElement((v) => {
        const key = comparable(v);
        return key !== null && key.includes(needle);
      });
      break;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bound = toNumber(value) as number;
      const compare =
        operator === 'gt'
          ? (x: number) => x > bound
          : operator === 'gte'
            ? (x: number) => x >= bound
            : operator === 'lt'
              ? (x: number) => x < bound
              : (x: number) => x <= bound;
      test = (field) => {
        const x = toNumber(field);
        return x !== null && compare(x);
      };
      break;
    }
    case 'matches': {
      const pattern = new RegExp(value as string, 'i');
      test = anyElement((v) => {
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        const text = String(v);
        return pattern.test(text.length > MAX_MATCH_INPUT ? text.slice(0, MAX_MATCH_INPUT) : text);
      });
      break;
    }
  }
  return { id: rule.id, label: rule.label, path: rule.field.split('.'), test, cents: toCents(rule.points) };
}

const ROLE_LOCAL_PARTS = new Set([
  'admin',
  'billing',
  'careers',
  'contact',
  'enquiries',
  'hello',
  'help',
  'hr',
  'info',
  'inquiries',
  'jobs',
  'marketing',
  'no-reply',
  'noreply',
  'office',
  'postmaster',
  'sales',
  'support',
  'team',
  'webmaster',
]);

/** A short built-in list; tenants extend it with negative.disposableDomains. */
const DISPOSABLE_DOMAINS = [
  '10minutemail.com',
  'discard.email',
  'dispostable.com',
  'fakeinbox.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'maildrop.cc',
  'mailinator.com',
  'mailnesia.com',
  'mintemail.com',
  'mohmal.com',
  'sharklasers.com',
  'spamgourmet.com',
  'temp-mail.org',
  'tempmail.com',
  'tempmailo.com',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
];

const FREE_EMAIL_DOMAINS = [
  'aol.com',
  'gmail.com',
  'gmx.com',
  'gmx.de',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'icloud.com',
  'live.com',
  'mail.com',
  'mail.ru',
  'me.com',
  'msn.com',
  'outlook.com',
  'proton.me',
  'protonmail.com',
  'qq.com',
  'web.de',
  'yahoo.com',
  'yahoo.co.uk',
  'yandex.ru',
  'zoho.com',
];
