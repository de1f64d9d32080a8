// File → batches of normalised leads and row errors, streaming. No database here: the worker
// task, the CLI and the upload UI consume these batches.
//
// Guarantee for "an unusable file changes nothing": every file-level check (empty, not a CSV,
// header only, no identifying column, no row matching the header) runs before the first batch
// is yielded, so a caller that writes per batch has written nothing when UnusableFileError is
// thrown. Problems found later are row errors.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { CsvRecordReader, type CsvRecord } from './csv';
import { defaultDateOrder, sniffDateOrder } from './dates';
import { openDecoded, type ByteSource, type DecodedSource, type TextEncodingName } from './decode';
import { FirstSeenIndex } from './dedupe';
import { autoMapHeaders, IDENTIFYING_RULE, validateMapping, type MappingValidation } from './mapping';
import { normaliseRow, type NormaliseOptions, type NormalisedRow } from './rows';
import { detectDelimiter, notCsvReason, type Delimiter } from './sniff';
import { UnusableFileError, type DateOrder, type LeadInput, type Mapping, type RowError } from './types';

/** The caller's default country, upper-cased; an unknown code is a configuration error. */
function checkedCountry(country: string | undefined): CountryCode | undefined {
  if (country === undefined || country === '') return undefined;
  const code = country.toUpperCase();
  if (!isSupportedCountry(code))
    throw new RangeError(`Unknown default country "${country}" (expected an ISO 3166-1 alpha-2 code such as US or DE)`);
  return code;
}

/** Data rows read before the first batch: for date-order sniffing and the column-count check. */
export const SNIFF_ROWS = 1000;
export const DEFAULT_BATCH_SIZE = 2000;

export interface DateOrderDecision {
  order: DateOrder;
  /** option: given by the caller; sniffed: decided by values in the file; default: nothing decided it. */
  source: 'option' | 'sniffed' | 'default';
  /** The sampled values disagree (some day-first only, some month-first only). */
  mixed: boolean;
}

export interface ImportFileInfo {
  encoding: TextEncodingName;
  delimiter: Delimiter;
  headers: string[];
  mapping: Mapping;
  /** Null when no column is mapped to createdAt. */
  dateOrder: DateOrderDecision | null;
  /** File-level notes for the user (e.g. "no email column: no duplicate detection"). */
  warnings: string[];
}

export interface ImportedLead {
  row: number;
  lead: LeadInput;
  /** Set when an earlier row of the file has the same email: the caller merges or skips. */
  duplicateOf?: number;
}

export interface ImportBatch {
  leads: ImportedLead[];
  /** Row errors (rejected rows) and warnings (values dropped, in-file duplicates) of this batch. */
  errors: RowError[];
  /** Data rows read so far (header and blank rows not counted). */
  rowsRead: number;
  /** Bytes taken from the source so far. */
  bytesRead: number;
}

export interface ParseImportOptions extends Omit<NormaliseOptions, 'defaultCountry'> {
  /** ISO 3166-1 alpha-2 (any case) for national phone numbers and the default date order. */
  defaultCountry?: string;
  /** Column mapping (from the mapping UI); auto-mapped from the headers when absent. */
  mapping?: Mapping;
  /** Detect repeated emails within the file (default true). */
  dedupeInFile?: boolean;
  /** Leads + errors per batch (default 2000). */
  batchSize?: number;
  onProgress?(rowsRead: number, bytesRead: number): void;
  /** Called once the file is accepted, before the first batch. */
  onStart?(info: ImportFileInfo): void;
}

/** An opened file: header read, mapping decided, first rows buffered. */
interface OpenedImport {
  info: ImportFileInfo;
  validation: MappingValidation;
  /** Number of columns the header defines (trailing empty header cells not counted). */
  width: number;
  /** Records after the header, the buffered window first. */
  records: AsyncGenerator<CsvRecord[], void, undefined>;
  decoded: DecodedSource;
  /** Data rows in the buffered window (the whole file when it is small). */
  window: CsvRecord[];
  ended: boolean;
}

function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) {
    for (let i = 0; i < cell.length; i++) if (cell.charCodeAt(i) > 32) return false;
  }
  return true;
}

