/**
 * Per-tenant predictive lead scoring: a model trained on the tenant's own leads with known
 * outcomes (converted vs lost).
 *
 * Design (see also README.md in this folder):
 * - Features are inferred and encoded from the training rows only (features.ts); columns that
 *   predict the outcome almost perfectly on their own are treated as leaks and left out.
 * - Two learners on the same features: histogram gradient-boosted trees (gbdt.ts) and an
 *   L2 logistic regression on a rich sparse encoding (logistic.ts). An inner stratified split
 *   early-stops the trees, picks the regularisation of the linear model and the blend weight
 *   of the two margins, then both are refitted on all training rows.
 * - Class imbalance: the minority class is up-weighted by √(majority/minority) (≤ 10) in
 *   training; Platt scaling fitted on the held-out inner split (unweighted) maps the blended
 *   margin back to a calibrated probability.
 * - The result is plain JSON (store it in JSONB); `predict` compiles it lazily.
 */
import {
  cellText,
  detectLeakage,
  encodeMatrix,
  encodeRow,
  featureBin,
  fitFeatureEncoder,
  withoutColumns,
  type ColumnKind,
  type ExcludedColumn,
  type FeatureEncoder,
  type Row,
} from './features';
import {
  binColumns,
  compileGbdt,
  defaultGbdtParams,
  trainGbdt,
  type CompiledGbdt,
  type GbdtModel,
  type GbdtParams,
} from './gbdt';
import {
  fitLogistic,
  linearDesign,
  linearLayout,
  linearMargin,
  sparseMargins,
  type LinearLayout,
  type LinearModel,
} from './logistic';
import { accuracy, auc, brierScore, calibrationBins, logLoss, stratifiedFolds, type CalibrationBin } from './metrics';
import { createPrng } from './prng';

// ---------------------------------------------------------------------------------------------
// Labelled-data gate and labels
// ---------------------------------------------------------------------------------------------

/** Below this many converted and lost leads, the model is not offered to the tenant. */
export const MINIMUM_LABELLED_DATA = { positives: 50, negatives: 50 } as const;

export interface LabelledDataStatus {
  offer: boolean;
  positives: number;
  negatives: number;
  /** Why it is not offered yet, for the Settings page. */
  reason: string | null;
}

export function labelledDataStatus(positives: number, negatives: number): LabelledDataStatus {
  const missingPositives = Math.max(0, MINIMUM_LABELLED_DATA.positives - positives);
  const missingNegatives = Math.max(0, MINIMUM_LABELLED_DATA.negatives - negatives);
  const parts: string[] = [];
  if (missingPositives > 0) parts.push(`${missingPositives} more converted lead${missingPositives === 1 ? '' : 's'}`);
  if (missingNegatives > 0) parts.push(`${missingNegatives} more lost lead${missingNegatives === 1 ? '' : 's'}`);
  return {
    offer: parts.length === 0,
    positives,
    negatives,
    reason: parts.length === 0 ? null : `Predictive scoring needs ${parts.join(' and ')} with a known outcome.`,
  };
}

/** Label values taken as the positive class when none is given (case-insensitive). */
export const DEFAULT_POSITIVE_VALUES: readonly string[] = [
  '1',
  'true',
  'yes',
  'y',
  't',
  'converted',
  'won',
  'win',
  'positive',
  'success',
];

export class LabelError extends Error {
  override name = 'LabelError';
}

function labelKey(value: unknown): string | null {
  const text = cellText(value);
  if (text === null) return null;
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? String(number) : text.toLowerCase();
}

export interface ResolvedLabels {
  /** Rows with a label, in input order. */
  rows: Row[];
  labels: Uint8Array;
  positive: string;
}

/**
 * Turn the label column into 0/1. Rows without a label are skipped. Without `positive`, a
 * two-valued label whose values include one of DEFAULT_POSITIVE_VALUES is accepted; anything
 * else is an error that says what to pass.
 */
