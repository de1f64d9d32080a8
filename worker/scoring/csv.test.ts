import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDelimiter, evaluateCsv, readCsv } from './csv';
import { createPrng } from './prng';
import { toCsv, xEducationLike, X_EDUCATION_LEAKY_COLUMNS } from './synthetic';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'leadflow-scoring-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, content, 'utf8');
  return target;
}

describe('detectDelimiter', () => {
  it('finds comma, semicolon, tab and pipe, ignoring delimiters inside quotes', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n4,5,6\n')).toBe(',');
    expect(detectDelimiter('\uFEFF"age";"job";"y"\n30;"admin.";"no"\n41;"blue-collar";"yes"\n')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2\n3\t4\n')).toBe('\t');
    expect(detectDelimiter('a|b|c\n1|2|3\n4|5|6\n')).toBe('|');
    expect(detectDelimiter('"name, full";score;y\n"Doe, Jane";3;yes\n"Roe, Rick";4;no\n')).toBe(';');
  });
});

describe('readCsv', () => {
  it('handles a BOM, semicolons, quoted fields with delimiters and newlines, and duplicate headers', async () => {
    const target = await file('quoted.csv', '\uFEFFid;note;note;y\r\n1;"a; b";"line\nbreak";yes\r\n2;"say ""hi""";x;no\r\n');
    const table = await readCsv(target);
    expect(table.delimiter).toBe(';');
    expect(table.columns).toEqual(['id', 'note', 'note_2', 'y']);
    expect(table.rows).toEqual([
      { id: '1', note: 'a; b', note_2: 'line\nbreak', y: 'yes' },
      { id: '2', note: 'say "hi"', note_2: 'x', y: 'no' },
    ]);
  });
});

describe('evaluateCsv', { timeout: 60_000 }, () => {
  it('cross-validates a bank-style file (";", BOM, yes/no label, "unknown" placeholders)', async () => {
    const prng = createPrng(21);
    const rows = Array.from({ length: 1200 }, () => {
      const age = 20 + prng.int(50);
      const balance = Math.round(prng.normal() * 1500 + 1000);
      const job = ['admin.', 'blue-collar', 'technician', 'student', 'retired', 'unknown'][prng.int(6)];
      const contact = prng.next() < 0.3 ? 'unknown' : 'cellular';
      const z = -2 + (job === 'student' || job === 'retired' ? 1.5 : 0) + (contact === 'cellular' ? 1 : 0) + balance / 2000;
      const y = prng.next() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no';
      // `duration` is known only after the call, and nearly gives the answer away.
      const duration = String(y === 'yes' ? 400 + prng.int(600) : prng.int(390));
      return { age: String(age), job, balance: String(balance), contact, duration, y };
    });
    const target = await file(
      'bank.csv',
      '\uFEFF' + toCsv(rows, ';').replace(/([^;\n]+)/g, (v) => (/^-?\d+$/.test(v) ? v : `"${v}"`)),
    );
    const result = await evaluateCsv(target, { label: 'y', exclude: ['duration', 'emp.var.rate'], folds: 5, seed: 1 });
    expect(result).toMatchObject({ n: 1200, folds: 5, delimiter: ';' });
    expect(result.warnings).toEqual(['--exclude: no column named "emp.var.rate" in the file']);
    expect(result.positives).toBe(rows.filter((r) => r.y === 'yes').length);
    expect(result.auc).toBeGreaterThan(0.7);
    expect(result.excluded).toContainEqual({ column: 'duration', reason: 'excluded by request', folds: 5 });

    // Without --exclude, the leaky column is caught automatically.
    const unguarded = await evaluateCsv(target, { label: 'y', folds: 3 });
    expect(unguarded.excluded.find((e) => e.column === 'duration')?.reason).toMatch(/suspected target leakage/);
  });

  it('reads an X Education-style export with Select placeholders and excluded columns', async () => {
    const target = await file('Leads.csv', toCsv(xEducationLike(1500, 5)));
    const result = await evaluateCsv(target, { label: 'Converted', exclude: X_EDUCATION_LEAKY_COLUMNS, folds: 3, seed: 2 });
    expect(result.n).toBe(1500);
    expect(result.auc).toBeGreaterThan(0.8);
    expect(result.excluded.map((e) => e.column)).toEqual(expect.arrayContaining(['Prospect ID', 'Lead Number', 'Tags']));
  });

  it('finds the label column case-insensitively and fails clearly when it is absent', async () => {
    const target = await file('small.csv', 'a,Outcome\n1,won\n2,lost\n');
    await expect(evaluateCsv(target, { label: 'missing' })).rejects.toThrow(
      /Label column "missing" not found; columns: a, Outcome/,
    );
    await expect(evaluateCsv(target, { label: 'outcome' })).rejects.toThrow(/at least 5 rows of each outcome/);
  });
});