async function* recordsOf(
  decoded: DecodedSource,
  reader: CsvRecordReader,
  first: string | undefined,
): AsyncGenerator<CsvRecord[], void, undefined> {
  if (first !== undefined) {
    const out: CsvRecord[] = [];
    reader.push(first, out);
    if (out.length) yield out;
  }
  for await (const text of decoded.chunks) {
    const out: CsvRecord[] = [];
    reader.push(text, out);
    if (out.length) yield out;
  }
  const out: CsvRecord[] = [];
  reader.end(out);
  if (out.length) yield out;
}

function columnProblem(record: CsvRecord, width: number): string | null {
  const n = record.cells.length;
  if (n === width) return null;
  if (n < width)
    return `The row has ${n} ${n === 1 ? 'column' : 'columns'} but the header has ${width}: a value is missing or a delimiter is lost. Row not imported`;
  for (let i = width; i < n; i++) {
    if (record.cells[i].trim() !== '') {
      return `The row has ${n} columns but the header has ${width}: a value probably contains an unquoted delimiter. Row not imported`;
    }
  }
  return null; // only empty cells after the last column (trailing delimiters)
}

async function openImport(
  source: ByteSource,
  opts: { mapping?: Mapping; dateOrder?: DateOrder; defaultCountry?: string; strictMapping: boolean; windowRows: number },
): Promise<OpenedImport> {
  const decoded = await openDecoded(source);
  try {
    const firstStep = await decoded.chunks.next();
    const firstText = firstStep.done ? '' : firstStep.value;
    const complete = decoded.headIsWholeFile;
    if (firstText.trim() === '' && complete) throw new UnusableFileError('empty', 'The file is empty');

    const delimiter = detectDelimiter(firstText, { complete });
    const notCsv = notCsvReason({ head: decoded.head, encoding: decoded.encoding, text: firstText, complete, delimiter });
    if (notCsv) throw new UnusableFileError('not_csv', notCsv);

    const reader = new CsvRecordReader({ delimiter: delimiter.delimiter });
    const records = recordsOf(decoded, reader, firstStep.done ? undefined : firstText);

    // Header: the first record with any content.
    let header: CsvRecord | undefined;
    let pending: CsvRecord[] = [];
    let ended = false;
    while (!header) {
      const step = await records.next();
      if (step.done) {
        ended = true;
        break;
      }
      const k = step.value.findIndex((r) => r.problem !== undefined || !isBlank(r.cells));
      if (k >= 0) {
        header = step.value[k];
        pending = step.value.slice(k + 1);
      }
    }
    if (!header) throw new UnusableFileError('empty', 'The file is empty');
    if (header.problem) {
      throw new UnusableFileError(
        'not_csv',
        'The header row cannot be read (a quote in it is never closed, or it is too long): this does not look like a CSV file',
      );
    }

    const headers = header.cells.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
    let width = headers.length;
    while (width > 1 && headers[width - 1] === '') width--;
    headers.length = width;

    let mapping: Mapping;
    if (opts.mapping) {
      mapping = opts.mapping;
      const foreign = mapping.find((m) => m.header !== '' && headers[m.index] !== undefined && m.header !== headers[m.index]);
      if (foreign) {
        throw new UnusableFileError(
          'invalid_mapping',
          `The mapping does not match this file: column ${foreign.index + 1} is "${headers[foreign.index]}", not "${foreign.header}"`,
        );
      }
    } else {
      mapping = autoMapHeaders(headers);
    }
    const validation = validateMapping(mapping, { columnCount: width });
    if (opts.strictMapping && !validation.ok) {
      const identifying = validation.errors.includes(IDENTIFYING_RULE);
      const message =
        identifying && !opts.mapping
          ? `No column could be identified as an email, a phone, or a name with a company (columns: ${headers.map((h) => `"${h}"`).join(', ')}). ${IDENTIFYING_RULE}`
          : validation.errors.join('. ');
      throw new UnusableFileError(identifying ? 'no_identifying_column' : 'invalid_mapping', message);
    }

    // Buffer the first data rows.
    const window: CsvRecord[] = [];
    const take = (batch: CsvRecord[]) => {
      for (const r of batch) if (r.problem !== undefined || !isBlank(r.cells)) window.push(r);
    };
    take(pending);
    while (!ended && window.length < opts.windowRows) {
      const step = await records.next();
      if (step.done) ended = true;
      else take(step.value);
    }
    if (window.length === 0 && ended) throw new UnusableFileError('header_only', 'The file has a header row but no data rows');
    if (window.length > 0 && window.every((r) => r.problem !== undefined || columnProblem(r, width) !== null)) {
      const counts = [...new Set(window.slice(0, 50).map((r) => r.cells.length))].slice(0, 5).join(', ');
      const shown = delimiter.delimiter === '\t' ? 'tab' : `"${delimiter.delimiter}"`;
      throw new UnusableFileError(
        'inconsistent_columns',
        `No row matches the header: the header has ${width} columns (split on ${shown}), the rows have ${counts}. Check that the file is a CSV with one header row`,
      );
    }

    let dateOrder: DateOrderDecision | null = null;
    const dateColumn = mapping.find((m) => m.field === 'createdAt');
    if (dateColumn) {
      if (opts.dateOrder) dateOrder = { order: opts.dateOrder, source: 'option', mixed: false };
      else {
        const guess = sniffDateOrder(window.map((r) => r.cells[dateColumn.index] ?? ''));
        const mixed = guess.dayFirst > 0 && guess.monthFirst > 0;
        dateOrder = guess.order
          ? { order: guess.order, source: 'sniffed', mixed }
          : { order: defaultDateOrder(opts.defaultCountry), source: 'default', mixed };
      }
    }

    const info: ImportFileInfo = {
      encoding: decoded.encoding,
      delimiter: delimiter.delimiter,
      headers,
      mapping,
      dateOrder,
      warnings: [...validation.warnings],
    };
    if (dateOrder?.mixed) {
      info.warnings.push(
        `The "${dateColumn!.header}" column mixes day-first and month-first dates; read as ${dateOrder.order === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'}, the other rows are reported`,
      );
    }
    return { info, validation, width, records, decoded, window, ended };
  } catch (error) {
    await decoded.close();
    throw error;
  }
}

