/**
 * The tenant's rule-scoring model (Settings → Scoring) and scoring on demand (the CLI). The model
 * is validated by worker/scoring's zod schema; a tenant without one scores with the default.
 */
import { eq, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { defaultScoringModel, scoringModelSchema, type ScoringModel, type ScoringModelInput } from '../../worker/scoring';
import { scoreLeadForPipeline } from '../../worker/pipeline/scoring';
import { loadEvents, loadLeads, loadScoringConfig } from '../../worker/pipeline/store.server';
import { audit } from './audit.server';

export interface StoredScoringModel {
  model: ScoringModel;
  isDefault: boolean;
  updatedAt: Date | null;
}

export async function getScoringModel(tx: Tx): Promise<StoredScoringModel> {
  const [row] = await tx.select().from(schema.scoringModels).limit(1);
  if (!row) return { model: defaultScoringModel, isDefault: true, updatedAt: null };
  const parsed = scoringModelSchema.safeParse(row.model);
  return { model: parsed.success ? parsed.data : defaultScoringModel, isDefault: !parsed.success, updatedAt: row.updatedAt };
}

/**
 * Queues a re-score of all the tenant's leads in the caller's transaction (so it runs only if the
 * change commits). One pending job per tenant: saving the model twice re-scores once.
 */
export async function queueRescore(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`
    select graphile_worker.add_job('rescore_tenant', json_build_object('tenantId', ${tenantId}::text),
      queue_name => 'rescore:' || ${tenantId}::text, run_at => now() + interval '1 second',
      job_key => 'rescore:' || ${tenantId}::text, job_key_mode => 'replace', max_attempts => 5)`);
}

export async function saveScoringModel(tx: Tx, tenantId: string, input: ScoringModelInput, actorUserId: string | null): Promise<ScoringModel> {
  const model = scoringModelSchema.parse(input);
  await tx
    .insert(schema.scoringModels)
    .values({ tenantId, model, updatedBy: actorUserId })
    .onConflictDoUpdate({ target: schema.scoringModels.tenantId, set: { model, updatedBy: actorUserId, updatedAt: new Date() } });
  await audit(tx, { tenantId, actorUserId, action: 'scoring_model.updated', data: { fitRules: model.fitRules.length, thresholds: model.thresholds.length } });
  await queueRescore(tx, tenantId);
  return model;
}

export async function resetScoringModel(tx: Tx, tenantId: string, actorUserId: string | null): Promise<void> {
  await tx.delete(schema.scoringModels).where(eq(schema.scoringModels.tenantId, tenantId));
  await audit(tx, { tenantId, actorUserId, action: 'scoring_model.reset' });
  await queueRescore(tx, tenantId);
}

/**
 * Scores one lead now with the tenant's current model (nothing is written): the score, grade and
 * every contribution (they sum to the score), the prediction, and what is stored on the lead.
 */
export async function explainLeadScore(tx: Tx, leadId: string, now: Date = new Date()) {
  const [lead] = await loadLeads(tx, [leadId]);
  if (!lead) return null;
  const events = (await loadEvents(tx, [leadId])).get(leadId) ?? [];
  const config = await loadScoringConfig(tx);
  const result = scoreLeadForPipeline(config.scorer, config.predictive, lead, events, now.getTime());
  return {
    leadId,
    score: result.score,
    grade: result.grade,
    predictedProbability: result.probability,
    contributions: result.explanation,
    computedAt: now.toISOString(),
    stored: { score: lead.score, scoredAt: lead.scoredAt ? new Date(lead.scoredAt).toISOString() : null },
  };
}
