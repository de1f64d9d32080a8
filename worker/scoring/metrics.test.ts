import { describe, expect, it } from 'vitest';
import { accuracy, auc, brierScore, calibrationBins, logLoss, stratifiedFolds } from './metrics';
import { createPrng } from './prng';

/** O(n²) definition: share of (positive, negative) pairs ranked correctly, ties counting ½. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('auc', () => {
  it('matches hand-computed values', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.4, 0.3, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts ties as one half via average ranks', () => {
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // Pairs: (0.5,0.2)=1, (0.5,0.5)=½, (0.9,0.2)=1, (0.9,0.5)=1 → 3.5 / 4.
    expect(auc([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBe(0.875);
  });

  it('agrees with the pairwise definition on random data with many ties', () => {
    const prng = createPrng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + prng.int(60);
      const scores = Array.from({ length: n }, () => prng.int(6) / 5);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : prng.next() < 0.4 ? 1 : 0));
      expect(auc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    }
  });

  it('is NaN when one class is missing', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('logLoss / accuracy / brier', () => {
  it('computes the mean cross-entropy and clips certain mistakes', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logLoss([0, 1], [1, 0])).toBeCloseTo(-Math.log(1e-15), 3);
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });

  it('thresholds accuracy at 0.5 inclusive', () => {
    expect(accuracy([0.5, 0.49, 0.9, 0.1], [1, 0, 0, 0])).toBe(0.75);
    expect(brierScore([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 12);
  });
});

describe('calibrationBins', () => {
  it('groups probabilities into equal-width bins and skips empty ones', () => {
    const bins = calibrationBins([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1], 10);
    expect(bins).toEqual([
      { binLow: 0, binHigh: 0.1, meanPredicted: 0.05, observedRate: 0, count: 1 },
      { binLow: 0.1, binHigh: 0.2, meanPredicted: 0.135, observedRate: 0.5, count: 2 },
      { binLow: 0.9, binHigh: 1, meanPredicted: 0.975, observedRate: 1, count: 2 },
    ]);
  });
});

describe('stratifiedFolds', () => {
  it('keeps the class ratio in every fold and is reproducible', () => {
    const prng = createPrng(11);
    const labels = Array.from({ length: 1003 }, () => (prng.next() < 0.13 ? 1 : 0));
    const positives = labels.filter((y) => y === 1).length;
    const folds = stratifiedFolds(labels, 5, 1);
    for (let fold = 0; fold < 5; fold++) {
      const members = labels.filter((_, i) => folds[i] === fold);
      const foldPositives = members.filter((y) => y === 1).length;
      expect(Math.abs(foldPositives - positives / 5)).toBeLessThanOrEqual(1);
      expect(Math.abs(members.length - labels.length / 5)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(labels, 5, 1)).toEqual(folds);
    expect(stratifiedFolds(labels, 5, 2)).not.toEqual(folds);
  });

  it('rejects fewer than two folds', () => {
    expect(() => stratifiedFolds([0, 1], 1, 1)).toThrow(/folds/);
  });
});