/**
 * Stream a CSV file as batches of normalised leads and row errors.
 *
 * Throws UnusableFileError (before yielding anything) for an empty file, a file that is not a
 * CSV, a header without data rows, no column that identifies a lead, or rows that never match
 * the header. Blank rows are skipped. Row numbers are spreadsheet rows (header = 1).
 */
export async function* parseImport(
  source: ByteSource,
  opts: ParseImportOptions = {},
): AsyncGenerator<ImportBatch, void, undefined> {
  const defaultCountry = checkedCountry(opts.defaultCountry);
  const opened = await openImport(source, {
    mapping: opts.mapping,
    dateOrder: opts.dateOrder,
    defaultCountry,
    strictMapping: true,
    windowRows: SNIFF_ROWS,
  });
  const { info, width, decoded } = opened;
  const normaliseOptions: NormaliseOptions = { defaultCountry, dateOrder: info.dateOrder?.order };
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const emailHeader = info.mapping.find((m) => m.field === 'email')?.header ?? 'email';
  const seen = opts.dedupeInFile === false ? null : new FirstSeenIndex();
  const mapping = info.mapping;

  let rowsRead = 0;
  let leads: ImportedLead[] = [];
  let errors: RowError[] = [];
  let inBatch = 0;

  const handle = (record: CsvRecord): void => {
    const { row, cells } = record;
    if (record.problem !== undefined) {
      rowsRead++;
      inBatch++;
      errors.push({ row, column: '', message: record.problem, severity: 'error' });
      return;
    }
    if (isBlank(cells)) return;
    rowsRead++;
    inBatch++;
    const shape = columnProblem(record, width);
    if (shape) {
      errors.push({ row, column: '', message: shape, severity: 'error' });
      return;
    }
    const result: NormalisedRow = normaliseRow(cells, mapping, row, normaliseOptions);
    if (!result.ok) {
      for (const e of result.errors) errors.push(e);
      return;
    }
    for (const w of result.warnings) errors.push(w);
    const item: ImportedLead = { row, lead: result.lead };
    if (seen && result.lead.email !== undefined) {
      const first = seen.firstRowOrAdd(result.lead.email, row);
      if (first) {
        item.duplicateOf = first;
        errors.push({ row, column: emailHeader, message: `duplicate of row ${first} in this file`, severity: 'warning' });
      }
    }
    leads.push(item);
  };

  const flush = (): ImportBatch => {
    const batch: ImportBatch = { leads, errors, rowsRead, bytesRead: decoded.bytesRead() };
    leads = [];
    errors = [];
    inBatch = 0;
    opts.onProgress?.(batch.rowsRead, batch.bytesRead);
    return batch;
  };

  try {
    opts.onStart?.(info);
    for (const record of opened.window) {
      handle(record);
      if (inBatch >= batchSize) yield flush();
    }
    opened.window.length = 0;
    if (!opened.ended) {
      for await (const records of opened.records) {
        for (const record of records) {
          handle(record);
          if (inBatch >= batchSize) yield flush();
        }
      }
    }
    if (inBatch > 0) yield flush();
  } finally {
    await opened.records.return(undefined);
    await decoded.close();
  }
}

