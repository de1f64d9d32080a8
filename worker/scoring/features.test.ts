import { describe, expect, it } from 'vitest';
import {
  binOf,
  cellText,
  detectLeakage,
  encodeMatrix,
  encodeRow,
  fitFeatureEncoder,
  flattenRecord,
  quantileEdges,
  singleColumnAuc,
  type Row,
} from './features';
import { createPrng } from './prng';

const words = [
  'great',
  'call',
  'budget',
  'approved',
  'pricing',
  'demo',
  'next',
  'week',
  'team',
  'trial',
  'renewal',
  'competitor',
];

function sampleRows(n: number, seed: number): Row[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, (_, i) => ({
    'Prospect ID': `p-${(i * 7919).toString(36)}-${prng.int(1e9).toString(36)}`,
    'Lead Number': String(600_000 + i * 3),
    visits: prng.next() < 0.1 ? 'NA' : String(prng.int(20)),
    revenue: (prng.next() * 1e5).toFixed(2),
    optIn: prng.next() < 0.3 ? 'Yes' : 'No',
    city: ['Mumbai', 'Pune', 'Select', 'Delhi', ''][prng.int(5)],
    magazine: 'No',
    empty: '',
    notes: Array.from({ length: 4 + prng.int(6) }, () => words[prng.int(words.length)]).join(' ') + ` #${i}`,
    signedUp: `2024-0${1 + prng.int(9)}-1${prng.int(10)}`,
  }));
}

describe('cellText', () => {
  it('treats placeholders as missing', () => {
    for (const value of ['', '  ', 'NA', 'n/a', 'NaN', 'null', 'Select', 'unknown', null, undefined, Number.NaN]) {
      expect(cellText(value)).toBeNull();
    }
    expect(cellText(' Mumbai ')).toBe('Mumbai');
    expect(cellText(0)).toBe('0');
    expect(cellText(false)).toBe('false');
  });
});

describe('fitFeatureEncoder', () => {
  const rows = sampleRows(400, 1);
  const { encoder, excluded } = fitFeatureEncoder(rows, Object.keys(rows[0]), { exclude: ['revenue'] });
  const kinds = Object.fromEntries(encoder.columns.map((c) => [c.column, c.kind]));

  it('infers column types', () => {
    expect(kinds).toEqual({ visits: 'numeric', optIn: 'boolean', city: 'categorical', notes: 'text', signedUp: 'numeric' });
  });

  it('drops ID-like, constant, empty and excluded columns with a reason', () => {
    expect(excluded).toEqual([
      { column: 'Prospect ID', reason: 'ID-like (unique per row)' },
      { column: 'Lead Number', reason: 'ID-like (unique per row)' },
      { column: 'revenue', reason: 'excluded by request' },
      { column: 'magazine', reason: 'constant' },
      { column: 'empty', reason: 'always empty' },
    ]);
  });

  it("treats 'Select' and blanks as missing, not as a level", () => {
    const city = encoder.columns.find((c) => c.column === 'city');
    expect(city).toMatchObject({ kind: 'categorical' });
    expect(city && 'levels' in city ? [...city.levels].sort() : []).toEqual(['delhi', 'mumbai', 'pune']);
    const out = new Float64Array(encoder.features.length);
    const cityFeature = encoder.features.findIndex((f) => f.column === 'city');
    encodeRow(encoder, { city: 'Select' }, out);
    expect(out[cityFeature]).toBe(0);
    encodeRow(encoder, { city: 'MUMBAI' }, out);
    expect(out[cityFeature]).toBeGreaterThan(0);
    encodeRow(encoder, { city: 'Atlantis' }, out);
    expect(out[cityFeature]).toBe(encoder.features[cityFeature].bins - 1); // "other"
  });

  it('puts booleans in false/true order and encodes missing numbers as NaN', () => {
    expect(encoder.columns.find((c) => c.column === 'optIn')).toMatchObject({ levels: ['no', 'yes'] });
    const out = new Float64Array(encoder.features.length);
    encodeRow(encoder, { visits: 'NA', signedUp: '2024-01-02' }, out);
    expect(out[0]).toBeNaN();
    expect(out[encoder.features.findIndex((f) => f.column === 'signedUp')]).toBe(Date.UTC(2024, 0, 2) / 86_400_000);
  });

  it('hashes free text into bucket counts', () => {
    const textFeatures = encoder.features.filter((f) => f.column === 'notes');
    expect(textFeatures).toHaveLength(32);
    const matrix = encodeMatrix(encoder, [{ notes: 'pricing pricing demo' }]);
    const first = encoder.features.findIndex((f) => f.column === 'notes');
    let total = 0;
    for (let b = 0; b < 32; b++) total += matrix[first + b][0];
    expect(total).toBe(3);
  });

  it('honours post-outcome fields', () => {
    const result = fitFeatureEncoder(rows, ['visits', 'city'], { postOutcomeFields: ['City'] });
    expect(result.excluded).toEqual([{ column: 'city', reason: 'filled only after the outcome (post-outcome field)' }]);
  });

  it('keeps a non-unique integer column and a unique float column', () => {
    const prng = createPrng(5);
    const data = Array.from({ length: 200 }, () => ({ score: String(prng.int(50)), amount: String(prng.next() * 1000) }));
    const result = fitFeatureEncoder(data, ['score', 'amount']);
    expect(result.excluded).toEqual([]);
    expect(result.encoder.columns.map((c) => c.kind)).toEqual(['numeric', 'numeric']);
  });
});

