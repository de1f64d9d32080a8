/**
 * Histogram gradient-boosted decision trees for binary classification (logistic loss), in the
 * spirit of LightGBM: features pre-binned to ≤ 256 bins, trees grown leaf-wise (best gain first)
 * under leaf / depth limits, histogram subtraction for siblings, learned direction for missing
 * values, native categorical splits (categories ordered by gradient ratio), shrinkage, L2 on leaf
 * values, row and column subsampling with a seeded PRNG, early stopping on a validation set.
 */
import type { FeatureSpec } from './features';
import { createPrng } from './prng';

export interface GbdtParams {
  learningRate: number;
  maxRounds: number;
  maxLeaves: number;
  maxDepth: number;
  minDataInLeaf: number;
  minHessianInLeaf: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Share of rows drawn (without replacement) for each tree. */
  subsample: number;
  /** Share of features offered to each tree. */
  colsample: number;
  /** Stop after this many rounds without a better validation loss. */
  earlyStoppingRounds: number;
  /** Categorical splits: smoothing of the gradient ratio, extra L2, minimum rows per category. */
  catSmooth: number;
  catL2: number;
  minDataPerCategory: number;
  maxCatThreshold: number;
  minGainToSplit: number;
}

export const defaultGbdtParams: GbdtParams = {
  learningRate: 0.05,
  maxRounds: 1500,
  maxLeaves: 16,
  maxDepth: 6,
  minDataInLeaf: 20,
  minHessianInLeaf: 1e-3,
  lambda: 1,
  subsample: 0.8,
  colsample: 0.8,
  earlyStoppingRounds: 60,
  catSmooth: 10,
  catL2: 10,
  minDataPerCategory: 10,
  maxCatThreshold: 32,
  minGainToSplit: 0,
};

/**
 * Serialisable tree: node i is a leaf when feature[i] === -1 (value[i] is its output). Numeric
 * nodes send a row left when value <= threshold[i] (missing: left when missingLeft[i] === 1);
 * categorical nodes send it left when its level code is in categories[i] (0 = missing).
 */
export interface GbdtTree {
  feature: number[];
  threshold: number[];
  missingLeft: number[];
  categories: (number[] | null)[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GbdtModel {
  init: number;
  trees: GbdtTree[];
}

export interface GbdtTrainData {
  /** One bin array per feature (same order as specs), all of length rows. */
  bins: readonly Uint8Array[];
  labels: Uint8Array;
  weights: Float64Array;
}

export interface GbdtFitResult {
  model: GbdtModel;
  /** Rounds kept (best validation round when a validation set was given). */
  rounds: number;
  /** Validation margins of the kept model, when a validation set was given. */
  validationMargins: Float64Array | null;
  /** Total split gain per feature. */
  importance: Float64Array;
}

interface Split {
  gain: number;
  feature: number;
  /** Numeric: left when bin <= binThreshold (bin > 0). */
  binThreshold: number;
  missingLeft: boolean;
  /** Categorical: mask over bins, 1 = left. */
  categoryMask: Uint8Array | null;
  leftG: number;
  leftH: number;
  leftCount: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
  count: number;
  depth: number;
  hist: Float64Array;
  best: Split | null;
}

/** Bin every feature column (values from encodeMatrix) for training. */
export function binColumns(
  specs: readonly FeatureSpec[],
  matrix: readonly Float64Array[],
  binOfValue: (spec: FeatureSpec, v: number) => number,
): Uint8Array[] {
  return specs.map((spec, f) => {
    const values = matrix[f];
    const bins = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) bins[i] = binOfValue(spec, values[i]);
    return bins;
  });
}

/**
 * Train on `train` (optionally early-stopping on `validation`). Deterministic for a given seed.
 * `onRound(round, maxRounds)` reports progress; `fixedRounds` trains exactly that many trees.
 */
export function trainGbdt(
  specs: readonly FeatureSpec[],
  train: GbdtTrainData,
  validation: GbdtTrainData | null,
  params: GbdtParams,
  seed: number,
  onRound?: (round: number, maxRounds: number) => void,
  fixedRounds?: number,
): GbdtFitResult {
  const n = train.labels.length;
  const featureCount = specs.length;
  const prng = createPrng(seed);
  const { labels, weights } = train;

  let positiveWeight = 0;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) {
    totalWeight += weights[i];
    positiveWeight += labels[i] * weights[i];
  }
  const base = Math.min(1 - 1e-6, Math.max(1e-6, positiveWeight / totalWeight));
  const init = Math.log(base / (1 - base));

