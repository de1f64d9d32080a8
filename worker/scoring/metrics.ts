/**
 * Evaluation metrics for the predictive model: rank AUC, log loss, accuracy, reliability bins and
 * stratified folds. Labels are 0/1; scores are any real numbers (AUC) or probabilities.
 */
import { createPrng } from './prng';

type Numbers = ArrayLike<number>;

/**
 * Area under the ROC curve via the Mann–Whitney rank statistic; tied scores get their average
 * rank, so a tie between a positive and a negative counts one half. NaN when a class is absent.
 */
export function auc(scores: Numbers, labels: Numbers): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error('auc: scores and labels differ in length');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    // Ranks i+1 .. j (1-based) share their mean.
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy; probabilities are clipped to [eps, 1 - eps]. */
export function logLoss(probabilities: Numbers, labels: Numbers, eps = 1e-15): number {
  const n = probabilities.length;
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]));
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / n;
}

/** Share of rows whose predicted class (p >= threshold) matches the label. */
export function accuracy(probabilities: Numbers, labels: Numbers, threshold = 0.5): number {
  const n = probabilities.length;
  if (n === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if ((probabilities[i] >= threshold ? 1 : 0) === labels[i]) correct++;
  }
  return correct / n;
}

/** Mean squared error of the probabilities. */
export function brierScore(probabilities: Numbers, labels: Numbers): number {
  const n = probabilities.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += (probabilities[i] - labels[i]) ** 2;
  return n === 0 ? Number.NaN : total / n;
}

export interface CalibrationBin {
  binLow: number;
  binHigh: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

/**
 * Reliability chart: equal-width probability bins; empty bins are left out. A well-calibrated
 * model has observedRate close to meanPredicted in every well-populated bin.
 */
export function calibrationBins(probabilities: Numbers, labels: Numbers, binCount = 10): CalibrationBin[] {
  const sums = new Float64Array(binCount);
  const hits = new Float64Array(binCount);
  const counts = new Float64Array(binCount);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    const bin = Math.min(binCount - 1, Math.max(0, Math.floor(p * binCount)));
    sums[bin] += p;
    hits[bin] += labels[i];
    counts[bin]++;
  }
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < binCount; b++) {
    if (counts[b] === 0) continue;
    bins.push({
      binLow: round6(b / binCount),
      binHigh: round6((b + 1) / binCount),
      meanPredicted: round6(sums[b] / counts[b]),
      observedRate: round6(hits[b] / counts[b]),
      count: counts[b],
    });
  }
  return bins;
}

/**
 * Stratified k-fold assignment: each class is shuffled with the seeded PRNG and dealt round-robin,
 * so every fold keeps the overall class ratio (±1 row). Returns the fold index of each row.
 */
export function stratifiedFolds(labels: Numbers, folds: number, seed: number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new Error('stratifiedFolds: folds must be an integer >= 2');
  const prng = createPrng(seed);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? positives : negatives).push(i);
  prng.shuffle(positives);
  prng.shuffle(negatives);
  const assignment = new Int32Array(labels.length);
  // Continue the round-robin across classes so fold sizes stay balanced overall too.
  let cursor = 0;
  for (const index of positives) assignment[index] = cursor++ % folds;
  for (const index of negatives) assignment[index] = cursor++ % folds;
  return assignment;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
