/**
 * L2-regularised logistic regression on a rich, sparse encoding of the features (scaled numeric
 * value + missing indicator + coarse quantile one-hot; one-hot levels; log counts for text
 * buckets), fitted with L-BFGS. Blended with the trees, it adds a smooth additive view that the
 * trees approximate only in steps.
 */
import { binOf, type FeatureSpec } from './features';

/** Coarse quantile groups per numeric feature (piecewise-constant shape on top of the slope). */
const COARSE_BINS = 8;
const CLIP = 5;

export interface LinearModel {
  intercept: number;
  weights: number[];
  lambda: number;
}

export interface LinearLayout {
  offsets: Int32Array;
  width: number;
}

export function linearLayout(specs: readonly FeatureSpec[]): LinearLayout {
  const offsets = new Int32Array(specs.length + 1);
  for (let f = 0; f < specs.length; f++) offsets[f + 1] = offsets[f] + linearWidth(specs[f]);
  return { offsets, width: offsets[specs.length] };
}

function linearWidth(spec: FeatureSpec): number {
  switch (spec.linear.kind) {
    case 'onehot':
      return spec.bins;
    case 'count':
      return 2;
    case 'scaled':
      return 2 + coarseCount(spec);
  }
}

function coarseCount(spec: FeatureSpec): number {
  return Math.min(COARSE_BINS, spec.bins - 1);
}

/**
 * Calls `emit(index, value)` for the non-zero linear inputs of one feature value. Shared by
 * training (CSR build) and prediction, so both see the same encoding.
 */
function emitFeature(spec: FeatureSpec, offset: number, value: number, emit: (index: number, value: number) => void): void {
  const linear = spec.linear;
  if (linear.kind === 'onehot') {
    emit(offset + value, 1);
    return;
  }
  if (Number.isNaN(value)) {
    emit(offset + 1, 1);
    return;
  }
  if (linear.kind === 'count') {
    if (value > 0) emit(offset, Math.log1p(value));
    return;
  }
  const t = linear.log ? Math.log1p(Math.max(0, value)) : value;
  const z = Math.max(-CLIP, Math.min(CLIP, (t - linear.mean) / linear.std));
  if (z !== 0) emit(offset, z);
  const coarse = coarseCount(spec);
  if (coarse > 0) {
    const bin = binOf(spec.edges as number[], value); // 1 .. bins-1
    const group = Math.min(coarse - 1, Math.floor(((bin - 1) * coarse) / (spec.bins - 1)));
    emit(offset + 2 + group, 1);
  }
}

export interface SparseRows {
  rowStart: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

/** Build the sparse design (CSR) for the given rows of the column-major encoded matrix. */
export function linearDesign(
  specs: readonly FeatureSpec[],
  layout: LinearLayout,
  matrix: readonly Float64Array[],
  rows: ArrayLike<number>,
): SparseRows {
  const rowStart = new Int32Array(rows.length + 1);
  const index: number[] = [];
  const value: number[] = [];
  const emit = (i: number, v: number) => {
    index.push(i);
    value.push(v);
  };
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    for (let f = 0; f < specs.length; f++) emitFeature(specs[f], layout.offsets[f], matrix[f][r], emit);
    rowStart[k + 1] = index.length;
  }
  return { rowStart, index: Int32Array.from(index), value: Float64Array.from(value) };
}

/** Logit of one encoded row. */
export function linearMargin(
  specs: readonly FeatureSpec[],
  layout: LinearLayout,
  model: LinearModel,
  values: Float64Array,
): number {
  let margin = model.intercept;
  const weights = model.weights;
  const emit = (i: number, v: number) => {
    margin += weights[i] * v;
  };
  for (let f = 0; f < specs.length; f++) emitFeature(specs[f], layout.offsets[f], values[f], emit);
  return margin;
}

export function sparseMargins(design: SparseRows, model: LinearModel): Float64Array {
  const n = design.rowStart.length - 1;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let m = model.intercept;
    for (let k = design.rowStart[r]; k < design.rowStart[r + 1]; k++) m += model.weights[design.index[k]] * design.value[k];
    out[r] = m;
  }
  return out;
}

/**
 * Minimise Σ wᵢ·logloss + (λ/2)‖β‖² (intercept not penalised) with L-BFGS. `start` warm-starts.
 */
