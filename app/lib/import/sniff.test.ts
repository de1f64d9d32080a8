import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from './decode';
import { detectDelimiter, isProbablyNotCsv, notCsvReason } from './sniff';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

function reasonFor(bytes: Uint8Array): string | null {
  const { encoding, bomBytes } = detectEncoding(bytes);
  const text = new TextDecoder(encoding).decode(bytes.subarray(bomBytes), { stream: true });
  return notCsvReason({ head: bytes, encoding, text, complete: true, delimiter: detectDelimiter(text, { complete: true }) });
}

describe('detectDelimiter', () => {
  it.each([
    ['crlf.csv', ','],
    ['semicolon.csv', ';'],
    ['tab.tsv', '\t'],
    ['pipe.csv', '|'],
    ['quoted.csv', ','],
  ])('%s → %j', (name, delimiter) => {
    expect(detectDelimiter(fixture(name).toString('utf8'), { complete: true })).toEqual({ delimiter, found: true });
  });

  it('prefers the delimiter that is consistent over the one that is frequent', () => {
    // Decimal commas in a semicolon file: more commas than semicolons on some lines.
    const text = 'Name;Amount;Note\nA;1,5;x,y,z\nB;2,25;\nC;3;a\n';
    expect(detectDelimiter(text, { complete: true }).delimiter).toBe(';');
  });

  it('ignores delimiters inside quotes, including quoted newlines', () => {
    const text = 'Email\tNote\n"a@x.com"\t"one, two; three"\nb@x.com\t"multi\nline, with, commas"\n';
    expect(detectDelimiter(text, { complete: true }).delimiter).toBe('\t');
  });

  it('does not trust a last line cut off by the sample', () => {
    const text = 'a;b;c\n1;2;3\n4;5;6\n7;8,9,10,11,12,13';
    expect(detectDelimiter(text, { complete: false }).delimiter).toBe(';');
  });

  it('reports no delimiter for a one-column file', () => {
    expect(detectDelimiter('Email\na@x.com\n', { complete: true })).toEqual({ delimiter: ',', found: false });
  });
});

describe('notCsvReason', () => {
  it.each([
    ['image.png', /PNG image/],
    ['workbook.xlsx', /Excel workbook \(\.xlsx\).*Save As/],
    ['archive.zip', /ZIP archive/],
    ['page.html', /HTML page/],
    ['data.json', /JSON/],
    ['letter.txt', /No delimiter.*"Dear Sir or Madam"/],
  ])('%s is not a CSV', (name, message) => {
    const reason = reasonFor(fixture(name));
    expect(reason).toMatch(message);
  });

  it.each([
    'one-column-emails.csv',
    'crlf.csv',
    'semicolon.csv',
    'tab.tsv',
    'utf16le-bom.csv',
    'utf16be-no-bom.csv',
    'windows-1252.csv',
    'hubspot.csv',
  ])('%s is a CSV', (name) => {
    expect(reasonFor(fixture(name))).toBeNull();
  });

  it('refuses binary data, XML, PDF and a text without line breaks', () => {
    expect(reasonFor(Buffer.from([0x41, 0x2c, 0x42, 0x0a, 0x00, 0x01, 0x02, 0x03, 0x0a]))).toMatch(/binary/);
    expect(reasonFor(Buffer.from('<?xml version="1.0"?>\n<leads/>'))).toMatch(/XML/);
    expect(reasonFor(Buffer.from('%PDF-1.7\n...'))).toMatch(/PDF/);
    const text = 'a,'.repeat(40_000);
    expect(
      notCsvReason({ head: Buffer.from(text), encoding: 'utf-8', text, complete: false, delimiter: detectDelimiter(text) }),
    ).toMatch(/no line break/);
  });

  it('accepts a one-column file only when its header is a lead field', () => {
    expect(reasonFor(Buffer.from('E-mail Address\nada@example.com\n'))).toBeNull();
    expect(reasonFor(Buffer.from('Phone\n+44 20 7946 0958\n'))).toBeNull();
    expect(reasonFor(Buffer.from('Hello there\nhow are you\n'))).toMatch(/No delimiter/);
  });

  it('has a boolean form', () => {
    const text = '{"a":1}';
    expect(
      isProbablyNotCsv({ head: Buffer.from(text), encoding: 'utf-8', text, complete: true, delimiter: detectDelimiter(text) }),
    ).toBe(true);
  });
});
