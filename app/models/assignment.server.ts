/**
 * Lead assignment: the tenant's rules and rep settings (Settings → Assignment), assigning leads by
 * the rules (the pipeline job, workflows) and reassigning leads nobody touched within a rule's SLA
 * (the crontab sweep). The rule logic is pure (worker/assignment/engine.ts); this module does the
 * locking and the set-based writes.
 *
 * Concurrency: every assignment transaction first locks the tenant's enabled rules FOR UPDATE in
 * position order, so automatic assignments of one tenant run one at a time (parallel imports and
 * captures queue up for a few milliseconds) and cursors advance strictly. Rep counters (open leads,
 * today's assignments) are read after the lock, so caps hold. Leads are then locked and assigned
 * with a conditional UPDATE (owner_id still null, or still the owner being replaced), so a lead is
 * never assigned twice, whoever else writes to it. Lock order is always rules → leads.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';
import {
  assignmentRuleInputSchema,
  planAssignments,
  ruleConfigSchema,
  type AssignmentRuleInput,
  type LeadForAssignment,
  type PlannedAssignment,
  type RepState,
  type RuleState,
} from '../../worker/assignment/engine';
import { audit } from './audit.server';
import type { Actor } from './lead.server';

export type AssignmentRule = typeof schema.assignmentRules.$inferSelect;

/** Stages whose leads are done: not assigned, not counted as open. */
export const CLOSED_STAGES = ['customer', 'lost'] as const;

// ---------------------------------------------------------------------------------------------
// Rules and rep settings (Settings)

export async function listRules(tx: Tx): Promise<AssignmentRule[]> {
  return tx.select().from(schema.assignmentRules).orderBy(asc(schema.assignmentRules.position), asc(schema.assignmentRules.id));
}

export async function createRule(tx: Tx, tenantId: string, input: AssignmentRuleInput, actorUserId: string | null): Promise<AssignmentRule> {
  const rule = assignmentRuleInputSchema.parse(input);
  const [{ next }] = (
    await tx.execute<{ next: number }>(sql`select coalesce(max(position), 0) + 1 as next from assignment_rules`)
  ).rows;
  const [row] = await tx
    .insert(schema.assignmentRules)
    .values({ tenantId, id: uuidv7(), position: Number(next), name: rule.name, kind: rule.kind, enabled: rule.enabled, config: rule.config })
    .returning();
  await audit(tx, { tenantId, actorUserId, action: 'assignment_rule.created', target: row.id, data: { name: rule.name, kind: rule.kind } });
  return row;
}

export async function updateRule(
  tx: Tx,
  tenantId: string,
  id: string,
  input: AssignmentRuleInput,
  actorUserId: string | null,
): Promise<AssignmentRule | null> {
  const rule = assignmentRuleInputSchema.parse(input);
  const [row] = await tx
    .update(schema.assignmentRules)
    .set({ name: rule.name, kind: rule.kind, enabled: rule.enabled, config: rule.config })
    .where(eq(schema.assignmentRules.id, id))
    .returning();
  if (row) await audit(tx, { tenantId, actorUserId, action: 'assignment_rule.updated', target: id, data: { name: rule.name, kind: rule.kind } });
  return row ?? null;
}

export async function deleteRule(tx: Tx, tenantId: string, id: string, actorUserId: string | null): Promise<boolean> {
  const rows = await tx.delete(schema.assignmentRules).where(eq(schema.assignmentRules.id, id)).returning({ id: schema.assignmentRules.id });
  if (rows.length) await audit(tx, { tenantId, actorUserId, action: 'assignment_rule.deleted', target: id });
  return rows.length > 0;
}

