import { describe, expect, it } from 'vitest';
import { createPrng } from './prng';
import {
  compileScoringModel,
  decay,
  defaultScoringModel,
  scoreLead,
  scoringModelSchema,
  thresholdCrossings,
  type Contribution,
  type ScoringEvent,
  type ScoringLead,
  type ScoringModelInput,
} from './rules';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 31, 12);

/** Sum in integer cents, the way the UI should add the lines. */
function sumCents(lines: Contribution[]): number {
  return lines.reduce((total, line) => total + Math.round(line.points * 100), 0);
}

function baseModel(overrides: Partial<ScoringModelInput> = {}): ScoringModelInput {
  return {
    grades: [
      { min: 80, grade: 'A' },
      { min: 60, grade: 'B' },
      { min: 40, grade: 'C' },
      { min: 20, grade: 'D' },
      { min: 0, grade: 'F' },
    ],
    ...overrides,
  };
}

describe('decay', () => {
  it('halves every half-life and keeps fresh or future events whole', () => {
    expect(decay(10, 0, 30)).toBe(10);
    expect(decay(10, 30 * DAY, 30)).toBe(5);
    expect(decay(10, 60 * DAY, 30)).toBe(2.5);
    expect(decay(8, 90 * DAY, 30)).toBe(1);
    expect(decay(10, -5 * DAY, 30)).toBe(10);
    expect(decay(-20, 7 * DAY, 7)).toBe(-10);
    expect(decay(10, 15 * DAY, 30)).toBeCloseTo(10 / Math.SQRT2, 12);
  });
});

describe('scoringModelSchema', () => {
  it('accepts the default model unchanged', () => {
    expect(scoringModelSchema.parse(defaultScoringModel)).toEqual(defaultScoringModel);
  });

  it('rejects rules whose value does not fit the operator', () => {
    const rule = { id: 'r', label: 'r', field: 'custom.size', points: 5 };
    const parse = (extra: object) =>
      scoringModelSchema.safeParse(baseModel({ fitRules: [{ ...rule, ...extra } as never] })).success;
    expect(parse({ operator: 'gt', value: 'big' })).toBe(false);
    expect(parse({ operator: 'gt', value: 10 })).toBe(true);
    expect(parse({ operator: 'in', value: 'a' })).toBe(false);
    expect(parse({ operator: 'in', value: ['a', 'b'] })).toBe(true);
    expect(parse({ operator: 'matches', value: '([a-z' })).toBe(false);
    expect(parse({ operator: 'equals' })).toBe(false);
    expect(parse({ operator: 'exists' })).toBe(true);
    expect(parse({ operator: 'equals', value: 'x', points: 500 })).toBe(false);
  });

  it('requires unique rule ids', () => {
    const rule = { id: 'dup', label: 'r', field: 'email', operator: 'exists', points: 1 } as const;
    expect(scoringModelSchema.safeParse(baseModel({ fitRules: [rule, rule] })).success).toBe(false);
  });

  it('requires a grade that starts at 0 and only non-positive negative signals', () => {
    expect(scoringModelSchema.safeParse({ grades: [{ min: 50, grade: 'A' }] }).success).toBe(false);
    expect(scoringModelSchema.safeParse(baseModel({ negative: { bounced: 10 } })).success).toBe(false);
  });
});