  const grower = new TreeGrower(specs, train.bins, params);
  const scores = new Float64Array(n).fill(init);
  const validationScores = validation ? new Float64Array(validation.labels.length).fill(init) : null;
  const trees: TrainedTree[] = [];
  let bestLoss = Infinity;
  let bestRound = 0;
  const maxRounds = fixedRounds ?? params.maxRounds;
  const featureOrder = Int32Array.from({ length: featureCount }, (_, f) => f);
  const featureTake = Math.max(1, Math.round(params.colsample * featureCount));

  for (let round = 0; round < maxRounds && featureCount > 0; round++) {
    const { grad, hess, rowIndex } = grower;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]));
      grad[i] = (p - labels[i]) * weights[i];
      hess[i] = Math.max(p * (1 - p), 1e-16) * weights[i];
    }
    let sampled = 0;
    if (params.subsample >= 1) {
      for (let i = 0; i < n; i++) rowIndex[sampled++] = i;
    } else {
      for (let i = 0; i < n; i++) if (prng.next() < params.subsample) rowIndex[sampled++] = i;
    }
    prng.shuffle(featureOrder);
    const features = Int32Array.from(featureOrder.subarray(0, featureTake)).sort();

    const tree = grower.grow(sampled, features);
    trees.push(tree);
    applyTree(tree, train.bins, scores);
    if (validation && validationScores) {
      applyTree(tree, validation.bins, validationScores);
      const loss = weightedLogLoss(validationScores, validation.labels, validation.weights);
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        bestRound = round + 1;
      } else if (round + 1 - bestRound >= params.earlyStoppingRounds) {
        break;
      }
    } else {
      bestRound = round + 1;
    }
    onRound?.(round + 1, maxRounds);
  }

  const kept = trees.slice(0, validation ? bestRound : trees.length);
  const importance = new Float64Array(featureCount);
  for (const tree of kept) for (let f = 0; f < featureCount; f++) importance[f] += tree.gains[f];
  let validationMargins: Float64Array | null = null;
  if (validation) {
    validationMargins = new Float64Array(validation.labels.length).fill(init);
    for (const tree of kept) applyTree(tree, validation.bins, validationMargins);
  }
  return {
    model: { init, trees: kept.map((tree) => serialiseTree(tree, specs)) },
    rounds: kept.length,
    validationMargins,
    importance,
  };
}

/** A tree as grown: bin thresholds and category masks, for applying it to binned rows. */
interface TrainedTree {
  feature: number[];
  binThreshold: number[];
  missingLeft: number[];
  masks: (Uint8Array | null)[];
  left: number[];
  right: number[];
  value: number[];
  gains: Float64Array;
}

/**
 * Grows one tree at a time on shared buffers (gradients, row partition, histogram pool), so a
 * boosting run allocates almost nothing per round.
 */
class TreeGrower {
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly rowIndex: Uint32Array;
  private readonly scratch: Uint32Array;
  private readonly orderedG: Float64Array;
  private readonly orderedH: Float64Array;
  private readonly offsets: Int32Array;
  private readonly histSize: number;
  private readonly histPool: Float64Array[] = [];
  private readonly isCategorical: Uint8Array;
  private readonly binCounts: Int32Array;
  private readonly categoryOrder: Int32Array;
  private readonly categoryRatio: Float64Array;
  private features: Int32Array = new Int32Array(0);

  constructor(
    private readonly specs: readonly FeatureSpec[],
    private readonly bins: readonly Uint8Array[],
    private readonly params: GbdtParams,
  ) {
    const n = bins.length > 0 ? bins[0].length : 0;
    this.grad = new Float64Array(n);
    this.hess = new Float64Array(n);
    this.rowIndex = new Uint32Array(n);
    this.scratch = new Uint32Array(n);
    this.orderedG = new Float64Array(n);
    this.orderedH = new Float64Array(n);
    // Histogram layout: feature f occupies bins offsets[f] .. offsets[f+1], 3 slots (g, h, count) each.
    this.offsets = new Int32Array(specs.length + 1);
    for (let f = 0; f < specs.length; f++) this.offsets[f + 1] = this.offsets[f] + specs[f].bins;
    this.histSize = this.offsets[specs.length] * 3;
    this.isCategorical = Uint8Array.from(specs, (s) => (s.type === 'categorical' ? 1 : 0));
    this.binCounts = Int32Array.from(specs, (s) => s.bins);
    this.categoryOrder = new Int32Array(256);
    this.categoryRatio = new Float64Array(256);
  }