/** Swaps a rule with its neighbour (up = evaluated earlier). */
export async function moveRule(tx: Tx, id: string, direction: 'up' | 'down'): Promise<void> {
  const rules = await listRules(tx);
  const index = rules.findIndex((r) => r.id === id);
  const other = direction === 'up' ? index - 1 : index + 1;
  if (index < 0 || other < 0 || other >= rules.length) return;
  const order = rules.map((r) => r.id);
  [order[index], order[other]] = [order[other], order[index]];
  await tx.execute(sql`
    update assignment_rules r set position = x.position
    from jsonb_to_recordset(${JSON.stringify(order.map((rid, i) => ({ id: rid, position: i + 1 })))}::jsonb) as x(id uuid, position int)
    where r.id = x.id`);
}

export interface MemberWithSettings {
  userId: string;
  email: string;
  name: string;
  role: string;
  available: boolean;
  maxOpenLeads: number | null;
  maxPerDay: number | null;
  openLeads: number;
}

export async function listMembersWithSettings(tx: Tx): Promise<MemberWithSettings[]> {
  const rows = await tx.execute<{
    user_id: string;
    email: string;
    name: string;
    role: string;
    available: boolean | null;
    max_open_leads: number | null;
    max_per_day: number | null;
    open_leads: number;
  }>(sql`
    select m.user_id, u.email, u.name, m.role, s.available, s.max_open_leads, s.max_per_day,
           (select count(*)::int from leads l where l.owner_id = m.user_id and l.stage not in ('customer', 'lost')) as open_leads
    from memberships m join users u on u.id = m.user_id
    left join rep_settings s on s.user_id = m.user_id
    order by lower(u.email)`);
  return rows.rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    name: r.name,
    role: r.role,
    available: r.available ?? true,
    maxOpenLeads: r.max_open_leads,
    maxPerDay: r.max_per_day,
    openLeads: Number(r.open_leads),
  }));
}

export async function saveRepSettings(
  tx: Tx,
  tenantId: string,
  userId: string,
  settings: { available: boolean; maxOpenLeads: number | null; maxPerDay: number | null },
  actorUserId: string | null,
): Promise<void> {
  await tx
    .insert(schema.repSettings)
    .values({ tenantId, userId, ...settings })
    .onConflictDoUpdate({ target: [schema.repSettings.tenantId, schema.repSettings.userId], set: { ...settings, updatedAt: new Date() } });
  await audit(tx, { tenantId, actorUserId, action: 'rep_settings.updated', target: userId, data: settings });
}

// ---------------------------------------------------------------------------------------------
// Assigning

/** Locks the enabled rules (position order) and returns them with valid configs. */
async function lockRules(tx: Tx): Promise<RuleState[]> {
  const rows = await tx.execute<{ id: string; name: string; kind: RuleState['kind']; config: unknown; cursor: number }>(sql`
    select id, name, kind, config, cursor from assignment_rules where enabled order by position, id for update`);
  const rules: RuleState[] = [];
  for (const r of rows.rows) {
    // A rule whose stored config no longer validates is skipped rather than failing every job.
    const config = ruleConfigSchema.safeParse(r.config);
    if (config.success) rules.push({ id: r.id, name: r.name, kind: r.kind, config: config.data, cursor: Number(r.cursor) });
  }
  return rules;
}

