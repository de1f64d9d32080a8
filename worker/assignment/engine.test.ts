import { describe, expect, it } from 'vitest';
import { assignmentRuleInputSchema, conditionsMatch, planAssignments, weightedSequence, type RepState, type RuleState } from './engine';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const rep = (n: number, extra: Partial<RepState> = {}): [string, RepState] => [
  U(n),
  { userId: U(n), member: true, available: true, maxOpenLeads: null, maxPerDay: null, openLeads: 0, assignedToday: 0, ...extra },
];
const lead = (i: number, extra: Record<string, string | null> = {}) => ({ id: `lead-${i}`, country: null, region: null, industry: null, companySize: null, ...extra });
const rr = (users: number[], extra: Partial<RuleState> = {}): RuleState => ({
  id: 'rr',
  name: 'Round robin',
  kind: 'round_robin',
  cursor: 0,
  config: { conditions: [], pool: users.map((u) => ({ userId: U(u), weight: 1 })), slaMinutes: null },
  ...extra,
});

describe('assignment engine', () => {
  it('round robin: strict order from the cursor, skipping unavailable and capped reps', () => {
    const reps = new Map([rep(1), rep(2, { available: false }), rep(3, { maxPerDay: 1 }), rep(4)]);
    const plan = planAssignments([1, 2, 3, 4, 5].map((i) => lead(i)), [rr([1, 2, 3, 4], { cursor: 2 })], reps);
    // Cursor 2 → rep 3 first (cap 1), then 4, 1, (2 unavailable), (3 capped), 4, 1.
    expect(plan.assignments.map((a) => a.userId)).toEqual([U(3), U(4), U(1), U(4), U(1)]);
    expect(plan.cursors.get('rr')).toBe(1);
  });

  it('weighted: an evenly interleaved sequence proportional to the weights', () => {
    expect(weightedSequence([5, 1, 1])).toEqual([0, 0, 1, 0, 2, 0, 0]);
    const rule: RuleState = {
      id: 'w',
      name: 'Weighted',
      kind: 'weighted',
      cursor: 0,
      config: { conditions: [], pool: [{ userId: U(1), weight: 3 }, { userId: U(2), weight: 1 }], slaMinutes: null },
    };
    const plan = planAssignments(Array.from({ length: 40 }, (_, i) => lead(i)), [rule], new Map([rep(1), rep(2)]));
    const counts = plan.assignments.reduce<Record<string, number>>((c, a) => ({ ...c, [a.userId]: (c[a.userId] ?? 0) + 1 }), {});
    expect(counts).toEqual({ [U(1)]: 30, [U(2)]: 10 });
  });

  it('territory conditions (country codes or names, industry, size range), then fallback', () => {
    const territory: RuleState = {
      id: 't',
      name: 'DACH enterprise',
      kind: 'territory',
      cursor: 0,
      config: {
        conditions: [
          { field: 'country', values: ['Germany', 'AT', 'CH'] },
          { field: 'companySize', values: [], min: 200 },
        ],
        pool: [{ userId: U(1), weight: 1 }],
        slaMinutes: 30,
      },
    };
    const fallback: RuleState = { id: 'f', name: 'Fallback', kind: 'fallback', cursor: 0, config: { conditions: [], pool: [], userId: U(9), slaMinutes: null } };
    const reps = new Map([rep(1), rep(9, { available: false })]);
    const plan = planAssignments(
      [lead(1, { country: 'DE', companySize: '201-500' }), lead(2, { country: 'Deutschland', companySize: '50' }), lead(3, { country: 'FR', companySize: '1000+' })],
      [territory, fallback],
      reps,
    );
    expect(plan.assignments).toEqual([
      { leadId: 'lead-1', userId: U(1), ruleId: 't', slaMinutes: 30 },
      // The fallback owner takes the rest even while unavailable (the last resort).
      { leadId: 'lead-2', userId: U(9), ruleId: 'f', slaMinutes: null },
      { leadId: 'lead-3', userId: U(9), ruleId: 'f', slaMinutes: null },
    ]);
    expect(conditionsMatch(territory.config, lead(4, { country: 'de', companySize: null }))).toBe(false);
  });

  it('excluding the current owner (SLA) and leaving a lead unassigned when nobody is eligible', () => {
    const plan = planAssignments([lead(1), lead(2)], [rr([1, 2])], new Map([rep(1), rep(2, { maxOpenLeads: 0 })]), {
      exclude: new Map([['lead-1', U(1)]]),
    });
    expect(plan.assignments.map((a) => [a.leadId, a.userId])).toEqual([['lead-2', U(1)]]);
    expect(plan.unassigned).toEqual(['lead-1']);
  });

  it('validates rules: pools, fallback owner, territory conditions, size ranges', () => {
    const bad = assignmentRuleInputSchema.safeParse({ name: '', kind: 'territory', config: { conditions: [], pool: [] } });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'config.pool', 'config.conditions']));
    expect(assignmentRuleInputSchema.safeParse({ name: 'F', kind: 'fallback', config: {} }).error?.issues[0].path).toEqual(['config', 'userId']);
    expect(
      assignmentRuleInputSchema.safeParse({
        name: 'T',
        kind: 'territory',
        config: { pool: [{ userId: U(1) }], conditions: [{ field: 'country', values: [], min: 5 }] },
      }).success,
    ).toBe(false);
  });
});