export interface PreviewOptions extends Omit<NormaliseOptions, 'defaultCountry'> {
  defaultCountry?: string;
  /** Sample rows to return (default 20). */
  rows?: number;
  mapping?: Mapping;
  /** Size of the file when known (upload size), echoed and used to estimate the row count. */
  totalBytes?: number;
}

export interface ImportPreview extends ImportFileInfo {
  /** Is the mapping importable as it stands (errors and warnings for the mapping UI)? */
  validation: MappingValidation;
  /** The first rows as read (cells by column index). */
  sampleRows: Array<{ row: number; cells: string[] }>;
  /** The same rows normalised with the mapping (what the import would do). */
  sampleResults: Array<{ row: number; result: NormalisedRow | { ok: false; errors: RowError[] } }>;
  totalBytes?: number;
  /** Rough row count from the sample's bytes per row (when totalBytes is known). */
  estimatedRows?: number;
}

/**
 * Read just enough of a file for the upload screen: encoding, delimiter, headers, the proposed
 * mapping and its validation, and the first rows raw and normalised. Stops reading (and
 * destroys the stream) after the sample. Throws UnusableFileError for files that cannot be
 * imported whatever the mapping; mapping problems are returned in `validation` instead.
 */
export async function previewImport(source: ByteSource, opts: PreviewOptions = {}): Promise<ImportPreview> {
  const wanted = Math.max(1, opts.rows ?? 20);
  const defaultCountry = checkedCountry(opts.defaultCountry);
  const opened = await openImport(source, {
    mapping: opts.mapping,
    dateOrder: opts.dateOrder,
    defaultCountry,
    strictMapping: false,
    windowRows: Math.max(wanted, SNIFF_ROWS), // same window as parseImport: same date-order decision
  });
  try {
    const { info, width, window } = opened;
    const normaliseOptions: NormaliseOptions = { defaultCountry, dateOrder: info.dateOrder?.order };
    const sample = window.slice(0, wanted);
    const sampleResults = sample.map((record) => {
      const shape = record.problem ?? columnProblem(record, width);
      if (shape)
        return {
          row: record.row,
          result: { ok: false as const, errors: [{ row: record.row, column: '', message: shape, severity: 'error' as const }] },
        };
      return { row: record.row, result: normaliseRow(record.cells, info.mapping, record.row, normaliseOptions) };
    });
    const preview: ImportPreview = {
      ...info,
      validation: opened.validation,
      sampleRows: sample.map((r) => ({ row: r.row, cells: r.cells })),
      sampleResults,
    };
    if (opts.totalBytes !== undefined) {
      preview.totalBytes = opts.totalBytes;
      if (opened.ended) preview.estimatedRows = window.length;
      else if (window.length > 0) {
        const read = opened.decoded.bytesRead();
        preview.estimatedRows = Math.round((opts.totalBytes / read) * window.length);
      }
    }
    return preview;
  } finally {
    await opened.records.return(undefined);
    await opened.decoded.close();
  }
}
