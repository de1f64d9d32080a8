/**
 * The pipeline's reads and writes, set-based: leads and events of a batch in one query each, and
 * every result written back with one UPDATE … FROM jsonb_to_recordset per batch. All functions take
 * the caller's tenant transaction (RLS scopes it).
 */
import { eq, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';
import { DEFAULT_STAGES } from '../../app/models/lead-fields';
import { compileScoringModel, defaultScoringModel, type CompiledScoringModel, type PredictiveModel, type ThresholdCrossing } from '../scoring';
import type { FillIns, PipelineEvent, PipelineLead } from './lead-view';
import { stageAfterCrossings, type LeadScoreResult } from './scoring';

/** Columns the pipeline reads, as SQL (snake_case) aliased to PipelineLead's names. */
export const LEAD_COLUMNS = sql.raw(`id, email, first_name as "firstName", last_name as "lastName", phone, title,
  company_name as "companyName", website, company_size as "companySize", industry, country, region, city, timezone,
  channel, source, medium, campaign, stage, owner_id as "ownerId", tags, email_opt_in as "emailOptIn",
  sms_opt_in as "smsOptIn", unsubscribed, do_not_contact as "doNotContact", custom, enrichment, score,
  (extract(epoch from scored_at) * 1000)::float8 as "scoredAt", (extract(epoch from created_at) * 1000)::float8 as "createdAt",
  (extract(epoch from converted_at) * 1000)::float8 as "convertedAt"`);
// NOTE: timestamps come back as epoch milliseconds (numbers): parsing 3 Date strings per row was a
// fifth of a bulk re-score's read time.

export async function loadLeads(tx: Tx, ids: readonly string[]): Promise<PipelineLead[]> {
  if (ids.length === 0) return [];
  const rows = await tx.execute<PipelineLead & Record<string, unknown>>(sql`
    select ${LEAD_COLUMNS} from leads
    where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)
    order by id`);
  return rows.rows;
}

/**
 * A keyset chunk of the tenant's leads: ids in (after, …], ascending, with what is stored of their
 * score. The explanation comes as text (`scoreExplanationText`, see ./explanation.ts): parsing it
 * as jsonb for every lead cost more than reading all the other columns.
 */
export async function loadLeadChunk(
  tx: Tx,
  after: string | null,
  limit: number,
  upTo?: string,
  options: { forUpdate?: boolean } = {},
): Promise<PipelineLead[]> {
  const rows = await tx.execute<PipelineLead & Record<string, unknown>>(sql`
    select ${LEAD_COLUMNS}, score_grade as "scoreGrade", score_explanation::text as "scoreExplanationText",
           predicted_probability as "predictedProbability" from leads
    where ${after ? sql`id > ${after}::uuid` : sql`true`} ${upTo ? sql`and id <= ${upTo}::uuid` : sql``}
    order by id limit ${limit} ${options.forUpdate ? sql`for update` : sql``}`);
  return rows.rows;
}

const EVENT_COLUMNS = sql.raw(`lead_id as "leadId", type, (extract(epoch from occurred_at) * 1000)::float8 as "occurredAt", payload ->> 'via' as via,
  actor_type as "actorType", payload ->> 'from' as "from"`);

export async function loadEvents(tx: Tx, ids: readonly string[]): Promise<Map<string, PipelineEvent[]>> {
  const byLead = new Map<string, PipelineEvent[]>();
  if (ids.length === 0) return byLead;
  const rows = await tx.execute<PipelineEvent & Record<string, unknown>>(sql`
    select ${EVENT_COLUMNS} from lead_events
    where lead_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`);
  for (const e of rows.rows) {
    const list = byLead.get(e.leadId);
    if (list) list.push(e);
    else byLead.set(e.leadId, [e]);
  }
  return byLead;
}

/** Events of the leads whose ids lie in [first, last] (a keyset chunk): one index range scan. */
export async function loadEventsInRange(tx: Tx, first: string, last: string): Promise<Map<string, PipelineEvent[]>> {
  const byLead = new Map<string, PipelineEvent[]>();
  const rows = await tx.execute<PipelineEvent & Record<string, unknown>>(sql`
    select ${EVENT_COLUMNS} from lead_events where lead_id >= ${first}::uuid and lead_id <= ${last}::uuid`);
  for (const e of rows.rows) {
    const list = byLead.get(e.leadId);
    if (list) list.push(e);
    else byLead.set(e.leadId, [e]);
  }
  return byLead;
}

export interface ScoringConfig {
  scorer: CompiledScoringModel;
  predictive: PredictiveModel | null;
  predictiveId: string | null;
  stages: string[];
}

// The active predictive model changes rarely and can be large: keep the parsed JSON per model id
// (predict() compiles and caches per model object).
const predictiveCache = new Map<string, PredictiveModel>();

export async function loadScoringConfig(tx: Tx): Promise<ScoringConfig> {
  const [model] = await tx.select({ model: schema.scoringModels.model }).from(schema.scoringModels).limit(1);
  let scorer: CompiledScoringModel;
  try {
    scorer = compileScoringModel(model?.model ?? defaultScoringModel);
  } catch {
    // A stored model that no longer validates (schema moved on) falls back to the default.
    scorer = compileScoringModel(defaultScoringModel);
  }
  const [active] = await tx
    .select({ id: schema.predictiveModels.id })
    .from(schema.predictiveModels)
    .where(eq(schema.predictiveModels.status, 'active'))
    .limit(1);
  let predictive: PredictiveModel | null = null;
  if (active) {
    predictive = predictiveCache.get(active.id) ?? null;
    if (!predictive) {
      const [row] = await tx.select({ model: schema.predictiveModels.model }).from(schema.predictiveModels).where(eq(schema.predictiveModels.id, active.id));
      predictive = (row?.model as PredictiveModel | null) ?? null;
      if (predictive) {
        if (predictiveCache.size > 100) predictiveCache.clear();
        predictiveCache.set(active.id, predictive);
      }
    }
  }
  const [tenant] = await tx.select({ settings: schema.tenants.settings }).from(schema.tenants).limit(1);
  return { scorer, predictive, predictiveId: active?.id ?? null, stages: stagesOf(tenant?.settings) };
}

/** The tenant's pipeline (tenants.settings.stages), else the default one. */
export function stagesOf(settings: unknown): string[] {
  const stages = (settings as { stages?: unknown } | null)?.stages;
  if (Array.isArray(stages)) {
    const valid = stages.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
    if (valid.length) return valid;
  }
  return [...DEFAULT_STAGES];
}

/** Marks the transaction as the pipeline's own: its lead writes do not queue the pipeline again. */
export async function markPipelineWrite(tx: Tx): Promise<void> {
  await tx.execute(sql`select set_config('leadflow.pipeline_write', 'on', true)`);
}

export interface LeadWrite {
  score: LeadScoreResult;
  enrichment?: unknown;
  fill?: FillIns;
}

export interface WriteSummary {
  written: number;
  crossings: number;
  stageChanges: number;
}

/**
 * Writes a batch of results: enrichment (when given), fill-ins (only into empty columns — a value
 * a user typed meanwhile wins), score, grade, explanation, prediction, and the stage a threshold
 * crossing moves the lead to. Threshold crossings are computed against the score stored now
 * (rows locked), so concurrent jobs on one lead never report a crossing twice; each crossing is a
 * 'score_threshold_crossed' event, each stage move a 'stage_changed' event. With `onlyChanged`,
 * rows whose score, grade, explanation and prediction are unchanged are not rewritten.
 */
export async function writeResults(
  tx: Tx,
  tenantId: string,
  config: ScoringConfig,
  writes: readonly LeadWrite[],
  options: {
    now: Date;
    onlyChanged?: boolean;
    /**
     * Optimistic mode (bulk re-scoring): the values read without a lock; a row that changed since
     * is skipped (its own job re-scores it), so crossings are never computed against stale data.
     */
    expected?: Map<string, { score: number; scoredAt: unknown; stage: string }>;
  },
): Promise<WriteSummary> {
  const summary: WriteSummary = { written: 0, crossings: 0, stageChanges: 0 };
  if (writes.length === 0) return summary;
  await markPipelineWrite(tx);
  const ids = writes.map((w) => w.score.id);
  let current = options.expected;
  if (!current) {
    const rows = await tx.execute<{ id: string; score: number; scored_at: unknown; stage: string }>(sql`
      select id, score, scored_at, stage from leads
      where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)
      order by id for update`);
    current = new Map(rows.rows.map((r) => [r.id, { score: r.score, scoredAt: r.scored_at, stage: r.stage }]));
  }
  let events: Array<{ id: string; lead_id: string; type: string; payload: unknown }> = [];
  const input: Record<string, unknown>[] = [];
  const nowMs = options.now.getTime();
  for (const w of writes) {
    const before = current.get(w.score.id);
    if (!before) continue; // deleted meanwhile
    const previous = before.scoredAt ? before.score : null;
    const crossings: ThresholdCrossing[] = config.scorer.thresholdCrossings(previous, w.score.score);
    const stage = stageAfterCrossings(before.stage, crossings, config.stages);
    for (const c of crossings) {
      events.push({
        id: uuidv7(nowMs),
        lead_id: w.score.id,
        type: 'score_threshold_crossed',
        payload: { direction: c.direction, threshold: c.score, event: c.event, stage: c.stage, previousScore: previous, score: w.score.score },
      });
    }
    if (stage) {
      events.push({ id: uuidv7(nowMs), lead_id: w.score.id, type: 'stage_changed', payload: { from: before.stage, to: stage, reason: 'score_threshold' } });
    }
    summary.crossings += crossings.length;
    if (stage) summary.stageChanges++;
    input.push({
      id: w.score.id,
      score: w.score.score,
      grade: w.score.grade,
      explanation: w.score.explanation,
      p: w.score.probability,
      stage,
      prev_score: before.score,
      prev_scored: Boolean(before.scoredAt),
      from_stage: before.stage,
      enrichment: w.enrichment ?? null,
      country: w.fill?.country ?? null,
      timezone: w.fill?.timezone ?? null,
      industry: w.fill?.industry ?? null,
      website: w.fill?.website ?? null,
    });
  }
  const withEnrichment = writes.some((w) => w.enrichment !== undefined);
  const changedOnly = options.onlyChanged
    ? sql`and (x.stage is not null or (l.score, l.score_grade, l.score_explanation, l.predicted_probability)
               is distinct from (x.score, x.grade, x.explanation, x.p) or l.scored_at is null)`
    : sql``;
  const result = await tx.execute(sql`
    update leads l set
      score = x.score, score_grade = x.grade, score_explanation = x.explanation, predicted_probability = x.p,
      scored_at = ${options.now.toISOString()}::timestamptz,
      stage = coalesce(x.stage, l.stage),
      converted_at = case when x.stage = 'customer' and l.converted_at is null then ${options.now.toISOString()}::timestamptz else l.converted_at end
      ${
        withEnrichment
          ? sql`, enrichment = coalesce(x.enrichment, l.enrichment),
      country = case when nullif(btrim(l.country), '') is null then coalesce(x.country, l.country) else l.country end,
      timezone = case when nullif(btrim(l.timezone), '') is null then coalesce(x.timezone, l.timezone) else l.timezone end,
      industry = case when nullif(btrim(l.industry), '') is null then coalesce(x.industry, l.industry) else l.industry end,
      website = case when nullif(btrim(l.website), '') is null then coalesce(x.website, l.website) else l.website end`
          : sql``
      }
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(
      id uuid, score int, grade text, explanation jsonb, p float8, stage text, enrichment jsonb,
      country text, timezone text, industry text, website text, prev_score int, prev_scored boolean, from_stage text)
    where l.id = x.id ${changedOnly}
      ${options.expected ? sql`and l.score = x.prev_score and (l.scored_at is not null) = x.prev_scored and l.stage = x.from_stage` : sql``}
    ${options.expected ? sql`returning l.id` : sql``}`);
  summary.written = result.rowCount ?? 0;
  if (options.expected) {
    // Only rows actually written report their crossings and stage moves.
    const written = new Set((result.rows as Array<{ id: string }>).map((r) => r.id));
    const moved = new Set(input.filter((x) => x.stage && written.has(x.id as string)).map((x) => x.id as string));
    events = events.filter((e) => written.has(e.lead_id));
    summary.crossings = events.filter((e) => e.type === 'score_threshold_crossed').length;
    summary.stageChanges = moved.size;
  }
  if (events.length) {
    await tx.execute(sql`
      insert into lead_events (tenant_id, id, lead_id, type, actor_type, actor_id, payload, occurred_at)
      select ${tenantId}::uuid, x.id, x.lead_id, x.type, 'system', 'scoring', x.payload, ${options.now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as x(id uuid, lead_id uuid, type text, payload jsonb)`);
  }
  return summary;
}
