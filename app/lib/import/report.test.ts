import { parse as csvParse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseImport } from './pipeline';
import { errorReportChunks, errorReportHeader, errorsToCsv } from './report';
import type { RowError } from './types';

const errors: RowError[] = [
  { row: 2, column: 'Email', message: "Email: 'bob@' is not a valid email address", severity: 'error' },
  { row: 3, column: 'Notes, "private"', message: 'line one\nline two', severity: 'warning' },
  { row: 4, column: '=HYPERLINK("http://evil")', message: '+1 is not a phone number', severity: 'warning' },
];

describe('errorsToCsv', () => {
  it('writes row, column, message, severity with RFC 4180 quoting and CRLF', () => {
    expect(errorsToCsv(errors.slice(0, 2), { header: true })).toBe(
      'row,column,message,severity\r\n' +
        "2,Email,Email: 'bob@' is not a valid email address,error\r\n" +
        '3,"Notes, ""private""","line one\nline two",warning\r\n',
    );
  });

  it('defuses spreadsheet formulas coming from the uploaded file', () => {
    const [, row] = csvParse(errorsToCsv(errors.slice(2), { header: true })) as string[][];
    expect(row).toEqual(['4', `'=HYPERLINK("http://evil")`, "'+1 is not a phone number", 'warning']);
  });

  it('round-trips through a CSV parser', () => {
    const parsed = csvParse(errorsToCsv(errors.slice(0, 2), { header: true }), { columns: true }) as Record<string, string>[];
    expect(parsed).toEqual(
      errors.slice(0, 2).map((e) => ({ row: String(e.row), column: e.column, message: e.message, severity: e.severity })),
    );
  });

  it('streams a report from import batches', async () => {
    const csv = Buffer.from('Email,Name\nbob@,Bob\nada@example.com,Ada\nada@example.com,Ada again\n');
    const errorBatches = (async function* () {
      for await (const batch of parseImport([csv], { batchSize: 1 })) yield batch.errors;
    })();
    let report = '';
    for await (const chunk of errorReportChunks(errorBatches)) report += chunk;
    expect(report).toBe(
      errorReportHeader() +
        "2,Email,Email: 'bob@' is not a valid email address,error\r\n" +
        '4,Email,duplicate of row 3 in this file,warning\r\n',
    );
  });
});
