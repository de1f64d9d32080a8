import { describe, expect, it } from 'vitest';
import { compileScoringModel, defaultScoringModel, type Contribution } from '../scoring';
import { explanationJsonbText, explanationTextEquals, sameExplanationApartFromDecay } from './explanation';

const DAY = 86_400_000;
const now = Date.parse('2030-06-01T00:00:00Z');
const scorer = compileScoringModel(defaultScoringModel);
const lead = { email: 'ada@acme.example', firstName: 'Ada', jobTitle: 'CEO', phone: '+1 415 555 0100', source: 'referral' };
const events = [
  { type: 'form_submitted', occurredAt: now - 3 * DAY },
  { type: 'email_opened', occurredAt: now - 10 * DAY },
];

describe('explanation text (as PostgreSQL prints jsonb)', () => {
  it('renders keys in jsonb order and omits a missing rule id', () => {
    const lines: Contribution[] = [
      { kind: 'fit', ruleId: 'senior-title', label: 'Senior decision maker', points: 15 },
      { kind: 'rounding', label: 'Rounded to a whole score', points: -0.14 },
    ];
    expect(explanationJsonbText(lines)).toBe(
      '[{"kind": "fit", "label": "Senior decision maker", "points": 15, "ruleId": "senior-title"}, {"kind": "rounding", "label": "Rounded to a whole score", "points": -0.14}]',
    );
    expect(explanationJsonbText([])).toBe('[]');
  });

  it('explanationTextEquals agrees with the rendering, and any difference is a mismatch', () => {
    const lines = scorer.score(lead, events, now).contributions;
    const text = explanationJsonbText(lines);
    expect(explanationTextEquals(text, lines)).toBe(true);
    expect(explanationTextEquals(text + ' ', lines)).toBe(false);
    expect(explanationTextEquals(text.slice(0, -1), lines)).toBe(false);
    expect(explanationTextEquals(text, lines.slice(1))).toBe(false);
    expect(
      explanationTextEquals(text, [
        ...lines.slice(0, -1),
        { ...lines[lines.length - 1], points: lines[lines.length - 1].points + 0.01 },
      ]),
    ).toBe(false);
    expect(explanationTextEquals(text.replace('Senior', 'Junior'), lines)).toBe(false);
    const quoted: Contribution[] = [{ kind: 'fit', ruleId: 'q"\\', label: 'Says "hi"\n\\ ✓', points: 1 }];
    expect(explanationTextEquals(explanationJsonbText(quoted), quoted)).toBe(true);
  });
});

describe('sameExplanationApartFromDecay', () => {
  const stored = (lines: Contribution[]) => JSON.parse(JSON.stringify(lines)) as unknown;

  it('ignores points that move with the clock alone, when the score stays', () => {
    const today = scorer.score(lead, events, now);
    const tomorrow = scorer.score(lead, events, now + DAY);
    expect(tomorrow.contributions).not.toEqual(today.contributions); // behaviour decayed
    expect(sameExplanationApartFromDecay(stored(today.contributions), tomorrow.contributions)).toBe(true);
  });

  it('has a text form that needs no parse, and agrees with the parsed one', () => {
    const today = scorer.score(lead, events, now).contributions;
    const tomorrow = scorer.score(lead, events, now + DAY).contributions;
    const text = explanationJsonbText(today);
    expect(explanationTextEquals(text, tomorrow)).toBe(false);
    expect(explanationTextEquals(text, tomorrow, { apartFromDecay: true })).toBe(true);
    const reweighted = compileScoringModel({
      ...defaultScoringModel,
      fitRules: defaultScoringModel.fitRules.map((r) => (r.id === 'senior-title' ? { ...r, points: 14 } : r)),
    });
    expect(explanationTextEquals(text, reweighted.score(lead, events, now + DAY).contributions, { apartFromDecay: true })).toBe(
      false,
    );
    const more = scorer.score(lead, [...events, { type: 'form_submitted', occurredAt: now - DAY }], now).contributions;
    expect(explanationTextEquals(text, more, { apartFromDecay: true })).toBe(false);
  });

  it('sees model edits: re-weighted or relabelled rules, new lines, new event counts', () => {
    const today = scorer.score(lead, events, now).contributions;
    const edited = compileScoringModel({
      ...defaultScoringModel,
      fitRules: defaultScoringModel.fitRules.map((r) => (r.id === 'senior-title' ? { ...r, points: 14 } : r)),
    });
    expect(sameExplanationApartFromDecay(stored(today), edited.score(lead, events, now).contributions)).toBe(false);
    const relabelled = compileScoringModel({
      ...defaultScoringModel,
      fitRules: defaultScoringModel.fitRules.map((r) => (r.id === 'senior-title' ? { ...r, label: 'Executive' } : r)),
    });
    expect(sameExplanationApartFromDecay(stored(today), relabelled.score(lead, events, now).contributions)).toBe(false);
    const more = scorer.score(lead, [...events, { type: 'form_submitted', occurredAt: now - DAY }], now).contributions;
    expect(sameExplanationApartFromDecay(stored(today), more)).toBe(false);
    expect(sameExplanationApartFromDecay(null, today)).toBe(false);
    expect(sameExplanationApartFromDecay([{ kind: 'fit' }], today)).toBe(false);
  });
});