describe('quantileEdges and binOf', () => {
  it('uses every distinct value when there are few', () => {
    expect(quantileEdges(Float64Array.from([3, 1, 2, 2, 1]), 10)).toEqual([1.5, 2.5]);
  });

  it('keeps bins roughly equal and gives a heavy value its own bin', () => {
    const values = Float64Array.from({ length: 10_000 }, (_, i) => (i < 4000 ? 0 : i));
    const edges = quantileEdges(values, 15);
    expect(edges.length).toBeLessThanOrEqual(15);
    expect(edges[0]).toBeGreaterThan(0);
    expect(edges[0]).toBeLessThan(4000);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(binOf(edges, v), (counts.get(binOf(edges, v)) ?? 0) + 1);
    expect(counts.get(1)).toBe(4000);
    for (const [bin, count] of counts) if (bin > 1) expect(count).toBeLessThan(1000);
  });

  it('bins consistently with the thresholds: value <= edge[t-1] ⇔ bin <= t', () => {
    const edges = [1, 2.5, 10];
    expect([Number.NaN, -5, 1, 1.0001, 2.5, 9, 10, 11].map((v) => binOf(edges, v))).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
  });
});

describe('leakage detection', () => {
  function leakyRows(n: number, seed: number) {
    const prng = createPrng(seed);
    const labels = new Uint8Array(n);
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) {
      const x = prng.normal();
      const y = prng.next() < 1 / (1 + Math.exp(-x)) ? 1 : 0;
      labels[i] = y;
      rows.push({
        x: x.toFixed(3),
        // Written after the sale: almost always says what happened.
        stageAfterCall: prng.next() < 0.99 ? (y ? 'Closed won' : 'Closed lost') : y ? 'Closed lost' : 'Closed won',
        // Only ever filled for customers (not for all of them, so its AUC alone stays < 0.97).
        contractValue: y && prng.next() < 0.9 ? String(1000 + prng.int(5000)) : '',
        // Many distinct values but no signal: must not look like a leak.
        zip: String(10_000 + prng.int(3000)),
      });
    }
    return { rows, labels };
  }

  it('flags near-perfect single columns, including "filled only for one outcome"', () => {
    const { rows, labels } = leakyRows(2000, 1);
    const { encoder } = fitFeatureEncoder(rows, ['x', 'stageAfterCall', 'contractValue', 'zip']);
    const matrix = encodeMatrix(encoder, rows);
    const aucs = singleColumnAuc(encoder, matrix, labels);
    expect(aucs.get('x')).toBeGreaterThan(0.6);
    expect(aucs.get('x')).toBeLessThan(0.85);
    expect(aucs.get('zip')).toBeLessThan(0.6);
    const flagged = detectLeakage(encoder, matrix, labels);
    expect(flagged.map((f) => f.column)).toEqual(['stageAfterCall', 'contractValue']);
    expect(flagged[0].reason).toMatch(/suspected target leakage: predicts the outcome/);
    expect(flagged[1].reason).toMatch(/filled almost only for converted leads/);
  });
});

describe('flattenRecord', () => {
  it('turns nested custom and enrichment data into dot paths', () => {
    expect(
      flattenRecord({ email: 'a@b.co', custom: { industry: 'SaaS' }, enrichment: { company: { employees: 40, tags: ['b2b'] } } }),
    ).toEqual({
      email: 'a@b.co',
      'custom.industry': 'SaaS',
      'enrichment.company.employees': 40,
      'enrichment.company.tags': ['b2b'],
    });
  });
});