  /** Grow a tree on rowIndex[0 .. sampled) using only `features` (sorted). */
  grow(sampled: number, features: Int32Array): TrainedTree {
    const { params } = this;
    this.features = features;
    const tree: TrainedTree = {
      feature: [-1],
      binThreshold: [0],
      missingLeft: [0],
      masks: [null],
      left: [-1],
      right: [-1],
      value: [0],
      gains: new Float64Array(this.specs.length),
    };
    let g = 0;
    let h = 0;
    for (let k = 0; k < sampled; k++) {
      g += this.grad[this.rowIndex[k]];
      h += this.hess[this.rowIndex[k]];
    }
    const root: Leaf = { node: 0, start: 0, end: sampled, g, h, count: sampled, depth: 0, hist: this.takeHist(), best: null };
    this.buildHistogram(root);
    root.best = this.findBestSplit(root);
    const leaves: Leaf[] = [root];

    while (leaves.length < params.maxLeaves) {
      let pick = -1;
      let pickGain = 0;
      for (let l = 0; l < leaves.length; l++) {
        const best = leaves[l].best;
        if (best && (pick === -1 || best.gain > pickGain)) {
          pick = l;
          pickGain = best.gain;
        }
      }
      if (pick === -1) break;
      const parent = leaves[pick];
      const split = parent.best as Split;
      tree.gains[split.feature] += split.gain;
      const mid = this.partition(parent, split);

      const leftNode = tree.feature.length;
      const rightNode = leftNode + 1;
      for (let k = 0; k < 2; k++) {
        tree.feature.push(-1);
        tree.binThreshold.push(0);
        tree.missingLeft.push(0);
        tree.masks.push(null);
        tree.left.push(-1);
        tree.right.push(-1);
        tree.value.push(0);
      }
      tree.feature[parent.node] = split.feature;
      tree.binThreshold[parent.node] = split.binThreshold;
      tree.missingLeft[parent.node] = split.missingLeft ? 1 : 0;
      tree.masks[parent.node] = split.categoryMask;
      tree.left[parent.node] = leftNode;
      tree.right[parent.node] = rightNode;

      const depth = parent.depth + 1;
      const left: Leaf = {
        node: leftNode,
        start: parent.start,
        end: mid,
        g: split.leftG,
        h: split.leftH,
        count: split.leftCount,
        depth,
        hist: parent.hist,
        best: null,
      };
      const right: Leaf = {
        node: rightNode,
        start: mid,
        end: parent.end,
        g: parent.g - split.leftG,
        h: parent.h - split.leftH,
        count: parent.count - split.leftCount,
        depth,
        hist: parent.hist,
        best: null,
      };
      // Histogram of the smaller child from its rows; the larger one is parent minus smaller,
      // computed in the parent's buffer.
      const smaller = left.count <= right.count ? left : right;
      const larger = smaller === left ? right : left;
      smaller.hist = this.takeHist();
      this.buildHistogram(smaller);
      this.subtract(parent.hist, smaller.hist);
      larger.hist = parent.hist;
      left.best = depth < params.maxDepth ? this.findBestSplit(left) : null;
      right.best = depth < params.maxDepth ? this.findBestSplit(right) : null;
      leaves[pick] = left;
      leaves.push(right);
    }

    for (const leaf of leaves) {
      tree.value[leaf.node] = (-leaf.g / (leaf.h + params.lambda)) * params.learningRate;
      this.histPool.push(leaf.hist);
    }
    return tree;
  }