export function resolveLabels(rows: readonly Row[], label: string, positive?: string): ResolvedLabels {
  const keys: (string | null)[] = rows.map((row) => labelKey(row[label]));
  const distinct = new Map<string, number>();
  for (const key of keys) if (key !== null) distinct.set(key, (distinct.get(key) ?? 0) + 1);
  if (distinct.size === 0) throw new LabelError(`Label column "${label}" is missing or empty`);
  let positiveKey: string;
  if (positive !== undefined) {
    positiveKey = labelKey(positive) ?? '';
    if (!distinct.has(positiveKey)) {
      throw new LabelError(`No row has "${positive}" in label column "${label}" (values: ${describeValues(distinct)})`);
    }
  } else {
    const matches = [...distinct.keys()].filter((key) => DEFAULT_POSITIVE_VALUES.includes(key));
    if (distinct.size !== 2 || matches.length !== 1) {
      const problem = distinct.size !== 2 ? `has ${distinct.size} distinct values` : 'has no recognisable positive value';
      throw new LabelError(
        `Label column "${label}" ${problem} (${describeValues(distinct)}); pass the positive value explicitly (--positive <value>)`,
      );
    }
    positiveKey = matches[0];
  }
  const kept: Row[] = [];
  const labels: number[] = [];
  keys.forEach((key, i) => {
    if (key === null) return;
    kept.push(rows[i]);
    labels.push(key === positiveKey ? 1 : 0);
  });
  if (labels.every((y) => y === 1)) throw new LabelError(`Every labelled row is positive in "${label}"`);
  return { rows: kept, labels: Uint8Array.from(labels), positive: positiveKey };
}