/** Rep state for the reps the rules name; read after the rules are locked. */
async function loadReps(tx: Tx, rules: readonly RuleState[], now: Date): Promise<Map<string, RepState>> {
  const ids = new Set<string>();
  for (const r of rules) {
    for (const p of r.config.pool) ids.add(p.userId);
    if (r.config.userId) ids.add(r.config.userId);
  }
  const reps = new Map<string, RepState>();
  if (ids.size === 0) return reps;
  const list = JSON.stringify([...ids]);
  const rows = await tx.execute<{
    user_id: string;
    member: boolean;
    available: boolean | null;
    max_open_leads: number | null;
    max_per_day: number | null;
    open_leads: number | null;
    today: number | null;
  }>(sql`
    with reps as (select jsonb_array_elements_text(${list}::jsonb)::uuid as user_id)
    select reps.user_id,
           exists (select 1 from memberships m where m.user_id = reps.user_id) as member,
           s.available, s.max_open_leads, s.max_per_day,
           case when s.max_open_leads is not null then
             (select count(*)::int from leads l where l.owner_id = reps.user_id and l.stage not in ('customer', 'lost')) end as open_leads,
           case when s.max_per_day is not null then
             (select count(*)::int from lead_assignments a where a.user_id = reps.user_id
                and a.assigned_at >= date_trunc('day', ${now.toISOString()}::timestamptz at time zone 'UTC') at time zone 'UTC') end as today
    from reps left join rep_settings s on s.user_id = reps.user_id`);
  for (const r of rows.rows) {
    reps.set(r.user_id, {
      userId: r.user_id,
      member: r.member,
      available: r.available ?? true,
      maxOpenLeads: r.max_open_leads,
      maxPerDay: r.max_per_day,
      openLeads: Number(r.open_leads ?? 0),
      assignedToday: Number(r.today ?? 0),
    });
  }
  return reps;
}

export interface AssignedLead {
  leadId: string;
  userId: string;
  ruleId: string;
  from: string | null;
}

export interface AssignOptions {
  actor?: Actor;
  now?: Date;
  /** Assign even when the lead has an owner (a workflow's explicit "assign by rules"). */
  reassign?: boolean;
  /** 'rule' for new leads, 'sla' for the SLA sweep. */
  reason?: 'rule' | 'sla';
}

interface Candidate extends LeadForAssignment {
  owner_id: string | null;
  name: string;
}

async function writePlan(
  tx: Tx,
  tenantId: string,
  plan: PlannedAssignment[],
  candidates: ReadonlyMap<string, Candidate>,
  rules: readonly RuleState[],
  cursors: ReadonlyMap<string, number>,
  options: AssignOptions,
): Promise<AssignedLead[]> {
  const now = options.now ?? new Date();
  if (cursors.size) {
    await tx.execute(sql`
      update assignment_rules r set cursor = x.cursor
      from jsonb_to_recordset(${JSON.stringify([...cursors].map(([id, cursor]) => ({ id, cursor })))}::jsonb) as x(id uuid, cursor int)
      where r.id = x.id`);
  }
  if (plan.length === 0) return [];
  const input = plan.map((p) => ({ id: p.leadId, user_id: p.userId, from_owner: candidates.get(p.leadId)?.owner_id ?? null }));
  // Conditional: only a lead whose owner is still the one we planned from (null for new leads).
  const updated = await tx.execute<{ id: string }>(sql`
    update leads l set owner_id = x.user_id
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(id uuid, user_id uuid, from_owner uuid)
    where l.id = x.id and l.owner_id is not distinct from x.from_owner
    returning l.id`);
  const applied = new Set(updated.rows.map((r) => r.id));
  const done = plan.filter((p) => applied.has(p.leadId));
  if (done.length === 0) return [];
  const ruleName = new Map(rules.map((r) => [r.id, r.name]));
  const actor = options.actor ?? { type: 'system' as const, id: 'assignment' };
  const reason = options.reason ?? 'rule';
  const rows = done.map((p) => ({
    id: uuidv7(now.getTime()),
    event_id: uuidv7(now.getTime()),
    lead_id: p.leadId,
    user_id: p.userId,
    rule_id: p.ruleId,
    sla_due_at: p.slaMinutes ? new Date(now.getTime() + p.slaMinutes * 60_000).toISOString() : null,
    payload: { from: candidates.get(p.leadId)?.owner_id ?? null, to: p.userId, ruleId: p.ruleId, ruleName: ruleName.get(p.ruleId) ?? null, reason },
  }));
  const json = JSON.stringify(rows);
  await tx.execute(sql`
    with x as (
      select * from jsonb_to_recordset(${json}::jsonb)
        as x(id uuid, event_id uuid, lead_id uuid, user_id uuid, rule_id uuid, sla_due_at timestamptz, payload jsonb)
    ), a as (
      insert into lead_assignments (tenant_id, id, lead_id, user_id, rule_id, reason, status, assigned_at, sla_due_at)
      select ${tenantId}::uuid, x.id, x.lead_id, x.user_id, x.rule_id, ${reason}, 'active', ${now.toISOString()}::timestamptz, x.sla_due_at from x
    )
    insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload, occurred_at)
    select ${tenantId}::uuid, x.event_id, x.lead_id, 'assigned', ${actor.type}, ${actor.id ?? null}, x.payload, ${now.toISOString()}::timestamptz from x`);
  // One notification per rep per batch (an import of 5,000 leads is one bell entry, not 5,000).
  const byRep = new Map<string, PlannedAssignment[]>();
  for (const p of done) byRep.set(p.userId, [...(byRep.get(p.userId) ?? []), p]);
  const notes = [...byRep].map(([userId, items]) => ({
    id: uuidv7(now.getTime()),
    user_id: userId,
    payload: {
      count: items.length,
      reason,
      leads: items.slice(0, 10).map((p) => ({ id: p.leadId, name: candidates.get(p.leadId)?.name ?? '' })),
    },
  }));
  await tx.execute(sql`
    insert into notifications (tenant_id, id, user_id, kind, payload)
    select ${tenantId}::uuid, x.id, x.user_id, 'lead_assigned', x.payload
    from jsonb_to_recordset(${JSON.stringify(notes)}::jsonb) as x(id uuid, user_id uuid, payload jsonb)`);
  return done.map((p) => ({ leadId: p.leadId, userId: p.userId, ruleId: p.ruleId, from: candidates.get(p.leadId)?.owner_id ?? null }));
}