  private takeHist(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.histSize);
  }

  private subtract(target: Float64Array, minus: Float64Array): void {
    const { features, offsets } = this;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      for (let o = offsets[f] * 3, end = offsets[f + 1] * 3; o < end; o++) target[o] -= minus[o];
    }
  }

  private buildHistogram(leaf: Leaf): void {
    const { hist } = leaf;
    const { features, offsets, rowIndex, orderedG, orderedH, grad, hess, bins } = this;
    const start = leaf.start;
    const count = leaf.end - start;
    for (let k = 0; k < count; k++) {
      const r = rowIndex[start + k];
      orderedG[k] = grad[r];
      orderedH[k] = hess[r];
    }
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const base = offsets[f] * 3;
      hist.fill(0, base, offsets[f + 1] * 3);
      const column = bins[f];
      for (let k = 0; k < count; k++) {
        const o = base + column[rowIndex[start + k]] * 3;
        hist[o] += orderedG[k];
        hist[o + 1] += orderedH[k];
        hist[o + 2] += 1;
      }
    }
  }

  /** Stable in-place partition of the leaf's rows: left rows first. Returns the boundary. */
  private partition(leaf: Leaf, split: Split): number {
    const { rowIndex, scratch } = this;
    const column = this.bins[split.feature];
    const mask = split.categoryMask;
    const threshold = split.binThreshold;
    const missingLeft = split.missingLeft;
    let write = leaf.start;
    let spill = 0;
    for (let k = leaf.start; k < leaf.end; k++) {
      const r = rowIndex[k];
      const b = column[r];
      const goLeft = mask ? mask[b] === 1 : b === 0 ? missingLeft : b <= threshold;
      if (goLeft) rowIndex[write++] = r;
      else scratch[spill++] = r;
    }
    rowIndex.set(scratch.subarray(0, spill), write);
    return write;
  }

  private findBestSplit(leaf: Leaf): Split | null {
    if (leaf.count < 2 * this.params.minDataInLeaf) return null;
    let best: Split | null = null;
    const { features } = this;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const candidate = this.isCategorical[f] ? this.bestCategoricalSplit(leaf, f) : this.bestNumericSplit(leaf, f);
      if (candidate && candidate.gain > this.params.minGainToSplit && (!best || candidate.gain > best.gain)) best = candidate;
    }
    return best;
  }

  private bestNumericSplit(leaf: Leaf, f: number): Split | null {
    const { hist } = leaf;
    const { params } = this;
    const base = this.offsets[f] * 3;
    const binCount = this.binCounts[f];
    const lambda = params.lambda;
    const minData = params.minDataInLeaf;
    const minHess = params.minHessianInLeaf;
    const parentScore = (leaf.g * leaf.g) / (leaf.h + lambda);
    const missingG = hist[base];
    const missingH = hist[base + 1];
    const missingC = hist[base + 2];
    let bestGain = -Infinity;
    let bestT = -1;
    let bestMissingLeft = false;
    let bestG = 0;
    let bestH = 0;
    let bestC = 0;
    for (let pass = 0; pass < 2; pass++) {
      const missingLeft = pass === 1;
      if (missingLeft && missingC === 0) break;
      let gl = missingLeft ? missingG : 0;
      let hl = missingLeft ? missingH : 0;
      let cl = missingLeft ? missingC : 0;
      // Threshold t: bins 1..t go left. t = 0 with missing left isolates the missing rows.
      for (let t = missingLeft ? 0 : 1; t < binCount - 1; t++) {
        if (t > 0) {
          const o = base + t * 3;
          gl += hist[o];
          hl += hist[o + 1];
          cl += hist[o + 2];
        }
        if (cl < minData || hl < minHess) continue;
        const cr = leaf.count - cl;
        const hr = leaf.h - hl;
        if (cr < minData || hr < minHess) break;
        const gr = leaf.g - gl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestT = t;
          bestMissingLeft = missingLeft;
          bestG = gl;
          bestH = hl;
          bestC = cl;
        }
      }
    }
    if (bestT < 0) return null;
    return {
      gain: bestGain,
      feature: f,
      binThreshold: bestT,
      missingLeft: bestMissingLeft,
      categoryMask: null,
      leftG: bestG,
      leftH: bestH,
      leftCount: bestC,
    };
  }

  private bestCategoricalSplit(leaf: Leaf, f: number): Split | null {
    const { hist } = leaf;
    const { params, categoryOrder: order, categoryRatio: ratio } = this;
    const base = this.offsets[f] * 3;
    const binCount = this.binCounts[f];
    const lambda = params.lambda + params.catL2;
    const parentScore = (leaf.g * leaf.g) / (leaf.h + lambda);
    let used = 0;
    for (let b = 0; b < binCount; b++) if (hist[base + b * 3 + 2] > 0) order[used++] = b;
    if (used < 2) return null;

    let bestGain = -Infinity;
    let bestFrom = 0;
    let bestTo = 0;
    let bestG = 0;
    let bestH = 0;
    let bestC = 0;
    const tryRange = (from: number, to: number) => {
      // Left = order[from .. to).
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let k = from; k < to; k++) {
        const o = base + order[k] * 3;
        gl += hist[o];
        hl += hist[o + 1];
        cl += hist[o + 2];
      }
      const cr = leaf.count - cl;
      const hr = leaf.h - hl;
      if (cl < params.minDataInLeaf || cr < params.minDataInLeaf) return;
      if (hl < params.minHessianInLeaf || hr < params.minHessianInLeaf) return;
      const gr = leaf.g - gl;
      const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestFrom = from;
        bestTo = to;
        bestG = gl;
        bestH = hl;
        bestC = cl;
      }
    };

    if (used <= 4) {
      // Few categories: one category against the rest.
      for (let k = 0; k < used; k++) tryRange(k, k + 1);
    } else {
      // Order frequent categories by smoothed gradient ratio and try prefixes from both ends;
      // categories too rare to order reliably always go right.
      let frequent = 0;
      for (let k = 0; k < used; k++) {
        const b = order[k];
        if (hist[base + b * 3 + 2] >= params.minDataPerCategory) {
          order[frequent++] = b;
          ratio[b] = hist[base + b * 3] / (hist[base + b * 3 + 1] + params.catSmooth);
        }
      }
      if (frequent < 2) return null;
      const sorted = order.subarray(0, frequent).sort((a, b) => ratio[a] - ratio[b] || a - b);
      const limit = Math.min(frequent - 1, params.maxCatThreshold);
      for (let k = 1; k <= limit; k++) {
        tryRange(0, k);
        tryRange(sorted.length - k, sorted.length);
      }
    }
    if (bestTo === 0) return null;
    const mask = new Uint8Array(256);
    for (let k = bestFrom; k < bestTo; k++) mask[order[k]] = 1;
    return {
      gain: bestGain,
      feature: f,
      binThreshold: 0,
      missingLeft: mask[0] === 1,
      categoryMask: mask,
      leftG: bestG,
      leftH: bestH,
      leftCount: bestC,
    };
  }
}

