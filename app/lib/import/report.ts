// The downloadable per-row error report: CSV with columns row, column, message, severity.
// Stream-friendly: write the header once, then each batch's errors as they come.
import type { RowError } from './types';

export const ERROR_REPORT_COLUMNS = ['row', 'column', 'message', 'severity'] as const;
/** Excel only opens UTF-8 CSV correctly with a byte-order mark: write it first when serving a download. */
export const UTF8_BOM = '\uFEFF';

function cell(value: string): string {
  // NOTE: the report holds values from the uploaded file and is opened in spreadsheets: a cell
  // starting with = + - @ would run as a formula (CSV injection), so it is prefixed with '.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header line of the report (CRLF-terminated). */
export function errorReportHeader(): string {
  return `${ERROR_REPORT_COLUMNS.join(',')}\r\n`;
}

/**
 * Errors as CSV lines (CRLF). `header: true` starts with the header line; for streaming, write
 * `errorReportHeader()` once and then `errorsToCsv(batch.errors)` per batch.
 */
export function errorsToCsv(errors: Iterable<RowError>, opts: { header?: boolean } = {}): string {
  let out = opts.header ? errorReportHeader() : '';
  for (const e of errors) out += `${e.row},${cell(e.column)},${cell(e.message)},${e.severity}\r\n`;
  return out;
}

/** The whole report as a stream of text chunks, from batches of errors (e.g. from parseImport). */
export async function* errorReportChunks(
  batches: AsyncIterable<Iterable<RowError>> | Iterable<Iterable<RowError>>,
): AsyncGenerator<string, void, undefined> {
  yield errorReportHeader();
  for await (const errors of batches) {
    const text = errorsToCsv(errors);
    if (text) yield text;
  }
}
