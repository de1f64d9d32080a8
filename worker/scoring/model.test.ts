import { describe, expect, it } from 'vitest';
import { auc } from './metrics';
import {
  crossValidate,
  LabelError,
  labelledDataStatus,
  MINIMUM_LABELLED_DATA,
  predict,
  resolveLabels,
  trainModel,
  type PredictiveModel,
  type TrainingProgress,
} from './model';
import { createPrng } from './prng';
import { logisticSignal, pureNoise, xEducationLike, X_EDUCATION_LEAKY_COLUMNS, xorInteraction } from './synthetic';

describe('resolveLabels', () => {
  const rows = (values: unknown[]) => values.map((v) => ({ y: v, x: 1 }));

  it('recognises common positive values case-insensitively and skips unlabelled rows', () => {
    expect(Array.from(resolveLabels(rows(['Yes', 'no', 'YES', '']), 'y').labels)).toEqual([1, 0, 1]);
    expect(Array.from(resolveLabels(rows(['1.0', '0', 1]), 'y').labels)).toEqual([1, 0, 1]);
    expect(Array.from(resolveLabels(rows(['Won', 'Lost']), 'y').labels)).toEqual([1, 0]);
    expect(resolveLabels(rows(['Converted', 'lost']), 'y').positive).toBe('converted');
  });

  it('uses the explicit positive value, one against the rest', () => {
    expect(Array.from(resolveLabels(rows(['open', 'won', 'lost']), 'y', 'lost').labels)).toEqual([0, 0, 1]);
  });

  it('explains what to pass when the positive value is unclear', () => {
    expect(() => resolveLabels(rows(['alpha', 'beta']), 'y')).toThrow(LabelError);
    expect(() => resolveLabels(rows(['alpha', 'beta']), 'y')).toThrow(/--positive/);
    expect(() => resolveLabels(rows(['open', 'won', 'lost']), 'y')).toThrow(/3 distinct values/);
    expect(() => resolveLabels(rows(['a', 'b']), 'y', 'c')).toThrow(/No row has "c"/);
    expect(() => resolveLabels(rows(['', null]), 'y')).toThrow(/missing or empty/);
  });
});

describe('labelledDataStatus', () => {
  it(`offers the model from ${MINIMUM_LABELLED_DATA.positives} converted and ${MINIMUM_LABELLED_DATA.negatives} lost leads`, () => {
    expect(labelledDataStatus(50, 50)).toEqual({ offer: true, positives: 50, negatives: 50, reason: null });
    expect(labelledDataStatus(49, 400)).toMatchObject({
      offer: false,
      reason: 'Predictive scoring needs 1 more converted lead with a known outcome.',
    });
    expect(labelledDataStatus(0, 10).reason).toBe(
      'Predictive scoring needs 50 more converted leads and 40 more lost leads with a known outcome.',
    );
  });
});

// Training runs take seconds; the unit project's default timeout is 5 s.
const SLOW = { timeout: 60_000 };