function serialiseTree(tree: TrainedTree, specs: readonly FeatureSpec[]): GbdtTree {
  return {
    feature: tree.feature,
    threshold: tree.feature.map((f, node) => {
      if (f < 0 || specs[f].type === 'categorical') return 0;
      const edges = specs[f].edges as number[];
      const bt = tree.binThreshold[node];
      // bin <= bt  <=>  value <= edges[bt - 1]; bt = 0 means "only missing goes left".
      // NOTE: -MAX_VALUE rather than -Infinity, which JSON cannot hold.
      return bt === 0 ? -Number.MAX_VALUE : edges[bt - 1];
    }),
    missingLeft: tree.missingLeft,
    categories: tree.masks.map((mask) => (mask ? [...mask.keys()].filter((b) => mask[b] === 1) : null)),
    left: tree.left,
    right: tree.right,
    value: tree.value,
  };
}

/** Add a grown tree's output to the scores of binned rows. */
function applyTree(tree: TrainedTree, bins: readonly Uint8Array[], scores: Float64Array): void {
  const { feature, binThreshold, missingLeft, masks, left, right, value } = tree;
  for (let i = 0; i < scores.length; i++) {
    let node = 0;
    while (feature[node] >= 0) {
      const b = bins[feature[node]][i];
      const mask = masks[node];
      const goLeft = mask ? mask[b] === 1 : b === 0 ? missingLeft[node] === 1 : b <= binThreshold[node];
      node = goLeft ? left[node] : right[node];
    }
    scores[i] += value[node];
  }
}

function weightedLogLoss(scores: Float64Array, labels: Uint8Array, weights: Float64Array): number {
  let total = 0;
  let weight = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    // log(1 + e^-s) for positives, log(1 + e^s) for negatives, computed stably.
    const z = labels[i] === 1 ? -s : s;
    total += weights[i] * (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    weight += weights[i];
  }
  return total / weight;
}

/** Compiled form for fast prediction on encoded (not binned) feature values. */
export interface CompiledGbdt {
  margin(values: Float64Array): number;
}

export function compileGbdt(model: GbdtModel): CompiledGbdt {
  const trees = model.trees.map((tree) => ({
    feature: Int32Array.from(tree.feature),
    threshold: Float64Array.from(tree.threshold),
    missingLeft: Uint8Array.from(tree.missingLeft),
    masks: tree.categories.map((c) => {
      if (!c) return null;
      const mask = new Uint8Array(256);
      for (const b of c) mask[b] = 1;
      return mask;
    }),
    left: Int32Array.from(tree.left),
    right: Int32Array.from(tree.right),
    value: Float64Array.from(tree.value),
  }));
  const init = model.init;
  return {
    margin(values: Float64Array): number {
      let score = init;
      for (const t of trees) {
        let node = 0;
        while (t.feature[node] >= 0) {
          const v = values[t.feature[node]];
          const mask = t.masks[node];
          let goLeft: boolean;
          if (mask) goLeft = mask[v] === 1;
          else if (Number.isNaN(v)) goLeft = t.missingLeft[node] === 1;
          else goLeft = v <= t.threshold[node];
          node = goLeft ? t.left[node] : t.right[node];
        }
        score += t.value[node];
      }
      return score;
    },
  };
}
