/**
 * The predictive training job: the tenant's leads with a known outcome (stage customer = 1,
 * lost = 0) become flat rows (worker/pipeline/lead-view.ts: behaviour and owner as of the outcome,
 * post-outcome columns excluded), cross-validated and trained in a worker thread (training is
 * CPU-bound; the worker's event loop keeps running other jobs), with progress written to
 * predictive_models.progress. The model lands as 'ready'; a person switches it on in Settings.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { schema, type Database } from '../../db';
import { labelledCounts, requestTraining } from '../../app/models/predictive.server';
import { labelledDataStatus, type CrossValidationResult, type PredictiveModel } from '../scoring';
import { LABEL_COLUMN, outcomeOf, outcomeTime, POST_OUTCOME_FIELDS, predictiveRowOf, type PipelineEvent, type PipelineLead } from './lead-view';
import { LEAD_COLUMNS, loadEventsInRange } from './store.server';

export interface TrainingSummary {
  status: 'ready' | 'failed' | 'skipped';
  rows?: number;
  positives?: number;
  auc?: number;
  error?: string;
}

/** Labelled rows in keyset chunks (a tenant may have many closed leads). */
export async function labelledRows(db: Database, tenantId: string, chunkSize = 5000): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let after: string | null = null;
  for (;;) {
    const chunk: { leads: PipelineLead[]; events: Map<string, PipelineEvent[]> } = await db.withTenant(tenantId, async (tx) => {
      const leads = (
        await tx.execute<PipelineLead & Record<string, unknown>>(sql`
          select ${LEAD_COLUMNS} from leads
          where stage in ('customer', 'lost') ${after ? sql`and id > ${after}::uuid` : sql``}
          order by id limit ${chunkSize}`)
      ).rows;
      const events = leads.length ? await loadEventsInRange(tx, leads[0].id, leads[leads.length - 1].id) : new Map<string, PipelineEvent[]>();
      return { leads, events };
    });
    if (chunk.leads.length === 0) break;
    for (const lead of chunk.leads) {
      const events = chunk.events.get(lead.id) ?? [];
      const row = predictiveRowOf(lead, events, { outcomeAt: outcomeTime(lead, events) });
      row[LABEL_COLUMN] = String(outcomeOf(lead.stage));
      rows.push(row);
    }
    after = chunk.leads[chunk.leads.length - 1].id;
    if (chunk.leads.length < chunkSize) break;
  }
  return rows;
}

interface ThreadResult {
  cv: CrossValidationResult;
  model: PredictiveModel;
}