async function loadCandidates(tx: Tx, leadIds: readonly string[], reassign: boolean): Promise<Candidate[]> {
  if (leadIds.length === 0) return [];
  const rows = await tx.execute<{
    id: string;
    country: string | null;
    region: string | null;
    industry: string | null;
    company_size: string | null;
    owner_id: string | null;
    name: string;
  }>(sql`
    select id, country, region, industry, company_size, owner_id,
           coalesce(nullif(btrim(concat_ws(' ', first_name, last_name)), ''), email, '') as name
    from leads
    where id in (select jsonb_array_elements_text(${JSON.stringify(leadIds)}::jsonb)::uuid)
      and stage not in ('customer', 'lost') ${reassign ? sql`` : sql`and owner_id is null`}
    order by id
    for update`);
  return rows.rows.map((r) => ({ ...r, companySize: r.company_size }));
}

/**
 * Assigns the given leads that have no owner (or all of them with `reassign`) by the tenant's
 * rules, in lead-id (= creation) order. Records the assignment, an 'assigned' event and an in-app
 * notification for each rep. Returns what was assigned.
 */
export async function assignLeads(tx: Tx, tenantId: string, leadIds: readonly string[], options: AssignOptions = {}): Promise<AssignedLead[]> {
  if (leadIds.length === 0) return [];
  const rules = await lockRules(tx);
  if (rules.length === 0) return [];
  const now = options.now ?? new Date();
  const reps = await loadReps(tx, rules, now);
  const candidates = await loadCandidates(tx, leadIds, options.reassign ?? false);
  if (candidates.length === 0) return [];
  const exclude = options.reassign ? new Map(candidates.filter((c) => c.owner_id).map((c) => [c.id, c.owner_id!])) : undefined;
  const plan = planAssignments(candidates, rules, reps, { exclude });
  return writePlan(tx, tenantId, plan.assignments, new Map(candidates.map((c) => [c.id, c])), rules, plan.cursors, { ...options, now });
}

/**
 * A workflow's "assign by rules" on one lead (api.v1.leads.bulk): the lead gets the next rep by
 * the rules, even if it already has an owner. Returns the new owner, or null when no rule applies.
 */