function describeValues(distinct: Map<string, number>): string {
  const shown = [...distinct.keys()].slice(0, 5).map((v) => `"${v}"`);
  return distinct.size > 5 ? `${shown.join(', ')}, …` : shown.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

export type TrainingPhase = 'encoding' | 'leakage' | 'trees' | 'linear' | 'calibration' | 'refit' | 'done';

export interface TrainingProgress {
  phase: TrainingPhase;
  /** 0–1 over the whole job. */
  fraction: number;
  message: string;
}

export interface TrainOptions {
  label: string;
  /** Positive label value; see resolveLabels for the default. */
  positive?: string;
  /** Columns never to use (tenant setting / CLI --exclude). */
  exclude?: readonly string[];
  /** Fields only filled after the outcome is known (always excluded). */
  postOutcomeFields?: readonly string[];
  seed?: number;
  /** Single-column AUC above which a column is excluded as a suspected leak. Default 0.97. */
  leakageThreshold?: number;
  /** Share of training rows held out for early stopping, blending and calibration. Default 0.2. */
  validationFraction?: number;
  /** Refit on all rows after model selection (default true). */
  refit?: boolean;
  /** Which learners to use: the blend (default), or one alone (benchmarks, comparisons). */
  learners?: 'blend' | 'trees' | 'linear';
  gbdt?: Partial<GbdtParams>;
  onProgress?: (progress: TrainingProgress) => void;
}

export interface PredictiveModel {
  format: 'leadflow.predictive';
  version: 1;
  label: string;
  positive: string;
  encoder: FeatureEncoder;
  gbdt: GbdtModel;
  linear: LinearModel;
  /** Weight of the trees' margin in the blend; the linear model gets 1 - blend. */
  blend: number;
  /** Platt scaling: probability = 1 / (1 + exp(-(a · margin + b))). */
  calibration: { a: number; b: number };
  excluded: ExcludedColumn[];
  columns: { column: string; kind: ColumnKind; importance: number }[];
  training: {
    rows: number;
    positives: number;
    rounds: number;
    positiveWeight: number;
    negativeWeight: number;
    validationAuc: number;
  };
}

/** Train on rows with a known outcome (rows without a label are ignored). */
export function trainModel(rows: readonly Row[], options: TrainOptions): PredictiveModel {
  const resolved = resolveLabels(rows, options.label, options.positive);
  return trainLabelled(resolved.rows, resolved.labels, resolved.positive, options);
}

const BLEND_WEIGHTS = [0, 0.25, 0.5, 0.75, 1];
const LAMBDAS = [1, 10, 100];

function trainLabelled(rows: readonly Row[], labels: Uint8Array, positive: string, options: TrainOptions): PredictiveModel {
  const seed = options.seed ?? 1;
  const report = (phase: TrainingPhase, fraction: number, message: string) =>
    options.onProgress?.({ phase, fraction: Math.min(1, Math.max(0, fraction)), message });
  const params: GbdtParams = { ...defaultGbdtParams, ...options.gbdt };
  const n = rows.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const negatives = n - positives;
  if (positives < 2 || negatives < 2) throw new LabelError('Training needs at least two rows of each outcome');

  // 1. Encode (types, levels and bins from these rows only).
  report('encoding', 0, 'Inferring column types');
  const columns = columnNames(rows).filter((c) => c !== options.label);
  const fitted = fitFeatureEncoder(rows, columns, { exclude: options.exclude, postOutcomeFields: options.postOutcomeFields });
  let encoder = fitted.encoder;
  let matrix = encodeMatrix(encoder, rows);

  // 2. Leakage guard.
  report('leakage', 0.05, 'Checking for columns that leak the outcome');
  const leaks = detectLeakage(encoder, matrix, labels, { threshold: options.leakageThreshold, seed });
  if (leaks.length > 0) {
    const drop = new Set(leaks.map((l) => l.column));
    const keep = encoder.features.map((f, i) => (drop.has(f.column) ? -1 : i)).filter((i) => i >= 0);
    encoder = withoutColumns(encoder, drop);
    matrix = keep.map((i) => matrix[i]);
  }
  const excluded = [...fitted.excluded, ...leaks];
  const specs = encoder.features;
  const bins = binColumns(specs, matrix, featureBin);

  // 3. Class weights.
  const minorityIsPositive = positives <= negatives;
  const minorityWeight = Math.min(10, Math.sqrt(Math.max(positives, negatives) / Math.min(positives, negatives)));
  const positiveWeight = minorityIsPositive ? minorityWeight : 1;
  const negativeWeight = minorityIsPositive ? 1 : minorityWeight;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = labels[i] === 1 ? positiveWeight : negativeWeight;

  // 4. Inner stratified split for model selection and calibration.
  const { train, validation } = innerSplit(labels, options.validationFraction ?? 0.2, seed);
  const subset = (indices: Uint32Array) => ({
    bins: bins.map((column) => pick(column, indices)),
    labels: pick(labels, indices),
    weights: pick(weights, indices),
  });
  const trainSet = subset(train);
  const validationSet = subset(validation);
  const refit = options.refit ?? true;
  const treeShare = refit ? 0.4 : 0.75;

  report('trees', 0.1, 'Training gradient-boosted trees');
  const selection = trainGbdt(specs, trainSet, validationSet, params, seed, (round, max) => {
    if (round % 25 === 0) report('trees', 0.1 + treeShare * (round / max), `Tree ${round}`);
  });
  const treeMargins = selection.validationMargins as Float64Array;

  report('linear', 0.1 + treeShare, 'Fitting the linear model');
  const layout = linearLayout(specs);
  const trainDesign = linearDesign(specs, layout, matrix, train);
  const validationDesign = linearDesign(specs, layout, matrix, validation);
  let bestLinear: LinearModel | null = null;
  let bestLinearLoss = Infinity;
  let bestLinearMargins: Float64Array = new Float64Array(validation.length);
  let warm: LinearModel | undefined;
  for (const lambda of [...LAMBDAS].reverse()) {
    const model = fitLogistic(trainDesign, layout.width, trainSet.labels, trainSet.weights, lambda, warm);
    warm = model;
    const margins = sparseMargins(validationDesign, model);
    const loss = weightedMarginLoss(margins, validationSet.labels, validationSet.weights);
    if (loss < bestLinearLoss) {
      bestLinearLoss = loss;
      bestLinear = model;
      bestLinearMargins = margins;
    }
  }

  // 5. Blend weight by validation AUC (ties → the more even blend), then Platt scaling.
  report('calibration', 0.15 + treeShare, 'Calibrating probabilities');
  const validationLabels = validationSet.labels;
  const blended = new Float64Array(validation.length);
  const scoreBlend = (w: number) => {
    for (let i = 0; i < blended.length; i++) blended[i] = w * treeMargins[i] + (1 - w) * bestLinearMargins[i];
    return auc(blended, validationLabels);
  };
  const candidates = options.learners === 'trees' ? [1] : options.learners === 'linear' ? [0] : BLEND_WEIGHTS;
  const blendAucs = candidates.map(scoreBlend);
  const topAuc = Math.max(...blendAucs.map((a) => (Number.isNaN(a) ? -1 : a)));
  let blend = candidates[0];
  for (let k = 0; k < candidates.length; k++) {
    if (blendAucs[k] >= topAuc - 0.002 && Math.abs(candidates[k] - 0.5) < Math.abs(blend - 0.5)) blend = candidates[k];
  }
  const validationAuc = scoreBlend(blend);
  const calibration = plattScaling(blended, validationLabels);

  // 6. Refit both learners on all rows with the selected settings.
  let gbdt = selection.model;
  let linear = bestLinear as LinearModel;
  let importance = selection.importance;
  if (refit) {
    report('refit', 0.2 + treeShare, 'Refitting on all rows');
    const rounds = Math.max(1, Math.round(selection.rounds * 1.1));
    const all = trainGbdt(
      specs,
      { bins, labels, weights },
      null,
      params,
      seed + 1,
      (round) => {
        if (round % 25 === 0) report('refit', 0.2 + treeShare + (0.75 - treeShare) * (round / rounds), `Tree ${round}`);
      },
      rounds,
    );
    gbdt = all.model;
    importance = all.importance;
    const allRows = Uint32Array.from({ length: n }, (_, i) => i);
    linear = fitLogistic(linearDesign(specs, layout, matrix, allRows), layout.width, labels, weights, linear.lambda, linear);
  }

  report('done', 1, 'Done');
  return {
    format: 'leadflow.predictive',
    version: 1,
    label: options.label,
    positive,
    encoder,
    gbdt,
    linear,
    blend,
    calibration,
    excluded,
    columns: columnImportance(encoder, importance),
    training: { rows: n, positives, rounds: gbdt.trees.length, positiveWeight, negativeWeight, validationAuc },
  };
}

function columnNames(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

function columnImportance(encoder: FeatureEncoder, importance: Float64Array): PredictiveModel['columns'] {
  const byColumn = new Map<string, number>();
  encoder.features.forEach((f, i) => byColumn.set(f.column, (byColumn.get(f.column) ?? 0) + importance[i]));
  const total = [...byColumn.values()].reduce((a, b) => a + b, 0) || 1;
  return encoder.columns
    .map((c) => ({ column: c.column, kind: c.kind, importance: Math.round(((byColumn.get(c.column) ?? 0) / total) * 1e4) / 1e4 }))
    .sort((a, b) => b.importance - a.importance);
}

function innerSplit(labels: Uint8Array, fraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } {
  const prng = createPrng(seed * 7919 + 17);
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [1, 0]) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) members.push(i);
    prng.shuffle(members);
    const held = Math.max(1, Math.round(members.length * fraction));
    members.forEach((row, k) => (k < held ? validation : train).push(row));
  }
  const sort = (a: number[]) => Uint32Array.from(a.sort((x, y) => x - y));
  return { train: sort(train), validation: sort(validation) };
}

