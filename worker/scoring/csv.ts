/**
 * CSV input for `leadflow model evaluate`: reads any CSV (comma, semicolon, tab or pipe; BOM;
 * quoted fields) into rows and cross-validates the predictive model on it. The CLI command
 * itself (argument parsing, printing) lives with the other commands.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { crossValidate, type CrossValidationResult, type TrainingProgress } from './model';

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * Pick the delimiter from the first lines: the candidate that appears (outside quotes) in the
 * header and the same number of times on the following lines; ties go to the most frequent.
 */
export function detectDelimiter(sample: string): string {
  const text = sample.charCodeAt(0) === 0xfeff ? sample.slice(1) : sample;
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 20);
  // The last line of a sample may be cut short.
  if (lines.length > 2) lines.pop();
  let best: string = ',';
  let bestScore = 0;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const counts = lines.map((line) => countOutsideQuotes(line, delimiter));
    const header = counts[0] ?? 0;
    if (header === 0) continue;
    const consistent = counts.filter((c) => c === header).length / counts.length;
    const score = header * consistent * consistent;
    if (score > bestScore) {
      bestScore = score;
      best = delimiter;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}

async function readSample(path: string, bytes = 65_536): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
  delimiter: string;
}

/** Stream a CSV file into memory rows keyed by header (duplicate headers get a `_2` suffix). */
export async function readCsv(path: string, options: { delimiter?: string } = {}): Promise<CsvTable> {
  const delimiter = options.delimiter ?? detectDelimiter(await readSample(path));
  let columns: string[] = [];
  const parser = createReadStream(path).pipe(
    parse({
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      columns: (header: string[]) => {
        const seen = new Map<string, number>();
        columns = header.map((raw) => {
          const name = raw.trim();
          const count = (seen.get(name) ?? 0) + 1;
          seen.set(name, count);
          return count === 1 ? name : `${name}_${count}`;
        });
        return columns;
      },
    }),
  );
  const rows: Record<string, string>[] = [];
  for await (const record of parser as AsyncIterable<Record<string, string>>) rows.push(record);
  return { columns, rows, delimiter };
}

export interface EvaluateCsvOptions {
  label: string;
  positive?: string;
  exclude?: readonly string[];
  folds?: number;
  seed?: number;
  onProgress?: (progress: TrainingProgress) => void;
}

export interface EvaluateCsvResult extends CrossValidationResult {
  delimiter: string;
  /** E.g. an --exclude name that is not a column of the file (ignored, not fatal). */
  warnings: string[];
}

/**
 * `leadflow model evaluate --csv <file> --label <column> [--positive v] [--exclude a,b]
 * [--folds 5] [--seed 1]`: stratified cross-validation of the predictive model on a CSV.
 * Print `{auc, accuracy, logloss, n, positives, folds}` (the rest is detail).
 */
export async function evaluateCsv(path: string, options: EvaluateCsvOptions): Promise<EvaluateCsvResult> {
  const table = await readCsv(path);
  if (!table.columns.includes(options.label)) {
    const wanted = options.label.trim().toLowerCase();
    const match = table.columns.find((c) => c.toLowerCase() === wanted);
    if (!match) throw new Error(`Label column "${options.label}" not found; columns: ${table.columns.join(', ')}`);
    options = { ...options, label: match };
  }
  const result = crossValidate(table.rows, {
    label: options.label,
    positive: options.positive,
    exclude: options.exclude,
    folds: options.folds ?? 5,
    seed: options.seed ?? 1,
    onProgress: options.onProgress,
  });
  const known = new Set(table.columns.map((c) => c.toLowerCase()));
  const warnings = (options.exclude ?? [])
    .filter((c) => !known.has(c.trim().toLowerCase()))
    .map((c) => `--exclude: no column named "${c}" in the file`);
  return { ...result, delimiter: table.delimiter === '\t' ? 'tab' : table.delimiter, warnings };
}
