/**
 * Predictive scoring per tenant (Settings → Predictive): the labelled-data gate, training requests
 * (the job does the work: worker/pipeline/training.server.ts), and switching a model on or off.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { uuidv7 } from '../../db/ids';
import { labelledDataStatus } from '../../worker/scoring';
import type { LabelledDataStatus } from '../../worker/scoring/model';
import { audit } from './audit.server';
import { queueRescore } from './scoring.server';

export type PredictiveModelRow = typeof schema.predictiveModels.$inferSelect;
export type PredictiveModelSummary = Omit<PredictiveModelRow, 'model'>;

export class NotEnoughLabelledDataError extends Error {
  constructor(public readonly status: LabelledDataStatus) {
    super(status.reason ?? 'Not enough labelled data');
    this.name = 'NotEnoughLabelledDataError';
  }
}

export async function labelledCounts(tx: Tx): Promise<{ positives: number; negatives: number }> {
  const rows = await tx.execute<{ positives: number; negatives: number }>(sql`
    select count(*) filter (where stage = 'customer')::int as positives, count(*) filter (where stage = 'lost')::int as negatives
    from leads where stage in ('customer', 'lost')`);
  return { positives: Number(rows.rows[0]?.positives ?? 0), negatives: Number(rows.rows[0]?.negatives ?? 0) };
}

export async function labelledStatus(tx: Tx): Promise<LabelledDataStatus> {
  const { positives, negatives } = await labelledCounts(tx);
  return labelledDataStatus(positives, negatives);
}

/** The tenant's models, newest first, without the (large) model JSON. */
export async function listPredictiveModels(tx: Tx, limit = 20): Promise<PredictiveModelSummary[]> {
  const m = schema.predictiveModels;
  return tx
    .select({
      tenantId: m.tenantId,
      id: m.id,
      status: m.status,
      progress: m.progress,
      progressMessage: m.progressMessage,
      excludeFields: m.excludeFields,
      metrics: m.metrics,
      error: m.error,
      createdBy: m.createdBy,
      createdAt: m.createdAt,
      finishedAt: m.finishedAt,
      activatedAt: m.activatedAt,
    })
    .from(m)
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(limit);
}

/**
 * Queues a training run (manual or nightly) in the caller's transaction. Refused below the
 * labelled-data minimum; a run already queued or training is returned instead of a second one.
 */
export async function requestTraining(
  tx: Tx,
  tenantId: string,
  input: { excludeFields: string[]; userId: string | null; reason?: 'manual' | 'nightly' },
): Promise<PredictiveModelSummary> {
  const status = await labelledStatus(tx);
  if (!status.offer) throw new NotEnoughLabelledDataError(status);
  const m = schema.predictiveModels;
  const [pending] = await tx.select({ id: m.id }).from(m).where(inArray(m.status, ['queued', 'training'])).limit(1);
  const id = pending?.id ?? uuidv7();
  if (!pending) {
    await tx.insert(m).values({
      tenantId,
      id,
      status: 'queued',
      excludeFields: [...new Set(input.excludeFields.map((f) => f.trim()).filter(Boolean))],
      createdBy: input.userId,
      progressMessage: input.reason === 'nightly' ? 'Queued (nightly)' : 'Queued',
    });
    await audit(tx, { tenantId, actorUserId: input.userId, action: 'predictive_model.training_requested', target: id, data: { reason: input.reason ?? 'manual' } });
    // One training at a time per worker (CPU-bound): a shared queue.
    await tx.execute(sql`
      select graphile_worker.add_job('train_predictive_model', json_build_object('tenantId', ${tenantId}::text, 'modelId', ${id}::text),
        queue_name => 'predictive-training', job_key => 'train:' || ${id}::text, max_attempts => 3)`);
  }
  const [row] = (await listPredictiveModels(tx, 50)).filter((r) => r.id === id);
  return row;
}

export class ModelNotReadyError extends Error {
  constructor() {
    super('Only a trained model (ready) can be switched on');
    this.name = 'ModelNotReadyError';
  }
}

/** Switches a trained model on (the previous active one is retired) and re-scores all leads. */
export async function activateModel(tx: Tx, tenantId: string, modelId: string, actorUserId: string | null): Promise<void> {
  const m = schema.predictiveModels;
  const [row] = await tx.select({ status: m.status }).from(m).where(eq(m.id, modelId)).for('update');
  if (!row || (row.status !== 'ready' && row.status !== 'retired')) throw new ModelNotReadyError();
  await tx.update(m).set({ status: 'retired' }).where(and(eq(m.status, 'active')));
  await tx.update(m).set({ status: 'active', activatedAt: new Date() }).where(eq(m.id, modelId));
  await audit(tx, { tenantId, actorUserId, action: 'predictive_model.activated', target: modelId });
  await queueRescore(tx, tenantId);
}

/** Switches predictive scoring off: predictions are cleared by the re-score. */
export async function deactivateModel(tx: Tx, tenantId: string, actorUserId: string | null): Promise<void> {
  const m = schema.predictiveModels;
  const rows = await tx.update(m).set({ status: 'retired' }).where(eq(m.status, 'active')).returning({ id: m.id });
  if (rows.length) {
    await audit(tx, { tenantId, actorUserId, action: 'predictive_model.deactivated', target: rows[0].id });
    await queueRescore(tx, tenantId);
  }
}
