/**
 * The import through the database: every edge case file of the parser's fixtures imported for
 * real (as the app role), dedup merge/skip, dry runs, unusable files that change nothing, and the
 * CLI's JSON and exit codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, uniqueSlug } from '../../test/helpers';
import { createTenant } from './tenant.server';
import { importLeads, importRowIds } from './lead-import.server';
import { UnusableFileError } from '../lib/import';
import { runCli } from '../../scripts/cli';

const FIXTURES = path.resolve(import.meta.dirname, '../lib/import/fixtures');
const fixture = (name: string) => fs.createReadStream(path.join(FIXTURES, name));
const actor = { type: 'import' as const, id: 'test' };

async function newTenant() {
  const t = await createTenant(appDatabase(), { slug: uniqueSlug('imp'), name: 'Import Co' });
  return t;
}

async function leadsOf(tenantId: string) {
  const r = await appDatabase().withTenant(tenantId, (tx) =>
    tx.execute<{ email: string | null; first_name: string | null; last_name: string | null; company_name: string | null; custom: Record<string, string> }>(
      sql`select email, first_name, last_name, company_name, custom from leads order by email nulls last, first_name`,
    ),
  );
  return r.rows;
}

describe('CSV import into the database', () => {
  it.each([
    ['utf8-bom.csv'],
    ['utf8-no-bom.csv'],
    ['utf16le-bom.csv'],
    ['utf16be-no-bom.csv'],
    ['windows-1252.csv'],
    ['semicolon.csv'],
    ['tab.tsv'],
    ['pipe.csv'],
    ['crlf.csv'],
    ['quoted.csv'],
    ['blank-lines.csv'],
    ['hubspot.csv'],
    ['salesforce.csv'],
    ['one-column-emails.csv'],
  ])('imports %s: every accepted row becomes a lead', async (name) => {
    const t = await newTenant();
    const summary = await importLeads(appDatabase(), t.id, fixture(name), { dedupe: 'merge', actor });
    const rejected = summary.errors.filter((e) => e.severity === 'error').length;
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.inserted + summary.updated + summary.skipped + rejected).toBe(summary.rows);
    const rows = await leadsOf(t.id);
    expect(rows.length).toBe(summary.inserted);
    // Every lead has an 'imported' event.
    const ev = await appDatabase().withTenant(t.id, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events where type = 'imported'`));
    expect(ev.rows[0].n).toBe(summary.inserted);
  });

  it('decodes Windows-1252 and quoted fields faithfully', async () => {
    const t = await newTenant();
    await importLeads(appDatabase(), t.id, fixture('windows-1252.csv'), { dedupe: 'merge', actor });
    const rows = await leadsOf(t.id);
    expect(rows).toContainEqual(expect.objectContaining({ email: 'jose@example.es', first_name: 'José', last_name: 'Muñoz', company_name: 'Café Olé' }));
    const q = await newTenant();
    await importLeads(appDatabase(), q.id, fixture('quoted.csv'), { dedupe: 'merge', actor });
    const quoted = await leadsOf(q.id);
    expect(quoted.some((r) => (r.company_name ?? '').includes(','))).toBe(true);
  });

  it('merges in-file duplicates and known emails (fill empty, never overwrite), or skips them', async () => {
    const t = await newTenant();
    const merged = await importLeads(appDatabase(), t.id, fixture('duplicates.csv'), { dedupe: 'merge', actor });
    expect(merged).toMatchObject({ rows: 5, inserted: 3, updated: 2, skipped: 0 });
    const ada = (await leadsOf(t.id)).find((r) => r.email === 'ada@example.com');
    expect(ada).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' }); // not overwritten by King/Byron
    const conflicts = await appDatabase().withTenant(t.id, (tx) =>
      tx.execute<{ payload: { conflicts: Array<{ field: string; incoming: string }> } }>(sql`select payload from lead_events where type = 'merged' order by occurred_at`),
    );
    expect(conflicts.rows.flatMap((r) => r.payload.conflicts.map((c) => c.incoming))).toEqual(expect.arrayContaining(['King', 'Byron']));

    const again = await importLeads(appDatabase(), t.id, fixture('duplicates.csv'), { dedupe: 'skip', actor });
    expect(again).toMatchObject({ rows: 5, inserted: 0, updated: 0, skipped: 5 });
    expect(await leadsOf(t.id)).toHaveLength(3);
  });

  it('reports per-row errors with row numbers and still imports the good rows', async () => {
    const t = await newTenant();
    const summary = await importLeads(appDatabase(), t.id, fixture('invalid-emails.csv'), { dedupe: 'merge', actor });
    const errors = summary.errors.filter((e) => e.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.row).toBeGreaterThan(1);
      expect(e.message).toMatch(/email/i);
    }
    expect(summary.inserted).toBe(summary.rows - errors.length);
  });

  it('keeps unknown columns as custom fields (auto-mapped) and defines them for the tenant', async () => {
    const t = await newTenant();
    await importLeads(appDatabase(), t.id, fixture('unknown-columns.csv'), { dedupe: 'merge', actor });
    const rows = await leadsOf(t.id);
    expect(rows[0].custom).toMatchObject({ favourite_colour: 'Blue', shoe_size: '38' });
    const defs = await appDatabase().withTenant(t.id, (tx) => tx.execute<{ key: string; label: string }>(sql`select key, label from custom_field_definitions order by key`));
    expect(defs.rows).toEqual(expect.arrayContaining([{ key: 'favourite_colour', label: 'Favourite Colour' }, { key: 'shoe_size', label: 'Shoe Size' }]));
  });

  it.each([['empty.csv'], ['header-only.csv'], ['image.png'], ['archive.zip'], ['page.html'], ['data.json'], ['workbook.xlsx'], ['no-identifying-column.csv'], ['inconsistent.csv']])(
    'refuses %s as unusable and writes nothing',
    async (name) => {
      const t = await newTenant();
      await expect(importLeads(appDatabase(), t.id, fixture(name), { dedupe: 'merge', actor })).rejects.toBeInstanceOf(UnusableFileError);
      expect(await leadsOf(t.id)).toHaveLength(0);
    },
  );

  it('a dry run counts what would happen and writes nothing', async () => {
    const t = await newTenant();
    await importLeads(appDatabase(), t.id, fixture('utf8-no-bom.csv'), { dedupe: 'merge', actor });
    const before = await leadsOf(t.id);
    const dry = await importLeads(appDatabase(), t.id, fixture('duplicates.csv'), { dedupe: 'merge', actor, dryRun: true });
    expect(dry.inserted + dry.updated).toBe(5);
    expect(await leadsOf(t.id)).toEqual(before);
  });

  it('streams a 20,000-row generated file in batches', async () => {
    const t = await newTenant();
    function* gen() {
      yield 'Email,First Name,Company\n';
      for (let i = 0; i < 20_000; i++) yield `user${i}@bulk.example,User ${i},Bulk ${i % 50}\n`;
    }
    const summary = await importLeads(appDatabase(), t.id, Readable.from(gen()), { dedupe: 'merge', actor, maxErrorsInSummary: 10 });
    expect(summary).toMatchObject({ rows: 20_000, inserted: 20_000, updated: 0, skipped: 0 });
  });
});

describe('leadflow import / export (CLI)', () => {
  let slug: string;
  beforeAll(async () => {
    slug = (await newTenant()).slug;
  });
  async function run(argv: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const code = await runCli(argv, { stdin: Object.assign(Readable.from([]), { isTTY: true }), stdout, stderr });
    return { code, out, err };
  }

  it('prints the summary JSON and exits 0 when the file was processed (row errors included)', async () => {
    const r = await run(['import', path.join(FIXTURES, 'invalid-emails.csv'), '--tenant', slug]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(Object.keys(json)).toEqual(['rows', 'inserted', 'updated', 'skipped', 'errors']);
    expect(json.errors[0]).toEqual(expect.objectContaining({ row: expect.any(Number), column: expect.any(String), message: expect.any(String) }));
    // The documented {row, column, message}, plus severity (additive): nothing else.
    for (const e of json.errors) {
      expect(Object.keys(e)).toEqual(['row', 'column', 'message', 'severity']);
      expect(['error', 'warning']).toContain(e.severity);
    }
    expect(json.errors.some((e: { severity: string }) => e.severity === 'error')).toBe(true);
  });

  it('exits 2 with a message and writes nothing for an unusable file', async () => {
    const r = await run(['import', path.join(FIXTURES, 'header-only.csv'), '--tenant', slug]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/header/i);
    expect((await run(['import', '/no/such/file.csv', '--tenant', slug])).code).toBe(2);
    expect((await run(['import', path.join(FIXTURES, 'crlf.csv'), '--tenant', slug, '--dedupe', 'sometimes'])).code).toBe(2);
  });

  it('--dry-run writes nothing; export streams the filtered view as CSV', async () => {
    const t = await newTenant();
    const dry = await run(['import', path.join(FIXTURES, 'utf8-bom.csv'), '--tenant', t.slug, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out).inserted).toBeGreaterThan(0);
    expect(await leadsOf(t.id)).toHaveLength(0);
    await run(['import', path.join(FIXTURES, 'utf8-bom.csv'), '--tenant', t.slug]);
    const all = await leadsOf(t.id);
    const exp = await run(['export', '--tenant', t.slug]);
    expect(exp.code).toBe(0);
    const lines = exp.out.trim().split('\n');
    expect(lines[0]).toMatch(/^Id,Email,First Name,Last Name/);
    expect(lines).toHaveLength(all.length + 1);
    const one = all.find((l) => l.email)!;
    const filtered = await run(['export', '--tenant', t.slug, '--q', one.email!]);
    expect(filtered.out.trim().split('\n')).toHaveLength(2);
    expect((await run(['export', '--tenant', t.slug, '--score-min', 'lots'])).code).toBe(2);
  });

  it('ids increase with the row (UUIDv7, import start as time) and are stable per import and row', () => {
    const ms = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
    const ids = importRowIds('import-a', ms);
    const rows = [1, 2, 3, 999, 1000, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 30, 2 ** 36 - 1];
    const leadIds = rows.map((r) => ids(r, 'lead'));
    for (const id of leadIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...leadIds].sort()).toEqual(leadIds); // byte order = row order
    expect(new Set(leadIds).size).toBe(rows.length);
    expect(leadIds[0].replace(/-/g, '').slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
    expect(importRowIds('import-a', ms)(42, 'lead')).toBe(ids(42, 'lead'));
    expect(ids(42, 'event')).not.toBe(ids(42, 'lead'));
    expect(importRowIds('import-b', ms)(42, 'lead')).not.toBe(ids(42, 'lead'));
  });

  it('writes batch after batch while the next is parsed: merges across batches, progress in row order', async () => {
    const t = await newTenant();
    const csv = [
      'Email,First Name,Last Name,Company',
      'a@pipe.example,Ann,,Acme', // 2
      'b@pipe.example,Bob,Brown,', // 3
      'c@pipe.example,Cy,Cole,Co', // 4
      'a@pipe.example,Anne,Adams,Acme Ltd', // 5: duplicate of row 2 (earlier batch)
      'not-an-email,Dee,Dow,Dx', // 6: rejected
      'e@pipe.example,Eve,Eng,Ex', // 7
      'b@pipe.example,,,Bco', // 8: duplicate of row 3
    ].join('\n');
    const progress: number[] = [];
    const summary = await importLeads(appDatabase(), t.id, Readable.from([csv]), {
      dedupe: 'merge',
      actor,
      batchSize: 2,
      onBatch: async (tx, b) => {
        const n = await tx.execute<{ n: number }>(sql`select count(*)::int as n from leads`);
        progress.push(b.lastRow, n.rows[0].n);
      },
    });
    expect(summary).toMatchObject({ rows: 7, inserted: 4, updated: 2, skipped: 0 });
    expect(summary.errors.filter((e) => e.severity === 'error').map((e) => e.row)).toEqual([6]);
    // Each batch's transaction sees the leads of the batches before it and its own, in file order.
    expect(progress).toEqual([3, 2, 5, 3, 7, 4, 8, 4]);
    const rows = await leadsOf(t.id);
    expect(rows.find((r) => r.email === 'a@pipe.example')).toMatchObject({ first_name: 'Ann', last_name: 'Adams', company_name: 'Acme' });
    expect(rows.find((r) => r.email === 'b@pipe.example')).toMatchObject({ first_name: 'Bob', company_name: 'Bco' });
    const ev = await appDatabase().withTenant(t.id, (tx) =>
      tx.execute<{ type: string; n: number }>(sql`select type, count(*)::int as n from lead_events group by type order by type`),
    );
    expect(ev.rows).toEqual([
      { type: 'imported', n: 4 },
      { type: 'merged', n: 2 },
    ]);
  });

  it('writes two batches at once on two connections, yet commits them in file order (one writer when asked)', async () => {
    const t = await newTenant();
    const csv = ['Email,First Name', ...Array.from({ length: 30 }, (_, i) => `w${i + 2}@par.example,W${i + 2}`)].join('\n');
    const base = appDatabase();
    const run = async (writers: number) => {
      let open = 0;
      let peak = 0;
      const counting = {
        ...base,
        withTenant: async <T,>(ctx: Parameters<typeof base.withTenant>[0], fn: (tx: Parameters<Parameters<typeof base.withTenant>[1]>[0]) => Promise<T>) => {
          open++;
          peak = Math.max(peak, open);
          try {
            return await base.withTenant(ctx, fn);
          } finally {
            open--;
          }
        },
      } as typeof base;
      const committed: number[] = [];
      const summary = await importLeads(counting, t.id, Readable.from([csv]), {
        dedupe: 'merge',
        actor,
        batchSize: 3,
        writers,
        onBatch: async (_tx, b) => {
          // The first batch of each run lingers: with two writers the next one is written meanwhile.
          if (committed.length === 0) await new Promise((r) => setTimeout(r, 150));
          committed.push(b.lastRow);
        },
      });
      return { summary, peak, committed };
    };
    const two = await run(2);
    expect(two.peak).toBe(2);
    expect(two.committed).toEqual([4, 7, 10, 13, 16, 19, 22, 25, 28, 31]);
    expect(two.summary).toMatchObject({ rows: 30, inserted: 30, updated: 0 });
    const one = await run(1); // the same file again: every row merges into its lead
    expect(one.peak).toBe(1);
    expect(one.committed).toEqual(two.committed);
    expect(one.summary).toMatchObject({ rows: 30, inserted: 0, updated: 30 });
  });

  it('a failing batch rolls back the later batch written beside it; progress stops at the last good batch', async () => {
    const t = await newTenant();
    const csv = ['Email,First Name', ...Array.from({ length: 12 }, (_, i) => `f${i + 2}@fail.example,F${i + 2}`)].join('\n');
    const committed: number[] = [];
    const failing = importLeads(appDatabase(), t.id, Readable.from([csv]), {
      dedupe: 'merge',
      actor,
      batchSize: 3,
      writers: 2,
      onBatch: async (_tx, b) => {
        if (b.lastRow === 7) {
          await new Promise((r) => setTimeout(r, 100)); // the batch of rows 8–10 is inserted meanwhile
          throw new Error('constraint broke');
        }
        committed.push(b.lastRow);
      },
    });
    await expect(failing).rejects.toThrow('constraint broke');
    expect(committed).toEqual([4]);
    expect((await leadsOf(t.id)).map((r) => r.email).sort()).toEqual(['f2@fail.example', 'f3@fail.example', 'f4@fail.example']);
    const ev = await appDatabase().withTenant(t.id, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events`));
    expect(ev.rows[0].n).toBe(3);
  });

  it('a failing batch stops the import with its error; earlier batches stay, a resumed attempt completes it exactly', async () => {
    const t = await newTenant();
    const csv = ['Email,First Name', ...Array.from({ length: 9 }, (_, i) => `r${i + 2}@resume.example,R${i + 2}`)].join('\n');
    let committedRow = 0;
    const failing = importLeads(appDatabase(), t.id, Readable.from([csv]), {
      dedupe: 'merge',
      actor,
      importId: '00000000-0000-4000-8000-00000000abcd',
      batchSize: 3,
      onBatch: async (_tx, b) => {
        if (b.lastRow > 7) throw new Error('disk full');
        committedRow = b.lastRow;
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    expect(committedRow).toBe(7);
    expect((await leadsOf(t.id)).map((r) => r.email)).toHaveLength(6); // rows 2–7; the failed batch rolled back
    const resumed = await importLeads(appDatabase(), t.id, Readable.from([csv]), {
      dedupe: 'merge',
      actor,
      importId: '00000000-0000-4000-8000-00000000abcd',
      batchSize: 3,
      resumeAfterRow: committedRow,
    });
    expect(resumed).toMatchObject({ rows: 3, inserted: 3, updated: 0, skipped: 0 });
    expect(await leadsOf(t.id)).toHaveLength(9);
    const ev = await appDatabase().withTenant(t.id, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_events where type = 'imported'`));
    expect(ev.rows[0].n).toBe(9);
  });
});