describe('fit rules', () => {
  const lead: ScoringLead = {
    email: 'ana@acme.io',
    jobTitle: 'VP Sales',
    country: 'DE',
    tags: ['saas', 'Enterprise'],
    custom: { industry: 'Software', budget: '25000', notes: '' },
    enrichment: { company: { employees: 240 } },
  };
  const cases: [string, object, boolean][] = [
    ['equals is case-insensitive', { field: 'custom.industry', operator: 'equals', value: 'software' }, true],
    ['notEquals', { field: 'country', operator: 'notEquals', value: 'FR' }, true],
    ['notEquals on a missing field', { field: 'custom.missing', operator: 'notEquals', value: 'FR' }, false],
    ['in', { field: 'country', operator: 'in', value: ['de', 'at', 'ch'] }, true],
    ['in on an array field', { field: 'tags', operator: 'in', value: ['enterprise'] }, true],
    ['contains', { field: 'jobTitle', operator: 'contains', value: 'sales' }, true],
    ['gt on a numeric string', { field: 'custom.budget', operator: 'gt', value: 20000 }, true],
    ['gte nested enrichment', { field: 'enrichment.company.employees', operator: 'gte', value: 240 }, true],
    ['lt', { field: 'enrichment.company.employees', operator: 'lt', value: 100 }, false],
    ['lte', { field: 'enrichment.company.employees', operator: 'lte', value: 240 }, true],
    ['exists', { field: 'jobTitle', operator: 'exists' }, true],
    ['exists treats blank as missing', { field: 'custom.notes', operator: 'exists' }, false],
    ['notExists', { field: 'custom.notes', operator: 'notExists' }, true],
    ['matches', { field: 'jobTitle', operator: 'matches', value: '^(vp|head)\\b' }, true],
    ['prototype keys are not fields', { field: 'constructor', operator: 'exists' }, false],
  ];
  it.each(cases)('%s', (_name, condition, expected) => {
    const model = baseModel({ fitRules: [{ id: 'r1', label: 'Rule', points: 10, ...condition } as never] });
    const result = scoreLead(lead, [], model, NOW);
    expect(result.contributions.some((c) => c.kind === 'fit' && c.ruleId === 'r1')).toBe(expected);
    expect(result.score).toBe(expected ? 10 : 0);
  });
});

describe('scoreLead', () => {
  it('explains every contribution of a typical lead', () => {
    const lead: ScoringLead = {
      email: 'info@gmail.com',
      firstName: 'Ana',
      jobTitle: 'Head of Marketing',
      source: 'Organic Search',
      bounced: true,
      doNotContact: true,
    };
    const events: ScoringEvent[] = [
      { type: 'form_submitted', occurredAt: new Date(NOW) },
      { type: 'email_clicked', occurredAt: new Date(NOW - 30 * DAY).toISOString() },
      { type: 'email_clicked', occurredAt: NOW - 60 * DAY },
      { type: 'unknown_event', occurredAt: NOW },
    ];
    const result = scoreLead(lead, events, defaultScoringModel, NOW);
    expect(result.contributions).toEqual([
      { kind: 'fit', ruleId: 'senior-title', label: 'Senior decision maker', points: 15 },
      { kind: 'completeness', label: 'Profile completeness (3/7 fields)', points: 4.29 },
      { kind: 'behaviour', ruleId: 'form_submitted', label: 'Form submitted × 1 (decayed)', points: 10 },
      { kind: 'behaviour', ruleId: 'email_clicked', label: 'Email clicked × 2 (decayed)', points: 3.75 },
      { kind: 'source', ruleId: 'organic_search', label: 'Source: Organic Search', points: 8 },
      { kind: 'negative', ruleId: 'freeEmail', label: 'Free email provider', points: -5 },
      { kind: 'negative', ruleId: 'roleAccount', label: 'Role account (info@, sales@ …)', points: -10 },
      { kind: 'negative', ruleId: 'bounced', label: 'Email bounced', points: -25 },
      { kind: 'negative', ruleId: 'doNotContact', label: 'Do not contact', points: -40 },
      { kind: 'clamp', label: 'Score floored at 0', points: 38.96 },
    ]);
    expect(result.raw).toBe(-38.96);
    expect(result.score).toBe(0);
    expect(result.grade).toBe('F');
    expect(result.computedAt).toEqual(new Date(NOW));
  });

  it('caps behaviour and the total as explicit lines', () => {
    const model = baseModel({
      fitRules: [{ id: 'all', label: 'Everyone', field: 'email', operator: 'exists', points: 90 }],
      behaviour: { halfLifeDays: 10, eventPoints: { meeting: 20 }, maxPoints: 30 },
    });
    const events = Array.from({ length: 3 }, () => ({ type: 'meeting', occurredAt: NOW }));
    const result = scoreLead({ email: 'a@b.co' }, events, model, NOW);
    expect(result.contributions.map((c) => [c.kind, c.points])).toEqual([
      ['fit', 90],
      ['behaviour', 60],
      ['behaviour_cap', -30],
      ['clamp', -20],
    ]);
    expect(result.raw).toBe(120);
    expect(result.score).toBe(100);
    expect(result.grade).toBe('A');
  });

  it('adds a rounding line so the lines sum to the whole score', () => {
    const model = baseModel({ completeness: { fields: ['a', 'b', 'c'], maxPoints: 10 } });
    const result = scoreLead({ a: 'x' }, [], model, NOW);
    expect(result.contributions).toEqual([
      { kind: 'completeness', label: 'Profile completeness (1/3 fields)', points: 3.33 },
      { kind: 'rounding', label: 'Rounded to a whole score', points: -0.33 },
    ]);
    expect(result.score).toBe(3);
  });

  it('detects disposable sub-domains, tenant domains and the enrichment flag', () => {
    const model = baseModel({ negative: { disposableEmail: -30, disposableDomains: ['burner.example'] } });
    const score = (lead: ScoringLead) => scoreLead({ ...lead }, [], model, NOW).raw;
    expect(score({ email: 'x@eu.mailinator.com' })).toBe(-30);
    expect(score({ email: 'x@Burner.Example' })).toBe(-30);
    expect(score({ email: 'x@acme.io', enrichment: { emailDisposable: true } })).toBe(-30);
    expect(score({ email: 'x@acme.io' })).toBe(0);
  });

  it('matches source weights case- and separator-insensitively and falls back to channel', () => {
    const model = baseModel({ sourceWeights: { paid_search: 6, Referral: 15 } });
    expect(scoreLead({ source: 'Paid Search' }, [], model, NOW).score).toBe(6);
    expect(scoreLead({ channel: 'referral' }, [], model, NOW).score).toBe(15);
    expect(scoreLead({ source: 'tv' }, [], model, NOW).score).toBe(0);
  });

  it('gives the same value from the fast path and the full result', () => {
    const compiled = compileScoringModel(defaultScoringModel);
    const lead: ScoringLead = { email: 'cto@acme.io', jobTitle: 'CTO', source: 'referral' };
    const events: ScoringEvent[] = [{ type: 'meeting', occurredAt: NOW - 3 * DAY }];
    expect(compiled.scoreValue(lead, events, NOW)).toBe(compiled.score(lead, events, NOW).score);
  });
});