describe('crossValidate on synthetic signals', SLOW, () => {
  it('finds an additive logistic signal (AUC near the best achievable)', () => {
    const truth: number[] = [];
    const rows = logisticSignal(2500, 1, truth);
    const best = auc(
      truth,
      rows.map((r) => Number(r.outcome)),
    );
    const result = crossValidate(rows, { label: 'outcome', seed: 1 });
    expect(result.n).toBe(2500);
    expect(result.positives).toBe(rows.filter((r) => r.outcome === '1').length);
    expect(result.folds).toBe(5);
    expect(result.auc).toBeGreaterThan(0.8);
    expect(result.auc).toBeGreaterThan(best - 0.02);
    expect(result.accuracy).toBeGreaterThan(0.7);
    expect(result.logloss).toBeLessThan(0.55);
  });

  it('trees capture an XOR interaction that the linear model cannot', () => {
    const rows = xorInteraction(2500, 2);
    const linear = crossValidate(rows, { label: 'outcome', learners: 'linear' });
    const trees = crossValidate(rows, { label: 'outcome', learners: 'trees' });
    const blend = crossValidate(rows, { label: 'outcome' });
    expect(linear.auc).toBeLessThan(0.6);
    expect(trees.auc).toBeGreaterThan(0.78);
    expect(blend.auc).toBeGreaterThan(linear.auc + 0.15);
  });

  it('gives AUC near 0.5 on pure noise', () => {
    const result = crossValidate(pureNoise(1500, 3), { label: 'outcome' });
    expect(result.auc).toBeGreaterThan(0.4);
    expect(result.auc).toBeLessThan(0.6);
  });

  it('excludes a leaking column inside every training fold', () => {
    const prng = createPrng(9);
    const rows = logisticSignal(1500, 4).map((row) => ({
      ...row,
      finalStatus: prng.next() < 0.99 ? (row.outcome === '1' ? 'customer' : 'churned') : 'customer',
    }));
    const result = crossValidate(rows, { label: 'outcome' });
    const leak = result.excluded.find((e) => e.column === 'finalStatus');
    expect(leak).toMatchObject({ folds: 5 });
    expect(leak?.reason).toMatch(/suspected target leakage/);
    expect(result.auc).toBeLessThan(0.95);
  });

  it('is calibrated on a large imbalanced set', () => {
    const rows = logisticSignal(6000, 5).map((row) => ({
      ...row,
      outcome: row.outcome === '1' && Number(row.x2) < 0 ? '1' : '0',
    }));
    const result = crossValidate(rows, { label: 'outcome', folds: 3 });
    const rate = result.positives / result.n;
    expect(rate).toBeLessThan(0.3);
    let predicted = 0;
    for (const bin of result.calibration) {
      predicted += bin.meanPredicted * bin.count;
      // Within sampling error (3 standard errors) plus a small systematic allowance.
      const standardError = Math.sqrt((bin.meanPredicted * (1 - bin.meanPredicted)) / bin.count);
      if (bin.count >= 100) expect(Math.abs(bin.meanPredicted - bin.observedRate)).toBeLessThan(3 * standardError + 0.02);
    }
    expect(Math.abs(predicted / result.n - rate)).toBeLessThan(0.02);
    expect(result.calibration.reduce((n, b) => n + b.count, 0)).toBe(result.n);
  });

  it('is deterministic for a seed', () => {
    const rows = logisticSignal(800, 6);
    const a = crossValidate(rows, { label: 'outcome', seed: 7, folds: 3 });
    const b = crossValidate(rows, { label: 'outcome', seed: 7, folds: 3 });
    const c = crossValidate(rows, { label: 'outcome', seed: 8, folds: 3 });
    expect(b).toEqual(a);
    expect(c.foldAuc).not.toEqual(a.foldAuc);
  });
});

describe('X Education-like data', SLOW, () => {
  const rows = xEducationLike(3000, 11);

  it('drops ID and constant columns and beats 0.85 AUC without the post-outcome columns', () => {
    const result = crossValidate(rows, { label: 'Converted', exclude: X_EDUCATION_LEAKY_COLUMNS, folds: 3 });
    const reasons = Object.fromEntries(result.excluded.map((e) => [e.column, e.reason]));
    expect(reasons['Prospect ID']).toBe('ID-like (unique per row)');
    expect(reasons['Lead Number']).toBe('ID-like (unique per row)');
    expect(reasons.Magazine).toBe('constant');
    expect(reasons.Tags).toBe('excluded by request');
    expect(result.auc).toBeGreaterThan(0.85);
  });

  it('trains a JSON model that predicts the same after a round trip', () => {
    const progress: TrainingProgress[] = [];
    const model = trainModel(rows.slice(0, 2000), {
      label: 'Converted',
      exclude: X_EDUCATION_LEAKY_COLUMNS,
      onProgress: (p) => progress.push(p),
    });
    const restored = JSON.parse(JSON.stringify(model)) as PredictiveModel;
    for (const row of rows.slice(2000, 2100)) {
      const p = predict(model, row);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
      expect(predict(restored, row)).toBe(p);
    }
    expect(model.columns[0].column).toBe('Total Time Spent on Website');
    expect(model.columns.find((c) => c.column === 'Lead Origin')?.kind).toBe('categorical');
    expect(model.columns.find((c) => c.column === 'Do Not Email')?.kind).toBe('boolean');
    expect(model.excluded.some((e) => e.column === 'Converted')).toBe(false);
    // Held-out rows are ranked well too.
    const heldOut = rows.slice(2000);
    expect(
      auc(
        heldOut.map((r) => predict(model, r)),
        heldOut.map((r) => Number(r.Converted)),
      ),
    ).toBeGreaterThan(0.85);
    // Progress goes forward and finishes.
    for (let i = 1; i < progress.length; i++) expect(progress[i].fraction).toBeGreaterThanOrEqual(progress[i - 1].fraction);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });
  });

  it('copes with missing columns, unseen levels and non-string values at prediction time', () => {
    const model = trainModel(rows.slice(0, 1000), { label: 'Converted', exclude: X_EDUCATION_LEAKY_COLUMNS, seed: 3 });
    for (const row of [
      {},
      { 'Lead Origin': 'Carrier pigeon', TotalVisits: 3, 'Do Not Email': true },
      { 'Total Time Spent on Website': null },
    ]) {
      const p = predict(model, row);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
    expect(trainModel(rows.slice(0, 1000), { label: 'Converted', exclude: X_EDUCATION_LEAKY_COLUMNS, seed: 3 })).toEqual(model);
  });
});