function pick<T extends Uint8Array | Float64Array>(source: T, indices: Uint32Array): T {
  const out = new (source.constructor as new (n: number) => T)(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = source[indices[k]];
  return out;
}

function weightedMarginLoss(margins: Float64Array, labels: Uint8Array, weights: Float64Array): number {
  let total = 0;
  let weight = 0;
  for (let i = 0; i < margins.length; i++) {
    const z = labels[i] === 1 ? -margins[i] : margins[i];
    total += weights[i] * (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    weight += weights[i];
  }
  return total / weight;
}

/**
 * Platt scaling by Newton's method on held-out margins, with Platt's smoothed targets so a small
 * validation set cannot push probabilities to exactly 0 or 1.
 */
export function plattScaling(margins: ArrayLike<number>, labels: ArrayLike<number>): { a: number; b: number } {
  const n = margins.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const negatives = n - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  let a = 1;
  let b = 0;
  const loss = (a_: number, b_: number) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = labels[i] === 1 ? hi : lo;
      const m = a_ * margins[i] + b_;
      const logP = m >= 0 ? -Math.log1p(Math.exp(-m)) : m - Math.log1p(Math.exp(m));
      const log1mP = m >= 0 ? -m - Math.log1p(Math.exp(-m)) : -Math.log1p(Math.exp(m));
      total -= t * logP + (1 - t) * log1mP;
    }
    return total;
  };
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const t = labels[i] === 1 ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * margins[i] + b)));
      const d = p - t;
      const w = p * (1 - p);
      gA += d * margins[i];
      gB += d;
      hAA += w * margins[i] * margins[i];
      hAB += w * margins[i];
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    if (Math.abs(gA) + Math.abs(gB) < 1e-9 || det <= 0) break;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (hAA * gB - hAB * gA) / det;
    let step = 1;
    let next = Infinity;
    while (step > 1e-8) {
      next = loss(a - step * dA, b - step * dB);
      if (next <= current) break;
      step /= 2;
    }
    if (!(next <= current)) break;
    a -= step * dA;
    b -= step * dB;
    const improvement = current - next;
    current = next;
    if (improvement < 1e-12) break;
  }
  return { a, b };
}

// ---------------------------------------------------------------------------------------------
// Prediction
// ---------------------------------------------------------------------------------------------

interface CompiledModel {
  gbdt: CompiledGbdt;
  layout: LinearLayout;
  values: Float64Array;
}
const compiledModels = new WeakMap<PredictiveModel, CompiledModel>();