export async function assignByRules(tx: Tx, tenantId: string, leadId: string, actor: Actor): Promise<string | null> {
  const done = await assignLeads(tx, tenantId, [leadId], { actor, reassign: true });
  return done[0]?.userId ?? null;
}

// ---------------------------------------------------------------------------------------------
// SLA

export interface SlaSweepResult {
  checked: number;
  touched: number;
  reassigned: number;
  closed: number;
}

/**
 * Reassigns leads whose automatic assignment passed its SLA without being touched — "touched"
 * meaning any event by a user or through the API after the assignment. The next rep comes from the
 * rules in order, never the current owner; with nobody else eligible the assignment is closed.
 */
export async function reassignOverdueLeads(tx: Tx, tenantId: string, now: Date = new Date(), limit = 1000): Promise<SlaSweepResult> {
  const result: SlaSweepResult = { checked: 0, touched: 0, reassigned: 0, closed: 0 };
  const rules = await lockRules(tx);
  const due = await tx.execute<{
    assignment_id: string;
    lead_id: string;
    user_id: string;
    owner_id: string | null;
    stage: string;
    touched: boolean;
  }>(sql`
    select a.id as assignment_id, a.lead_id, a.user_id, l.owner_id, l.stage,
           exists (select 1 from lead_events e
                   where e.lead_id = a.lead_id and e.occurred_at > a.assigned_at and e.actor_type in ('user', 'api')) as touched
    from lead_assignments a join leads l on l.id = a.lead_id
    where a.status = 'active' and a.sla_due_at is not null and a.sla_due_at <= ${now.toISOString()}::timestamptz
    order by a.sla_due_at
    limit ${limit}
    for update of a, l`);
  result.checked = due.rows.length;
  if (due.rows.length === 0) return result;
  const status = new Map<string, 'touched' | 'closed' | 'reassigned'>();
  const overdue: typeof due.rows = [];
  for (const row of due.rows) {
    if (row.touched) status.set(row.assignment_id, 'touched');
    else if (row.owner_id !== row.user_id || (CLOSED_STAGES as readonly string[]).includes(row.stage)) status.set(row.assignment_id, 'closed');
    else overdue.push(row);
  }
  if (overdue.length && rules.length) {
    const reps = await loadReps(tx, rules, now);
    const candidates = await loadCandidates(tx, overdue.map((r) => r.lead_id), true);
    const exclude = new Map(overdue.map((r) => [r.lead_id, r.user_id]));
    const plan = planAssignments(candidates, rules, reps, { exclude });
    const done = await writePlan(tx, tenantId, plan.assignments, new Map(candidates.map((c) => [c.id, c])), rules, plan.cursors, {
      now,
      reason: 'sla',
      actor: { type: 'system', id: 'sla' },
    });
    const moved = new Set(done.map((d) => d.leadId));
    for (const row of overdue) status.set(row.assignment_id, moved.has(row.lead_id) ? 'reassigned' : 'closed');
  } else {
    for (const row of overdue) status.set(row.assignment_id, 'closed');
  }
  const updates = [...status].map(([id, s]) => ({ id, status: s }));
  await tx.execute(sql`
    update lead_assignments a set status = x.status
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(id uuid, status text)
    where a.id = x.id`);
  for (const s of status.values()) result[s === 'reassigned' ? 'reassigned' : s === 'touched' ? 'touched' : 'closed']++;
  return result;
}

/** Whether the tenant has an enabled rule with an SLA (the sweep skips tenants without). */
export async function hasSlaRules(tx: Tx): Promise<boolean> {
  const rows = await tx
    .select({ id: schema.assignmentRules.id })
    .from(schema.assignmentRules)
    .where(and(eq(schema.assignmentRules.enabled, true), sql`(${schema.assignmentRules.config} ->> 'slaMinutes') is not null`))
    .limit(1);
  return rows.length > 0;
}
