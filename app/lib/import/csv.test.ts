import { parse as csvParse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvRecordReader, type CsvRecord } from './csv';

function read(text: string | string[], delimiter = ',', maxRecordChars?: number): CsvRecord[] {
  const reader = new CsvRecordReader({ delimiter, maxRecordChars });
  const out: CsvRecord[] = [];
  for (const chunk of typeof text === 'string' ? [text] : text) reader.push(chunk, out);
  reader.end(out);
  return out;
}

const cells = (records: CsvRecord[]) => records.map((r) => r.cells);

describe('CsvRecordReader', () => {
  it('reads plain records with LF, CRLF and CR line endings, mixed', () => {
    expect(cells(read('a,b\n1,2\r\n3,4\r5,6'))).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and newlines', () => {
    expect(cells(read('"a,b","say ""hi""","line 1\r\nline 2\nline 3"\n'))).toEqual([
      ['a,b', 'say "hi"', 'line 1\r\nline 2\nline 3'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(cells(read('a,,c,\n,,\n'))).toEqual([
      ['a', '', 'c', ''],
      ['', '', ''],
    ]);
    expect(cells(read('a,b,'))).toEqual([['a', 'b', '']]);
  });

  it('numbers rows like a spreadsheet: blank lines count, a multi-line record is one row', () => {
    const records = read('h1,h2\n\n"x\ny",1\r\n\r\n\n2,3\n');
    expect(records.map((r) => [r.row, r.cells[0]])).toEqual([
      [1, 'h1'],
      [3, 'x\ny'],
      [6, '2'],
    ]);
  });

  it('is lenient like spreadsheet exports: stray quotes, text after a closing quote, spaces before a quote', () => {
    expect(cells(read('5" screen,"a"b, "c, d" ,e\n'))).toEqual([['5" screen', 'ab', 'c, d', 'e']]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'name,"note"\r\n"Ada","multi\r\nline ""quoted"", with comma"\r\n\r\nGrace,plain\rAlan,"x"\n';
    const whole = read(text);
    for (let i = 0; i <= text.length; i++) {
      expect(read([text.slice(0, i), text.slice(i)])).toEqual(whole);
    }
    expect(read(text.split(''))).toEqual(whole);
  });

  it('recovers from an unclosed quote at the end: that row is reported, the rows after it are read', () => {
    const records = read('a,b\n1,"unclosed\n2,3\n4,5\n');
    expect(records.map((r) => [r.row, r.cells, r.problem !== undefined])).toEqual([
      [1, ['a', 'b'], false],
      [2, ['1', '"unclosed'], true],
      [3, ['2', '3'], false],
      [4, ['4', '5'], false],
    ]);
    expect(records[1].problem).toMatch(/never closed/);
  });

  it('recovers from an unclosed quote in the middle of a large file without holding the rest in memory', () => {
    const reader = new CsvRecordReader({ delimiter: ',', maxRecordChars: 1000 });
    const out: CsvRecord[] = [];
    reader.push('a,b\n1,"oops\n', out);
    for (let i = 2; i < 200; i++) reader.push(`${i},x\n`, out);
    reader.end(out);
    const bad = out.filter((r) => r.problem);
    expect(bad.map((r) => r.row)).toEqual([2]);
    // The text after the bad row is read normally again (the quote is closed by no later row).
    expect(out.at(-1)).toEqual({ row: 200, cells: ['199', 'x'] });
  });

  it('skips a line longer than the limit and reports it', () => {
    const long = 'x'.repeat(5000);
    const records = read(['a,b\n', long.slice(0, 2000), long.slice(2000), '\r', '\n1,2\n'], ',', 1000);
    expect(records.map((r) => [r.row, r.problem ? 'too long' : r.cells.join('|')])).toEqual([
      [1, 'a|b'],
      [2, 'too long'],
      [3, '1|2'],
    ]);
  });

  it('supports ; tab and | delimiters', () => {
    expect(cells(read('a;b\n"1;2";3', ';'))).toEqual([
      ['a', 'b'],
      ['1;2', '3'],
    ]);
    expect(cells(read('a\tb\n1,2\t3', '\t'))).toEqual([
      ['a', 'b'],
      ['1,2', '3'],
    ]);
    expect(cells(read('a|b\n1|2', '|'))).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('agrees with csv-parse on generated well-formed CSV', () => {
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['a', 'b', 'é', ' ', ',', ';', '"', '\n', '\r\n', 'x', '1', '€'];
    const field = () => {
      const n = Math.floor(random() * 6);
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      // Quote when needed (or sometimes anyway), as a CSV writer does.
      const needs = /[",\r\n;]/.test(s) || s.startsWith(' ');
      return needs || random() < 0.2 ? `"${s.replace(/"/g, '""')}"` : s;
    };
    for (let round = 0; round < 200; round++) {
      const width = 1 + Math.floor(random() * 5);
      const lines: string[] = [];
      const rows = 1 + Math.floor(random() * 8);
      for (let r = 0; r < rows; r++) lines.push(Array.from({ length: width }, field).join(','));
      const text = lines.join(random() < 0.5 ? '\n' : '\r\n');
      const expected = csvParse(text, {
        relax_column_count: true,
        skip_empty_lines: true,
        record_delimiter: ['\r\n', '\n', '\r'],
      }) as string[][];
      // csv-parse drops a lone empty line; so do we (a one-column record with an empty value is a blank row).
      const ours = cells(read(text));
      expect(ours, JSON.stringify(text)).toEqual(expected);
    }
  });
});
