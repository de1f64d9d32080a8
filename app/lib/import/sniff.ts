// Looking at the first bytes/lines of a file: which delimiter, and is this a CSV at all?
import { leadFieldForHeader } from './mapping';
import type { TextEncodingName } from './decode';

export const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof CANDIDATE_DELIMITERS)[number];

const SNIFF_LINES = 50;

interface SampleLine {
  /** Delimiter counts outside quotes, by candidate (same order as CANDIDATE_DELIMITERS). */
  counts: number[];
  text: string;
}

/**
 * Split a text sample into logical lines (a newline inside quotes does not end a line) and count
 * each candidate delimiter outside quotes. Blank lines are dropped. When the sample is not the
 * whole file its last line may be cut short, so it is dropped too (if there are others).
 */
function sampleLines(text: string, complete: boolean, maxLines = SNIFF_LINES): SampleLine[] {
  const lines: SampleLine[] = [];
  let counts = [0, 0, 0, 0];
  let start = 0;
  let quoted = false;
  let fieldStart = true;
  const codes = CANDIDATE_DELIMITERS.map((d) => d.charCodeAt(0));
  for (let i = 0; i <= text.length && lines.length < maxLines + 1; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (quoted) {
      if (c === 34) {
        if (text.charCodeAt(i + 1) === 34) i++;
        else quoted = false;
      }
      continue;
    }
    if (c === 34 && fieldStart) {
      quoted = true;
      fieldStart = false;
      continue;
    }
    if (c === 10 || c === 13) {
      const line = text.slice(start, i);
      if (line.trim() !== '') lines.push({ counts, text: line });
      counts = [0, 0, 0, 0];
      start = i + 1;
      fieldStart = true;
      continue;
    }
    const k = codes.indexOf(c);
    if (k >= 0) {
      counts[k]++;
      fieldStart = true;
    } else if (c !== 32) {
      fieldStart = false;
    }
  }
  if (!complete && lines.length > 1) lines.pop();
  return lines.slice(0, maxLines);
}

export interface DelimiterGuess {
  delimiter: Delimiter;
  /** False when no candidate appears in the header line (a one-column file, or not a CSV). */
  found: boolean;
}

/**
 * Pick the delimiter among `,` `;` tab `|`: the candidate present in the header line whose count
 * is the same on most of the following lines (quotes respected); ties go to the higher count,
 * then to the order above. A one-column file gets `,`.
 */
export function detectDelimiter(text: string, opts: { complete?: boolean } = {}): DelimiterGuess {
  const lines = sampleLines(text, opts.complete ?? false);
  if (lines.length === 0) return { delimiter: ',', found: false };
  let best = -1;
  let bestScore = 0;
  for (let k = 0; k < CANDIDATE_DELIMITERS.length; k++) {
    const header = lines[0].counts[k];
    if (header === 0) continue;
    const rest = lines.slice(1);
    const consistent = rest.length === 0 ? 1 : rest.filter((l) => l.counts[k] === header).length / rest.length;
    // Consistency matters most: a semicolon file with decimal commas has many commas, unevenly.
    const score = consistent * consistent * 1000 + Math.min(header, 999);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best < 0 ? { delimiter: ',', found: false } : { delimiter: CANDIDATE_DELIMITERS[best], found: true };
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, from: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + length));
}

/** Known binary formats by their first bytes. */
function binaryFormat(head: Uint8Array): string | null {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    const text = ascii(head, 0, Math.min(head.length, 4096));
    if (text.includes('xl/') || text.includes('[Content_Types].xml')) {
      return 'This is an Excel workbook (.xlsx), not a CSV file. In Excel, use File › Save As › CSV UTF-8 and upload that file';
    }
    return 'This is a ZIP archive, not a CSV file. Extract the CSV file from it and upload that';
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) {
    return 'This is an old-style Office file (.xls), not a CSV file. In Excel, use File › Save As › CSV UTF-8 and upload that file';
  }
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return 'This is a PDF document, not a CSV file';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'This is a PNG image, not a CSV file';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'This is a JPEG image, not a CSV file';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'This is a GIF image, not a CSV file';
  if (startsWith(head, [0x1f, 0x8b]))
    return 'This is a gzip-compressed file, not a CSV file. Decompress it and upload the CSV inside';
  if (startsWith(head, [0x52, 0x61, 0x72, 0x21])) return 'This is a RAR archive, not a CSV file';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf])) return 'This is a 7-Zip archive, not a CSV file';
  if (ascii(head, 0, 15) === 'SQLite format 3') return 'This is a SQLite database, not a CSV file';
  return null;
}

export interface NotCsvInput {
  /** The raw first bytes (BOM included). */
  head: Uint8Array;
  encoding: TextEncodingName;
  /** The decoded text of those bytes (BOM stripped). */
  text: string;
  /** True when `text` is the whole file. */
  complete: boolean;
  delimiter: DelimiterGuess;
}

/**
 * Why a file is probably not a CSV (a message for the user), or null when it looks like one.
 * A genuine one-column CSV (header `Email`, one address per line) is a CSV: a file is refused
 * for lacking a delimiter only when its first line is not a header we recognise either.
 */
export function notCsvReason(input: NotCsvInput): string | null {
  const { head, encoding, text } = input;
  const binary = binaryFormat(head);
  if (binary) return binary;
  if (encoding === 'utf-8' || encoding === 'windows-1252') {
    if (head.includes(0)) return 'This file contains binary data (NUL bytes), not text: it is not a CSV file';
  }
  let controls = 0;
  const n = Math.min(text.length, 16384);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) controls++;
  }
  if (n > 0 && controls / n > 0.01) return 'This file contains binary data, not text: it is not a CSV file';

  const start = text.trimStart();
  const lower = start.slice(0, 100).toLowerCase();
  if (lower.startsWith('<!doctype html') || lower.startsWith('<html')) return 'This is an HTML page, not a CSV file';
  if (lower.startsWith('<?xml')) return 'This is an XML document, not a CSV file';
  if (/^<[a-z!?]/.test(lower)) return 'This looks like HTML or XML, not a CSV file';
  if (lower.startsWith('{\\rtf'))
    return 'This is a Rich Text (RTF) document, not a CSV file. Save it as CSV from the program that made it';
  if (start.startsWith('{') || /^\[\s*(?:[{["\d\]]|true|false|null)/.test(start)) {
    return 'This is JSON, not a CSV file';
  }

  if (!input.complete && !/[\r\n]/.test(text)) {
    return 'The first 64 KB of this file contain no line break: it is not a CSV file';
  }
  if (!input.delimiter.found) {
    const lines = sampleLines(text, input.complete);
    const anyDelimiter = lines.some((l) => l.counts.some((c) => c > 0));
    const header = lines[0]?.text.trim().replace(/^"(.*)"$/, '$1') ?? '';
    if (!anyDelimiter && leadFieldForHeader(header) === null) {
      return `No delimiter (comma, semicolon, tab or |) was found and the first line ("${clip(header)}") is not a column header we recognise: this does not look like a CSV file`;
    }
  }
  return null;
}

/** Boolean form of `notCsvReason`. */
export function isProbablyNotCsv(input: NotCsvInput): boolean {
  return notCsvReason(input) !== null;
}

function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