function compiledFor(model: PredictiveModel): CompiledModel {
  let compiled = compiledModels.get(model);
  if (!compiled) {
    if (model.format !== 'leadflow.predictive' || model.version !== 1) throw new Error('Unsupported predictive model format');
    compiled = {
      gbdt: compileGbdt(model.gbdt),
      layout: linearLayout(model.encoder.features),
      values: new Float64Array(model.encoder.features.length),
    };
    compiledModels.set(model, compiled);
  }
  return compiled;
}

/** Blended, uncalibrated margin of one row (log-odds scale). */
export function predictMargin(model: PredictiveModel, row: Row): number {
  const compiled = compiledFor(model);
  encodeRow(model.encoder, row, compiled.values);
  const trees = compiled.gbdt.margin(compiled.values);
  const linear = linearMargin(model.encoder.features, compiled.layout, model.linear, compiled.values);
  return model.blend * trees + (1 - model.blend) * linear;
}

/** Calibrated probability that the lead converts. `row` uses the training column names. */
export function predict(model: PredictiveModel, row: Row): number {
  const m = predictMargin(model, row);
  return 1 / (1 + Math.exp(-(model.calibration.a * m + model.calibration.b)));
}

// ---------------------------------------------------------------------------------------------
// Cross-validation
// ---------------------------------------------------------------------------------------------

export interface CrossValidationOptions extends TrainOptions {
  /** Default 5. */
  folds?: number;
}

export interface CrossValidationResult {
  /** Mean of the per-fold AUCs. */
  auc: number;
  /** Accuracy of the calibrated probability at 0.5, over all out-of-fold predictions. */
  accuracy: number;
  logloss: number;
  n: number;
  positives: number;
  folds: number;
  foldAuc: number[];
  /** AUC of all out-of-fold predictions pooled. */
  pooledAuc: number;
  brier: number;
  calibration: CalibrationBin[];
  /** Columns left out, with how many folds left each out (leak suspicion is per fold). */
  excluded: { column: string; reason: string; folds: number }[];
}

/**
 * Stratified k-fold cross-validation of the whole training procedure: encoding, leakage guard,
 * model selection and calibration all run on the training folds only.
 */
export function crossValidate(rows: readonly Row[], options: CrossValidationOptions): CrossValidationResult {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 1;
  const resolved = resolveLabels(rows, options.label, options.positive);
  const { labels } = resolved;
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  if (positives < folds || n - positives < folds) {
    throw new LabelError(`Cross-validation with ${folds} folds needs at least ${folds} rows of each outcome`);
  }
  const assignment = stratifiedFolds(labels, folds, seed);
  const probabilities = new Float64Array(n);
  const foldAuc: number[] = [];
  const excludedCounts = new Map<string, { reason: string; folds: number }>();

  for (let fold = 0; fold < folds; fold++) {
    const trainRows: Row[] = [];
    const trainLabels: number[] = [];
    const testIndices: number[] = [];
    for (let i = 0; i < n; i++) {
      if (assignment[i] === fold) testIndices.push(i);
      else {
        trainRows.push(resolved.rows[i]);
        trainLabels.push(labels[i]);
      }
    }
    const model = trainLabelled(trainRows, Uint8Array.from(trainLabels), resolved.positive, {
      ...options,
      seed: seed + fold,
      onProgress: options.onProgress
        ? (p) =>
            options.onProgress?.({
              ...p,
              fraction: (fold + p.fraction) / folds,
              message: `Fold ${fold + 1}/${folds}: ${p.message}`,
            })
        : undefined,
    });
    const foldScores = new Float64Array(testIndices.length);
    const foldLabels = new Uint8Array(testIndices.length);
    testIndices.forEach((row, k) => {
      foldScores[k] = predict(model, resolved.rows[row]);
      foldLabels[k] = labels[row];
      probabilities[row] = foldScores[k];
    });
    foldAuc.push(auc(foldScores, foldLabels));
    for (const e of model.excluded) {
      const entry = excludedCounts.get(e.column);
      if (entry) entry.folds++;
      else excludedCounts.set(e.column, { reason: e.reason, folds: 1 });
    }
  }

  return {
    auc: round4(foldAuc.reduce((a, b) => a + b, 0) / folds),
    accuracy: round4(accuracy(probabilities, labels)),
    logloss: round4(logLoss(probabilities, labels)),
    n,
    positives,
    folds,
    foldAuc: foldAuc.map(round4),
    pooledAuc: round4(auc(probabilities, labels)),
    brier: round4(brierScore(probabilities, labels)),
    calibration: calibrationBins(probabilities, labels),
    excluded: [...excludedCounts].map(([column, e]) => ({ column, reason: e.reason, folds: e.folds })),
  };
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
