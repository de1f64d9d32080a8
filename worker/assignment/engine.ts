/**
 * Lead assignment rules, evaluated in position order (pure: data in, plan out). The database
 * side (app/models/assignment.server.ts) locks the rules, loads rep state, calls `planAssignments`
 * and writes the plan with a conditional UPDATE.
 *
 * Kinds:
 * - territory: conditions on country/region/industry/company size, then round robin in its pool;
 * - round_robin: strict pool order from the rule's cursor, skipping reps who are unavailable,
 *   at a cap, or no longer members;
 * - weighted: smooth weighted round robin (nginx's algorithm) over the pool's weights — a fixed,
 *   evenly interleaved sequence of length Σweights, walked with the same cursor;
 * - fallback: one owner, the last resort: ignores availability and caps (only membership counts).
 * Conditions are optional on round_robin and weighted rules too; all conditions must hold.
 */
import { normalizeCountry } from '../enrichment/geo';
import { companySizeLowerBound } from '../pipeline/lead-view';
import type { AssignmentRuleKind, ConditionField, RuleConfig } from './schema';

export * from './schema';

export interface RuleState {
  id: string;
  name: string;
  kind: AssignmentRuleKind;
  config: RuleConfig;
  /** Next position in the pool (round robin/territory) or in the weighted sequence. */
  cursor: number;
}

export interface RepState {
  userId: string;
  member: boolean;
  available: boolean;
  maxOpenLeads: number | null;
  maxPerDay: number | null;
  openLeads: number;
  assignedToday: number;
}

export interface LeadForAssignment {
  id: string;
  country: string | null;
  region: string | null;
  industry: string | null;
  companySize: string | null;
}

export interface PlannedAssignment {
  leadId: string;
  userId: string;
  ruleId: string;
  slaMinutes: number | null;
}

export interface AssignmentPlan {
  assignments: PlannedAssignment[];
  /** New cursor per rule that moved. */
  cursors: Map<string, number>;
  unassigned: string[];
}

const fold = (s: string) => s.trim().toLowerCase();

function textMatches(field: ConditionField, leadValue: string | null, values: readonly string[]): boolean {
  if (!leadValue || leadValue.trim() === '') return false;
  if (field === 'country') {
    const code = normalizeCountry(leadValue) ?? fold(leadValue);
    return values.some((v) => (normalizeCountry(v) ?? fold(v)) === code);
  }
  const folded = fold(leadValue);
  return values.some((v) => fold(v) === folded);
}

export function conditionsMatch(config: RuleConfig, lead: LeadForAssignment): boolean {
  for (const c of config.conditions) {
    const value = lead[c.field];
    if (c.field === 'companySize' && (c.min != null || c.max != null)) {
      const size = companySizeLowerBound(value);
      if (size === null) return false;
      if (c.min != null && size < c.min) return false;
      if (c.max != null && size > c.max) return false;
      if (c.values.length && !textMatches(c.field, value, c.values)) return false;
      continue;
    }
    if (!textMatches(c.field, value, c.values)) return false;
  }
  return true;
}

/** Smooth weighted round robin: an evenly interleaved sequence of pool indexes, length Σweights. */
export function weightedSequence(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const sequence: number[] = [];
  for (let step = 0; step < total; step++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i] += weights[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    sequence.push(best);
  }
  return sequence;
}

export function repEligible(rep: RepState | undefined): boolean {
  if (!rep || !rep.member || !rep.available) return false;
  if (rep.maxOpenLeads !== null && rep.openLeads >= rep.maxOpenLeads) return false;
  if (rep.maxPerDay !== null && rep.assignedToday >= rep.maxPerDay) return false;
  return true;
}

/**
 * Assign each lead (in the given order) by the first rule that matches and has an eligible rep.
 * Rep counters and rule cursors advance as the plan is made, so caps and order hold within a
 * batch; `exclude` keeps a lead away from a rep (SLA reassignment skips the current owner).
 */
export function planAssignments(
  leads: readonly LeadForAssignment[],
  rules: readonly RuleState[],
  reps: ReadonlyMap<string, RepState>,
  options: { exclude?: ReadonlyMap<string, string> } = {},
): AssignmentPlan {
  const state = new Map<string, RepState>([...reps].map(([id, r]) => [id, { ...r }]));
  const cursors = new Map<string, number>();
  const sequences = new Map<string, number[]>();
  const assignments: PlannedAssignment[] = [];
  const unassigned: string[] = [];
  const repOf = (userId: string): RepState =>
    state.get(userId) ?? { userId, member: false, available: false, maxOpenLeads: null, maxPerDay: null, openLeads: 0, assignedToday: 0 };

  for (const lead of leads) {
    const excluded = options.exclude?.get(lead.id);
    let chosen: { userId: string; rule: RuleState } | null = null;
    for (const rule of rules) {
      if (rule.kind === 'fallback') {
        const userId = rule.config.userId;
        if (userId && userId !== excluded && repOf(userId).member) chosen = { userId, rule };
      } else if (conditionsMatch(rule.config, lead)) {
        const pool = rule.config.pool;
        if (pool.length === 0) continue;
        let sequence: number[];
        if (rule.kind === 'weighted') {
          sequence = sequences.get(rule.id) ?? weightedSequence(pool.map((p) => p.weight));
          sequences.set(rule.id, sequence);
        } else {
          sequence = sequences.get(rule.id) ?? pool.map((_, i) => i);
          sequences.set(rule.id, sequence);
        }
        const length = sequence.length;
        const start = ((cursors.get(rule.id) ?? rule.cursor) % length + length) % length;
        for (let k = 0; k < length; k++) {
          const position = (start + k) % length;
          const member = pool[sequence[position]];
          if (member.userId === excluded || !repEligible(state.get(member.userId))) continue;
          chosen = { userId: member.userId, rule };
          cursors.set(rule.id, (position + 1) % length);
          break;
        }
      }
      if (chosen) break;
    }
    if (!chosen) {
      unassigned.push(lead.id);
      continue;
    }
    const rep = state.get(chosen.userId);
    if (rep) {
      rep.openLeads++;
      rep.assignedToday++;
    }
    assignments.push({ leadId: lead.id, userId: chosen.userId, ruleId: chosen.rule.id, slaMinutes: chosen.rule.config.slaMinutes ?? null });
  }
  return { assignments, cursors, unassigned };
}