/** tsx's ESM API (package "exports" → import), resolved from this project's dependencies. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
}

function trainInThread(
  rows: Record<string, unknown>[],
  options: { exclude: string[]; folds: number; seed: number },
  onProgress: (fraction: number, message: string) => void,
): Promise<ThreadResult> {
  // The thread runs TypeScript through tsx's loader (a dependency), in tests and in production.
  const tsx = tsxEsmApi();
  const file = new URL('./train-thread.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); })`;
  const workerData = {
    rows,
    options: {
      label: LABEL_COLUMN,
      positive: '1',
      exclude: options.exclude,
      postOutcomeFields: [...POST_OUTCOME_FIELDS],
      folds: options.folds,
      seed: options.seed,
    },
  };
  return new Promise((resolve, reject) => {
    const thread = new Worker(boot, { eval: true, workerData });
    let settled = false;
    thread.on('message', (m: { type: string; fraction?: number; message?: string; cv?: CrossValidationResult; model?: PredictiveModel }) => {
      if (m.type === 'progress') onProgress(m.fraction ?? 0, m.message ?? '');
      else if (m.type === 'done') {
        settled = true;
        resolve({ cv: m.cv!, model: m.model! });
      } else if (m.type === 'error') {
        settled = true;
        reject(new Error(m.message));
      }
    });
    thread.on('error', (err) => {
      settled = true;
      reject(err);
    });
    thread.on('exit', (code) => {
      if (!settled) reject(new Error(`training thread exited with code ${code}`));
    });
  });
}

export async function trainPredictiveModel(
  db: Database,
  tenantId: string,
  modelId: string,
  options: { folds?: number; seed?: number; progressIntervalMs?: number } = {},
): Promise<TrainingSummary> {
  const m = schema.predictiveModels;
  const started = await db.withTenant(tenantId, async (tx) => {
    const [row] = await tx.select({ status: m.status, excludeFields: m.excludeFields }).from(m).where(eq(m.id, modelId)).for('update');
    // Already finished (a retry after success, or retired meanwhile): nothing to do.
    if (!row || (row.status !== 'queued' && row.status !== 'training')) return null;
    await tx.update(m).set({ status: 'training', progress: 0, progressMessage: 'Reading labelled leads', error: null }).where(eq(m.id, modelId));
    return row;
  });
  if (!started) return { status: 'skipped' };

  const fail = async (error: string): Promise<TrainingSummary> => {
    await db.withTenant(tenantId, (tx) =>
      tx.update(m).set({ status: 'failed', error, progressMessage: null, finishedAt: new Date() }).where(eq(m.id, modelId)),
    );
    return { status: 'failed', error };
  };

  const rows = await labelledRows(db, tenantId);
  const positives = rows.filter((r) => r[LABEL_COLUMN] === '1').length;
  const gate = labelledDataStatus(positives, rows.length - positives);
  if (!gate.offer) return fail(gate.reason ?? 'Not enough labelled data');

  // Progress: at most one write per interval, each its own short transaction, awaited in order.
  let lastWrite = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const interval = options.progressIntervalMs ?? 500;
  const onProgress = (fraction: number, message: string) => {
    const now = Date.now();
    if (now - lastWrite < interval) return;
    lastWrite = now;
    const progress = Math.min(0.99, Math.max(0, fraction));
    writing = writing.then(() =>
      db.withTenant(tenantId, (tx) =>
        tx.update(m).set({ progress, progressMessage: message.slice(0, 200) }).where(and(eq(m.id, modelId), eq(m.status, 'training'))),
      ),
    );
  };

  let result: ThreadResult;
  try {
    result = await trainInThread(rows, { exclude: started.excludeFields, folds: options.folds ?? 5, seed: options.seed ?? 1 }, onProgress);
  } catch (error) {
    await writing.catch(() => undefined);
    return fail(error instanceof Error ? error.message : String(error));
  } finally {
    await writing.catch(() => undefined);
  }
  const { cv, model } = result;
  const metrics = {
    auc: cv.auc,
    pooledAuc: cv.pooledAuc,
    foldAuc: cv.foldAuc,
    accuracy: cv.accuracy,
    logloss: cv.logloss,
    brier: cv.brier,
    n: cv.n,
    positives: cv.positives,
    folds: cv.folds,
    calibration: cv.calibration,
    excluded: cv.excluded,
    columns: model.columns.slice(0, 30),
    labelled: { positives, negatives: rows.length - positives },
  };
  await db.withTenant(tenantId, (tx) =>
    tx
      .update(m)
      .set({ status: 'ready', progress: 1, progressMessage: 'Trained', metrics, model, finishedAt: new Date() })
      .where(eq(m.id, modelId)),
  );
  return { status: 'ready', rows: rows.length, positives, auc: cv.auc };
}

/**
 * Nightly: trains a new candidate when the tenant has enough labelled leads and their number
 * changed since the last model (an unchanged data set would give the same model).
 */
export async function queueNightlyTraining(db: Database, tenantId: string): Promise<{ queued: boolean; reason: string }> {
  return db.withTenant(tenantId, async (tx) => {
    const counts = await labelledCounts(tx);
    const gate = labelledDataStatus(counts.positives, counts.negatives);
    if (!gate.offer) return { queued: false, reason: gate.reason ?? 'not enough labelled data' };
    const m = schema.predictiveModels;
    const [latest] = await tx
      .select({ metrics: m.metrics, excludeFields: m.excludeFields, status: m.status })
      .from(m)
      .where(ne(m.status, 'failed'))
      .orderBy(desc(m.createdAt))
      .limit(1);
    if (latest && (latest.status === 'queued' || latest.status === 'training')) return { queued: false, reason: 'a training run is pending' };
    const labelled = (latest?.metrics as { labelled?: { positives: number; negatives: number } } | null)?.labelled;
    if (labelled && labelled.positives === counts.positives && labelled.negatives === counts.negatives) {
      return { queued: false, reason: 'no new labelled leads' };
    }
    await requestTraining(tx, tenantId, { excludeFields: latest?.excludeFields ?? [], userId: null, reason: 'nightly' });
    return { queued: true, reason: 'new labelled leads' };
  });
}

/** Retire superseded candidates: keep the active model and the newest few. */
export async function pruneOldModels(db: Database, tenantId: string, keep = 5): Promise<number> {
  return db.withTenant(tenantId, async (tx) => {
    const m = schema.predictiveModels;
    const rows = await tx.select({ id: m.id }).from(m).where(inArray(m.status, ['ready', 'retired', 'failed'])).orderBy(desc(m.createdAt));
    const stale = rows.slice(keep).map((r) => r.id);
    if (stale.length === 0) return 0;
    await tx.delete(m).where(inArray(m.id, stale));
    return stale.length;
  });
}