describe('explanation invariants (property tests)', { timeout: 30_000 }, () => {
  const eventTypes = [
    'form_submitted',
    'page_viewed',
    'email_opened',
    'email_clicked',
    'email_replied',
    'meeting',
    'call',
    'other',
  ];
  const operators = [
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

  function randomModel(prng: ReturnType<typeof createPrng>): ScoringModelInput {
    const points = () => Math.round((prng.next() * 80 - 30) * 1000) / 1000; // up to 3 decimals
    const fitRules = Array.from({ length: prng.int(8) }, (_, i) => {
      const operator = operators[prng.int(operators.length)];
      const value =
        operator === 'in'
          ? ['a', 'b', 'c'].slice(0, 1 + prng.int(3))
          : ['gt', 'gte', 'lt', 'lte'].includes(operator)
            ? prng.int(100)
            : operator === 'exists' || operator === 'notExists'
              ? undefined
              : operator === 'matches'
                ? '^[ab]'
                : ['a', 'b', 'c'][prng.int(3)];
      return { id: `r${i}`, label: `Rule ${i}`, field: `custom.f${prng.int(4)}`, operator, value, points: points() };
    });
    return baseModel({
      fitRules,
      completeness: {
        fields: ['email', 'custom.f0', 'custom.f1', 'custom.f2', 'phone', 'company'].slice(0, 1 + prng.int(6)),
        maxPoints: prng.next() * 20,
      },
      behaviour: {
        halfLifeDays: 0.5 + prng.next() * 90,
        eventPoints: Object.fromEntries(eventTypes.slice(0, 7).map((t) => [t, points() / 3])),
        maxPoints: prng.next() * 60,
      },
      sourceWeights: { referral: points(), organic: points() },
      negative: {
        disposableEmail: -prng.next() * 40,
        unsubscribed: -prng.next() * 40,
        bounced: -prng.next() * 40,
        doNotContact: -prng.next() * 40,
        roleAccount: -prng.next() * 20,
        freeEmail: -prng.next() * 10,
      },
      thresholds: [{ score: 60, stage: 'mql', event: 'lead.became_mql' }],
    });
  }

  function randomLead(prng: ReturnType<typeof createPrng>): { lead: ScoringLead; events: ScoringEvent[] } {
    const pick = <T>(items: T[]) => items[prng.int(items.length)];
    const value = () =>
      pick<unknown>(['a', 'b', 'c', 'abc', prng.int(120), String(prng.int(120)), '', null, undefined, ['a', 'c']]);
    const lead: ScoringLead = {
      email: pick(['info@gmail.com', 'ana@acme.io', 'x@yopmail.com', 'bad-address', null]),
      phone: pick(['+49 30 1234', '', null]),
      company: pick(['Acme', undefined]),
      source: pick(['referral', 'Organic', 'tv', null]),
      unsubscribed: prng.next() < 0.2,
      bounced: prng.next() < 0.2,
      doNotContact: prng.next() < 0.1,
      custom: { f0: value(), f1: value(), f2: value(), f3: value() },
    };
    const events = Array.from({ length: prng.int(40) }, () => ({
      type: pick(eventTypes),
      occurredAt: NOW - (prng.next() * 400 - 10) * DAY,
    }));
    return { lead, events };
  }

  it('lines sum to raw, then to the score; score is an integer in 0–100', () => {
    const prng = createPrng(42);
    for (let m = 0; m < 60; m++) {
      const compiled = compileScoringModel(randomModel(prng));
      for (let l = 0; l < 60; l++) {
        const { lead, events } = randomLead(prng);
        const result = compiled.score(lead, events, NOW);
        const ruleLines = result.contributions.filter((c) => c.kind !== 'clamp' && c.kind !== 'rounding');
        expect(sumCents(ruleLines)).toBe(Math.round(result.raw * 100));
        expect(sumCents(result.contributions)).toBe(result.score * 100);
        expect(Number.isInteger(result.score)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        expect(result.score).toBe(Math.round(Math.min(100, Math.max(0, result.raw))));
        for (const line of result.contributions) {
          expect(Math.abs(line.points * 100 - Math.round(line.points * 100))).toBeLessThan(1e-6);
        }
        expect(compiled.scoreValue(lead, events, NOW)).toBe(result.score);
        expect(result.grade).toBe(compiled.grade(result.score));
      }
    }
  });

  it('behaviour never exceeds its cap and older events are worth less', () => {
    const prng = createPrng(7);
    const model = baseModel({ behaviour: { halfLifeDays: 14, eventPoints: { call: 8 }, maxPoints: 25 } });
    const compiled = compileScoringModel(model);
    for (let i = 0; i < 200; i++) {
      const ages = Array.from({ length: 1 + prng.int(10) }, () => prng.next() * 100 * DAY);
      const events = ages.map((age) => ({ type: 'call', occurredAt: NOW - age }));
      const older = ages.map((age) => ({ type: 'call', occurredAt: NOW - age - DAY }));
      const score = compiled.score({}, events, NOW);
      expect(score.raw).toBeLessThanOrEqual(25);
      expect(compiled.score({}, older, NOW).raw).toBeLessThanOrEqual(score.raw);
    }
  });
});

describe('thresholdCrossings', () => {
  const model = scoringModelSchema.parse(
    baseModel({
      thresholds: [
        { score: 80, stage: 'sql', event: 'lead.became_sql' },
        { score: 60, stage: 'mql', event: 'lead.became_mql' },
      ],
    }),
  );

  it('reports upward crossings lowest first, including landing exactly on a threshold', () => {
    expect(thresholdCrossings(50, 85, model)).toEqual([
      { direction: 'up', score: 60, stage: 'mql', event: 'lead.became_mql' },
      { direction: 'up', score: 80, stage: 'sql', event: 'lead.became_sql' },
    ]);
    expect(thresholdCrossings(59, 60, model).map((c) => c.stage)).toEqual(['mql']);
    expect(thresholdCrossings(60, 61, model)).toEqual([]);
  });

  it('reports downward crossings highest first', () => {
    expect(thresholdCrossings(80, 10, model).map((c) => [c.direction, c.stage])).toEqual([
      ['down', 'sql'],
      ['down', 'mql'],
    ]);
    expect(thresholdCrossings(60, 59, model).map((c) => c.stage)).toEqual(['mql']);
    expect(thresholdCrossings(70, 70, model)).toEqual([]);
  });

  it('treats a first score as coming from nowhere', () => {
    expect(thresholdCrossings(null, 65, model).map((c) => c.stage)).toEqual(['mql']);
    expect(thresholdCrossings(null, 0, model)).toEqual([]);
  });
});
