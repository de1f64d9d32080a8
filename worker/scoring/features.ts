/**
 * Automatic feature encoding for the predictive model: infers each column's type from the
 * training rows, drops ID-like / constant / excluded columns, and turns rows into a numeric
 * matrix (one Float64Array per feature) the model code bins and trains on. Also the leakage
 * detector, which looks for columns that predict the outcome almost perfectly on their own.
 *
 * Everything fitted here (levels, bin edges, scaling) comes from the rows passed in, so inside
 * cross-validation it only ever sees the training fold.
 */
import { auc } from './metrics';
import { createPrng } from './prng';

export type Row = Readonly<Record<string, unknown>>;
export type ColumnKind = 'numeric' | 'boolean' | 'categorical' | 'text';

/** How the linear model sees a feature (the trees see bins). */
export type LinearEncoding =
  | { kind: 'scaled'; mean: number; std: number; log: boolean; hasMissing: boolean }
  | { kind: 'count' }
  | { kind: 'onehot' };

/**
 * One model input. Numeric: raw value, NaN when missing; bins are 0 = missing, then one bin per
 * interval between `edges` (value <= edges[i]), then one above the last edge. Categorical: the
 * level code, 0 = missing, 1..K = levels, K+1 = any other value; bins = K + 2.
 */
export interface FeatureSpec {
  name: string;
  column: string;
  type: 'numeric' | 'categorical';
  bins: number;
  edges?: number[];
  linear: LinearEncoding;
}

export type ColumnEncoding =
  | { kind: 'numeric'; column: string; date: boolean }
  | { kind: 'boolean' | 'categorical'; column: string; levels: string[] }
  | { kind: 'text'; column: string; buckets: number };

export interface FeatureEncoder {
  columns: ColumnEncoding[];
  /** In the order encodeRow writes them: each column's features, column by column. */
  features: FeatureSpec[];
}

export interface ExcludedColumn {
  column: string;
  reason: string;
}

export interface EncoderOptions {
  /** Columns the tenant (or CLI user) excluded. */
  exclude?: readonly string[];
  /** Fields only filled after the outcome is known. */
  postOutcomeFields?: readonly string[];
  /** Most categorical levels kept per column (the rest become "other"). Default 40. */
  maxLevels?: number;
  /** Most numeric split points per feature. Default 63 (so at most 65 bins with missing). */
  maxEdges?: number;
  /** Hash buckets per free-text column. Default 32. */
  textBuckets?: number;
}

/** Values that mean "no answer" (case-insensitive), e.g. X Education's 'Select'. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  '-',
  '--',
  '?',
  '#n/a',
  'n/a',
  'na',
  'nan',
  'nil',
  'null',
  'undefined',
  'select',
  'unknown',
]);

const TRUE_TOKENS = new Set(['1', 'true', 'yes', 'y', 't']);
const FALSE_TOKENS = new Set(['0', 'false', 'no', 'n', 'f']);
const ID_NAME = /(^|[^a-z])(id|ids|uuid|guid|key|number|num|no|nr|ref|reference)([^a-z]|$)/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?)?$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Cell parsing
// ---------------------------------------------------------------------------------------------

/** A cell as trimmed text, or null when it is missing / a placeholder. */
export function cellText(value: unknown): string | null {
  let text: string;
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = String(value);
  } else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  else if (Array.isArray(value)) text = value.map((v) => String(v)).join(' ');
  else return null;
  return MISSING_TOKENS.has(text.toLowerCase()) ? null : text;
}

function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

function parseDateDays(text: string): number {
  if (!ISO_DATE.test(text)) return Number.NaN;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? Number.NaN : ms / MS_PER_DAY;
}

function levelKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length >= 2);
}