export function fitLogistic(
  design: SparseRows,
  width: number,
  labels: Uint8Array,
  weights: Float64Array,
  lambda: number,
  start?: LinearModel,
  maxIterations = 150,
): LinearModel {
  const n = design.rowStart.length - 1;
  const dim = width + 1; // last slot is the intercept
  const x = new Float64Array(dim);
  if (start) {
    x.set(start.weights);
    x[width] = start.intercept;
  } else {
    let positive = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      positive += labels[i] * weights[i];
      total += weights[i];
    }
    const p = Math.min(1 - 1e-6, Math.max(1e-6, positive / total));
    x[width] = Math.log(p / (1 - p));
  }
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weights[i];
  // Work with the mean loss so the tolerances do not depend on n.
  const scale = 1 / totalWeight;

  const problem: LogisticProblem = { design, labels, weights, lambda, width, scale };
  lbfgs(problem, x, maxIterations);
  return { intercept: x[width], weights: Array.from(x.subarray(0, width)), lambda };
}

interface LogisticProblem {
  design: SparseRows;
  labels: Uint8Array;
  weights: Float64Array;
  lambda: number;
  width: number;
  scale: number;
}

/**
 * Mean penalised loss at `point`, gradient written into `gradient`. A top-level function rather
 * than a closure per fit, so V8 keeps its optimised code across fits (it is the hot loop).
 */
function evaluate(problem: LogisticProblem, point: Float64Array, gradient: Float64Array): number {
  const { labels, weights, lambda, width, scale } = problem;
  const { rowStart, index, value } = problem.design;
  const n = rowStart.length - 1;
  gradient.fill(0);
  let loss = 0;
  const b = point[width];
  for (let r = 0; r < n; r++) {
    let m = b;
    const end = rowStart[r + 1];
    for (let k = rowStart[r]; k < end; k++) m += point[index[k]] * value[k];
    const y = labels[r];
    // One exp for both the loss and the probability.
    const e = Math.exp(-Math.abs(m));
    const z = y === 1 ? -m : m;
    loss += weights[r] * (Math.max(z, 0) + Math.log1p(e));
    const p = m >= 0 ? 1 / (1 + e) : e / (1 + e);
    const g = weights[r] * (p - y);
    for (let k = rowStart[r]; k < end; k++) gradient[index[k]] += g * value[k];
    gradient[width] += g;
  }
  let penalty = 0;
  for (let j = 0; j < width; j++) {
    penalty += point[j] * point[j];
    gradient[j] += lambda * point[j];
  }
  for (let j = 0; j <= width; j++) gradient[j] *= scale;
  return (loss + 0.5 * lambda * penalty) * scale;
}

/** Limited-memory BFGS with Armijo backtracking; minimises in place, returns iterations used. */
function lbfgs(problem: LogisticProblem, x: Float64Array, maxIterations: number): number {
  const dim = x.length;
  const memory = 8;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const gradient = new Float64Array(dim);
  const nextGradient = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const candidate = new Float64Array(dim);
  const alpha = new Float64Array(memory);
  let loss = evaluate(problem, x, gradient);

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let gradNorm = 0;
    for (let j = 0; j < dim; j++) gradNorm = Math.max(gradNorm, Math.abs(gradient[j]));
    if (gradNorm < 1e-6) return iteration;

    // Two-loop recursion: direction = -H·g.
    for (let j = 0; j < dim; j++) direction[j] = -gradient[j];
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(s[k], direction);
      axpy(-alpha[k], y[k], direction);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
      for (let j = 0; j < dim; j++) direction[j] *= gamma;
    } else {
      const norm = Math.sqrt(dot(gradient, gradient));
      for (let j = 0; j < dim; j++) direction[j] /= Math.max(1, norm);
    }
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k] * dot(y[k], direction);
      axpy(alpha[k] - beta, s[k], direction);
    }

    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = 0;
      y.length = 0;
      rho.length = 0;
      for (let j = 0; j < dim; j++) direction[j] = -gradient[j];
      slope = dot(gradient, direction);
    }
    let step = 1;
    let nextLoss = Infinity;
    for (let attempt = 0; attempt < 30; attempt++) {
      for (let j = 0; j < dim; j++) candidate[j] = x[j] + step * direction[j];
      nextLoss = evaluate(problem, candidate, nextGradient);
      if (nextLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextLoss < loss)) return iteration;

    const sNew = new Float64Array(dim);
    const yNew = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      sNew[j] = candidate[j] - x[j];
      yNew[j] = nextGradient[j] - gradient[j];
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sNew);
      y.push(yNew);
      rho.push(1 / sy);
    }
    x.set(candidate);
    gradient.set(nextGradient);
    const improvement = loss - nextLoss;
    loss = nextLoss;
    if (improvement < 1e-8 * Math.max(1, Math.abs(loss))) return iteration;
  }
  return maxIterations;
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let j = 0; j < a.length; j++) total += a[j] * b[j];
  return total;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j] += a * x[j];
}