/** FNV-1a, 32 bit. */
function hashToken(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Bin of a numeric value: 0 for missing, else 1 + number of edges strictly below the value. */
export function binOf(edges: readonly number[], value: number): number {
  if (Number.isNaN(value)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

// ---------------------------------------------------------------------------------------------
// Fitting
// ---------------------------------------------------------------------------------------------

interface ColumnProfile {
  present: number;
  numeric: number;
  dates: number;
  integers: boolean;
  words: number;
  length: number;
  distinct: Map<string, number>;
}

function profileColumn(rows: readonly Row[], column: string): ColumnProfile {
  const profile: ColumnProfile = { present: 0, numeric: 0, dates: 0, integers: true, words: 0, length: 0, distinct: new Map() };
  for (const row of rows) {
    const text = cellText(row[column]);
    if (text === null) continue;
    profile.present++;
    const number = parseNumber(text);
    if (!Number.isNaN(number)) {
      profile.numeric++;
      if (!Number.isInteger(number)) profile.integers = false;
    } else if (!Number.isNaN(parseDateDays(text))) profile.dates++;
    profile.length += text.length;
    profile.words += countWords(text);
    const key = levelKey(text);
    profile.distinct.set(key, (profile.distinct.get(key) ?? 0) + 1);
  }
  return profile;
}

function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Spearman-free monotonicity check: share of consecutive present values that go the same way. */
function isMonotoneWithRowOrder(rows: readonly Row[], column: string): boolean {
  let previous = Number.NaN;
  let up = 0;
  let down = 0;
  for (const row of rows) {
    const text = cellText(row[column]);
    if (text === null) continue;
    const value = parseNumber(text);
    if (!Number.isNaN(previous)) {
      if (value > previous) up++;
      else if (value < previous) down++;
    }
    previous = value;
  }
  const steps = up + down;
  return steps >= 20 && Math.max(up, down) / steps >= 0.98;
}

type Decision = { kind: ColumnKind; date?: boolean } | { excluded: string };

function decideKind(rows: readonly Row[], column: string, profile: ColumnProfile): Decision {
  const { present, distinct } = profile;
  const n = rows.length;
  const d = distinct.size;
  if (present === 0) return { excluded: 'always empty' };
  if (d === 1 && present === n) return { excluded: 'constant' };
  if (d === 2) return { kind: 'boolean' };
  if (d === 1) return { kind: 'categorical' }; // value vs missing: still informative
  const mostlyNumeric = profile.numeric >= 0.95 * present;
  if (mostlyNumeric) {
    const unique = d === present && present >= 20;
    if (unique && profile.integers && (ID_NAME.test(splitCamel(column)) || isMonotoneWithRowOrder(rows, column))) {
      return { excluded: 'ID-like (unique per row)' };
    }
    return { kind: 'numeric', date: false };
  }
  if (profile.dates >= 0.95 * present) return { kind: 'numeric', date: true };
  const averageWords = profile.words / present;
  if (averageWords >= 3 && d > 100 && d > 0.05 * present) return { kind: 'text' };
  if (present >= 20 && d >= 0.9 * present) return { excluded: 'ID-like (unique per row)' };
  if (present >= 20 && d >= 0.5 * present && ID_NAME.test(splitCamel(column))) {
    return { excluded: 'ID-like (unique per row)' };
  }
  return { kind: 'categorical' };
}

function splitCamel(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** Split points between distinct values so each bin holds roughly the same number of rows. */
export function quantileEdges(values: Float64Array, maxEdges: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const distinctValues: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
    else {
      distinctValues.push(sorted[i]);
      counts.push(1);
    }
  }
  const edges: number[] = [];
  if (distinctValues.length <= maxEdges + 1) {
    for (let i = 0; i + 1 < distinctValues.length; i++) edges.push(midpoint(distinctValues[i], distinctValues[i + 1]));
    return edges;
  }
  let inBin = 0;
  let binStart = 0; // rows before the current bin
  for (let i = 0; i + 1 < distinctValues.length && edges.length < maxEdges; i++) {
    inBin += counts[i];
    // Re-plan the fair share as heavy values use up bins, and give a heavy next value its own bin.
    const fairShare = (n - binStart) / (maxEdges + 1 - edges.length);
    if (inBin >= fairShare || counts[i + 1] >= fairShare) {
      edges.push(midpoint(distinctValues[i], distinctValues[i + 1]));
      binStart += inBin;
      inBin = 0;
    }
  }
  return edges;
}

function midpoint(a: number, b: number): number {
  const mid = a + (b - a) / 2;
  return mid === b ? a : mid;
}

function numericValue(text: string | null, date: boolean): number {
  if (text === null) return Number.NaN;
  return date ? parseDateDays(text) : parseNumber(text);
}

function scaledEncoding(values: Float64Array, hasMissing: boolean): LinearEncoding {
  // Log-transform long right tails (counts, money, durations) so one outlier cannot dominate.
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length || 1;
  let m2 = 0;
  let m3 = 0;
  let min = Infinity;
  for (const v of values) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    if (v < min) min = v;
  }
  m2 /= values.length || 1;
  m3 /= values.length || 1;
  const skew = m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
  const log = min >= 0 && skew > 2;
  let tMean = 0;
  for (const v of values) tMean += log ? Math.log1p(v) : v;
  tMean /= values.length || 1;
  let tVar = 0;
  for (const v of values) tVar += ((log ? Math.log1p(v) : v) - tMean) ** 2;
  const std = Math.sqrt(tVar / (values.length || 1)) || 1;
  return { kind: 'scaled', mean: tMean, std, log, hasMissing };
}

/**
 * Infer column types on the training rows and fit the encoding. `columns` are the candidate
 * inputs (everything but the label); exclusions and dropped columns come back with a reason.
 */
export function fitFeatureEncoder(
  rows: readonly Row[],
  columns: readonly string[],
  options: EncoderOptions = {},
): { encoder: FeatureEncoder; excluded: ExcludedColumn[] } {
  const maxLevels = options.maxLevels ?? 40;
  const maxEdges = options.maxEdges ?? 63;
  const textBuckets = options.textBuckets ?? 32;
  const userExcluded = new Set((options.exclude ?? []).map((c) => c.trim().toLowerCase()));
  const postOutcome = new Set((options.postOutcomeFields ?? []).map((c) => c.trim().toLowerCase()));
  const excluded: ExcludedColumn[] = [];
  const encodings: ColumnEncoding[] = [];
  const features: FeatureSpec[] = [];
  const n = rows.length;
  const minLevelCount = Math.max(5, Math.round(0.001 * n));

  for (const column of columns) {
    const key = column.trim().toLowerCase();
    if (userExcluded.has(key)) {
      excluded.push({ column, reason: 'excluded by request' });
      continue;
    }
    if (postOutcome.has(key)) {
      excluded.push({ column, reason: 'filled only after the outcome (post-outcome field)' });
      continue;
    }
    const profile = profileColumn(rows, column);
    const decision = decideKind(rows, column, profile);
    if ('excluded' in decision) {
      excluded.push({ column, reason: decision.excluded });
      continue;
    }

    if (decision.kind === 'numeric') {
      const date = decision.date === true;
      const values = new Float64Array(profile.present);
      let k = 0;
      for (const row of rows) {
        const value = numericValue(cellText(row[column]), date);
        if (!Number.isNaN(value)) values[k++] = value;
      }
      const present = values.subarray(0, k);
      const edges = quantileEdges(present, maxEdges);
      encodings.push({ kind: 'numeric', column, date });
      features.push({
        name: column,
        column,
        type: 'numeric',
        bins: edges.length + 2,
        edges,
        linear: scaledEncoding(present, k < n),
      });
    } else if (decision.kind === 'text') {
      encodings.push({ kind: 'text', column, buckets: textBuckets });
      const counts = Array.from({ length: textBuckets }, () => new Float64Array(profile.present));
      let k = 0;
      const bucketCounts = new Float64Array(textBuckets);
      for (const row of rows) {
        const text = cellText(row[column]);
        if (text === null) continue;
        countTokens(text, bucketCounts);
        for (let b = 0; b < textBuckets; b++) counts[b][k] = bucketCounts[b];
        k++;
      }
      for (let b = 0; b < textBuckets; b++) {
        const edges = quantileEdges(counts[b], 15);
        features.push({
          name: `${column}#${b}`,
          column,
          type: 'numeric',
          bins: edges.length + 2,
          edges,
          linear: { kind: 'count' },
        });
      }
    } else {
      let levels = [...profile.distinct.entries()]
        .filter(([, count]) => count >= minLevelCount || profile.distinct.size <= 2)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxLevels)
        .map(([level]) => level);
      const kind = decision.kind;
      if (kind === 'boolean') levels = orderBoolean(levels);
      if (levels.length === 0) {
        excluded.push({ column, reason: 'no value is frequent enough' });
        continue;
      }
      encodings.push({ kind, column, levels } as ColumnEncoding);
      features.push({ name: column, column, type: 'categorical', bins: levels.length + 2, linear: { kind: 'onehot' } });
    }
  }
  return { encoder: { columns: encodings, features }, excluded };
}

/** False-like value first, true-like second, when the two values are a recognised pair. */
function orderBoolean(levels: string[]): string[] {
  if (levels.length !== 2) return levels;
  const [a, b] = levels;
  if (TRUE_TOKENS.has(a) && FALSE_TOKENS.has(b)) return [b, a];
  if (FALSE_TOKENS.has(a) && TRUE_TOKENS.has(b)) return [a, b];
  return [...levels].sort();
}

function countTokens(text: string, out: Float64Array): void {
  out.fill(0);
  for (const token of tokens(text)) out[hashToken(token) % out.length]++;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Per-encoder lookup tables built once (level → code maps), cached by encoder object. */
interface EncoderRuntime {
  levelCodes: (Map<string, number> | null)[];
  scratch: Float64Array;
}
const runtimeCache = new WeakMap<FeatureEncoder, EncoderRuntime>();

function runtimeFor(encoder: FeatureEncoder): EncoderRuntime {
  let runtime = runtimeCache.get(encoder);
  if (!runtime) {
    const levelCodes = encoder.columns.map((c) =>
      c.kind === 'boolean' || c.kind === 'categorical' ? new Map(c.levels.map((level, i) => [level, i + 1])) : null,
    );
    const maxBuckets = Math.max(1, ...encoder.columns.map((c) => (c.kind === 'text' ? c.buckets : 0)));
    runtime = { levelCodes, scratch: new Float64Array(maxBuckets) };
    runtimeCache.set(encoder, runtime);
  }
  return runtime;
}

/** Write one row's feature values into `out` (length = encoder.features.length). */
export function encodeRow(encoder: FeatureEncoder, row: Row, out: Float64Array): void {
  const runtime = runtimeFor(encoder);
  let f = 0;
  for (let c = 0; c < encoder.columns.length; c++) {
    const column = encoder.columns[c];
    const text = cellText(row[column.column]);
    if (column.kind === 'numeric') {
      out[f++] = numericValue(text, column.date);
    } else if (column.kind === 'text') {
      if (text === null) {
        for (let b = 0; b < column.buckets; b++) out[f++] = Number.NaN;
      } else {
        const counts = runtime.scratch.subarray(0, column.buckets);
        countTokens(text, counts);
        for (let b = 0; b < column.buckets; b++) out[f++] = counts[b];
      }
    } else {
      const codes = runtime.levelCodes[c] as Map<string, number>;
      out[f++] = text === null ? 0 : (codes.get(levelKey(text)) ?? codes.size + 1);
    }
  }
}

/** Column-major matrix: one Float64Array of length rows.length per feature. */
export function encodeMatrix(encoder: FeatureEncoder, rows: readonly Row[]): Float64Array[] {
  const featureCount = encoder.features.length;
  const matrix = Array.from({ length: featureCount }, () => new Float64Array(rows.length));
  const buffer = new Float64Array(featureCount);
  for (let i = 0; i < rows.length; i++) {
    encodeRow(encoder, rows[i], buffer);
    for (let f = 0; f < featureCount; f++) matrix[f][i] = buffer[f];
  }
  return matrix;
}

/** Same encoder without the given source columns (used after the leakage check). */
export function withoutColumns(encoder: FeatureEncoder, drop: ReadonlySet<string>): FeatureEncoder {
  return {
    columns: encoder.columns.filter((c) => !drop.has(c.column)),
    features: encoder.features.filter((f) => !drop.has(f.column)),
  };
}

/** Bin index of feature `spec` for an encoded value. */
export function featureBin(spec: FeatureSpec, value: number): number {
  if (spec.type === 'categorical') return value;
  return binOf(spec.edges as number[], value);
}

// ---------------------------------------------------------------------------------------------
// Leakage detection
// ---------------------------------------------------------------------------------------------

export interface LeakageOptions {
  /** Single-column AUC above which a column is suspected of leaking the outcome. Default 0.97. */
  threshold?: number;
  seed?: number;
}

/**
 * Single-column AUC of every source column, each column reduced to one code per row (its bin or
 * level; for text, filled vs empty) and turned into a score by out-of-fold target encoding, so a
 * column that merely has many distinct values does not look predictive. Run on training rows only.
 */
export function singleColumnAuc(
  encoder: FeatureEncoder,
  matrix: readonly Float64Array[],
  labels: Uint8Array,
  seed = 1,
): Map<string, number> {
  const n = labels.length;
  const result = new Map<string, number>();
  if (n < 10) return result;
  const folds = 5;
  const prng = createPrng(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  prng.shuffle(order);
  const foldOf = new Uint8Array(n);
  for (let k = 0; k < n; k++) foldOf[order[k]] = k % folds;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const prior = positives / n;

  const codes = new Int32Array(n);
  const scores = new Float64Array(n);
  let f = 0;
  for (const column of encoder.columns) {
    const featureCount = column.kind === 'text' ? column.buckets : 1;
    const spec = encoder.features[f];
    let codeCount: number;
    if (column.kind === 'text') {
      const values = matrix[f];
      for (let i = 0; i < n; i++) codes[i] = Number.isNaN(values[i]) ? 0 : 1;
      codeCount = 2;
    } else {
      const values = matrix[f];
      for (let i = 0; i < n; i++) codes[i] = featureBin(spec, values[i]);
      codeCount = spec.bins;
    }
    f += featureCount;
    const sums = new Float64Array(codeCount * folds);
    const counts = new Float64Array(codeCount * folds);
    for (let i = 0; i < n; i++) {
      sums[codes[i] * folds + foldOf[i]] += labels[i];
      counts[codes[i] * folds + foldOf[i]]++;
    }
    for (let i = 0; i < n; i++) {
      const code = codes[i];
      let sum = 0;
      let count = 0;
      for (let k = 0; k < folds; k++) {
        if (k === foldOf[i]) continue;
        sum += sums[code * folds + k];
        count += counts[code * folds + k];
      }
      scores[i] = (sum + prior) / (count + 1);
    }
    result.set(column.column, auc(scores, labels));
  }
  return result;
}

/**
 * Suspected leaks, with the reason to report: columns whose single-column AUC exceeds the
 * threshold, and columns that are filled (almost) only for one outcome — typical of fields
 * written after the fact (contract value, lost reason). Run on training rows only.
 */
export function detectLeakage(
  encoder: FeatureEncoder,
  matrix: readonly Float64Array[],
  labels: Uint8Array,
  options: LeakageOptions = {},
): ExcludedColumn[] {
  const threshold = options.threshold ?? 0.97;
  const suspects = new Map<string, string>();
  for (const [column, value] of singleColumnAuc(encoder, matrix, labels, options.seed)) {
    if (value > threshold) {
      suspects.set(
        column,
        `suspected target leakage: predicts the outcome almost perfectly on its own (AUC ${value.toFixed(3)})`,
      );
    }
  }
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i];
  const prior = positives / n;
  const minimum = Math.max(30, Math.ceil(0.01 * n));
  let f = 0;
  for (const column of encoder.columns) {
    const spec = encoder.features[f];
    const values = matrix[f];
    f += column.kind === 'text' ? column.buckets : 1;
    if (suspects.has(column.column)) continue;
    let filled = 0;
    let filledPositives = 0;
    for (let i = 0; i < n; i++) {
      const missing = spec.type === 'categorical' ? values[i] === 0 : Number.isNaN(values[i]);
      if (!missing) {
        filled++;
        filledPositives += labels[i];
      }
    }
    if (filled < minimum || n - filled < minimum) continue;
    const rate = filledPositives / filled;
    const onlyFor = rate >= 0.99 && prior <= 0.8 ? 'converted' : rate <= 0.01 && prior >= 0.2 ? 'lost' : null;
    if (onlyFor) {
      suspects.set(
        column.column,
        `suspected target leakage: filled almost only for ${onlyFor} leads (${filled} filled, ${Math.round(rate * 1000) / 10}% converted)`,
      );
    }
  }
  return encoder.columns
    .filter((c) => suspects.has(c.column))
    .map((c) => ({ column: c.column, reason: suspects.get(c.column) as string }));
}

/**
 * Flatten nested objects (custom fields, enrichment JSON) into dot-path columns so the model can
 * use them: `{ enrichment: { company: { employees: 40 } } }` → `enrichment.company.employees`.
 */
export function flattenRecord(
  record: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, value] of Object.entries(record)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      flattenRecord(value as Record<string, unknown>, path, out);
    } else out[path] = value;
  }
  return out;
}
