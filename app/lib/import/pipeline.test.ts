import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseImport, previewImport, type ImportBatch, type ImportFileInfo, type ParseImportOptions } from './pipeline';
import { UnusableFileError, type Mapping } from './types';

const fixturePath = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const fixture = (name: string) => readFileSync(fixturePath(name));

async function collect(source: Parameters<typeof parseImport>[0], opts: ParseImportOptions = {}) {
  const batches: ImportBatch[] = [];
  let info: ImportFileInfo | undefined;
  for await (const batch of parseImport(source, { ...opts, onStart: (i) => (info = i) })) batches.push(batch);
  return {
    info: info!,
    batches,
    leads: batches.flatMap((b) => b.leads),
    errors: batches.flatMap((b) => b.errors),
    rows: batches.at(-1)?.rowsRead ?? 0,
  };
}

/** Runs an import that must fail, and checks that it yielded nothing before failing. */
async function unusable(source: Parameters<typeof parseImport>[0], opts: ParseImportOptions = {}): Promise<UnusableFileError> {
  let yielded = 0;
  try {
    for await (const batch of parseImport(source, opts)) yielded += batch.leads.length + batch.errors.length;
  } catch (error) {
    expect(yielded).toBe(0);
    expect(error).toBeInstanceOf(UnusableFileError);
    return error as UnusableFileError;
  }
  throw new Error('expected UnusableFileError');
}

describe('parseImport: encodings', () => {
  it.each([
    ['utf8-bom.csv', 'utf-8'],
    ['utf8-no-bom.csv', 'utf-8'],
    ['utf16le-bom.csv', 'utf-16le'],
    ['utf16be-no-bom.csv', 'utf-16be'],
    ['windows-1252.csv', 'windows-1252'],
  ])('%s (%s) imports the accented names intact', async (name, encoding) => {
    const { info, leads, errors } = await collect(createReadStream(fixturePath(name), { highWaterMark: 16 }));
    expect(info.encoding).toBe(encoding);
    expect(info.headers).toEqual(['First Name', 'Last Name', 'Email', 'Company', 'Notes']);
    expect(errors).toEqual([]);
    expect(leads).toEqual([
      {
        row: 2,
        lead: { firstName: 'José', lastName: 'Muñoz', email: 'jose@example.es', companyName: 'Café Olé', notes: 'Price 5 €' },
      },
      {
        row: 3,
        lead: {
          firstName: 'Jürgen',
          lastName: 'Müller',
          email: 'juergen@example.de',
          companyName: 'Müller & Söhne',
          notes: 'Straße',
        },
      },
      {
        row: 4,
        lead: { firstName: 'Zoë', lastName: 'Brontë', email: 'zoe@example.co.uk', companyName: 'Bürger', notes: 'naïve façade' },
      },
    ]);
  });
});

describe('parseImport: delimiters, line endings, quoting', () => {
  it('reads a semicolon file with German headers and decimal commas', async () => {
    const { info, leads } = await collect([fixture('semicolon.csv')], { defaultCountry: 'DE' });
    expect(info.delimiter).toBe(';');
    expect(info.mapping.map((m) => m.field)).toEqual(['firstName', 'lastName', 'email', 'companyName', 'phone', 'custom.umsatz']);
    expect(leads.map((l) => l.lead)).toEqual([
      {
        firstName: 'Anna',
        lastName: 'Schmidt',
        email: 'anna@example.de',
        companyName: 'Schmidt GmbH',
        phone: '+49301234567',
        custom: { umsatz: '1.234,56' },
      },
      {
        firstName: 'Bernd',
        lastName: 'Weber',
        email: 'bernd@example.de',
        companyName: 'Weber; Söhne',
        phone: '+49897654321',
        custom: { umsatz: '99,90' },
      },
    ]);
  });

  it('reads a tab-separated Outlook-style export', async () => {
    const { info, leads } = await collect([fixture('tab.tsv')], { defaultCountry: 'US' });
    expect(info.delimiter).toBe('\t');
    expect(leads.map((l) => [l.lead.email, l.lead.companyName, l.lead.phone, l.lead.title])).toEqual([
      ['ada@example.com', 'Analytical Engines, Ltd', '+442079460958', 'Countess'],
      ['grace@example.com', 'US Navy', '+14155550134', 'Rear Admiral'],
    ]);
  });

  it('reads CRLF and pipe-delimited files', async () => {
    expect((await collect([fixture('crlf.csv')])).leads.map((l) => [l.row, l.lead.lastName])).toEqual([
      [2, 'Lovelace'],
      [3, 'Hopper'],
    ]);
    const pipe = await collect([fixture('pipe.csv')]);
    expect(pipe.info.delimiter).toBe('|');
    expect(pipe.leads.map((l) => l.lead)).toEqual([
      { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', companyName: 'Analytical' },
      { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', companyName: 'Navy' },
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and newlines; a multi-line record is one row', async () => {
    const { leads, errors } = await collect(Readable.from(fixture('quoted.csv').toString('utf8').split('')));
    expect(errors).toEqual([]);
    expect(leads).toEqual([
      {
        row: 2,
        lead: {
          email: 'ada@example.com',
          firstName: 'Ada',
          lastName: 'Lovelace',
          companyName: 'Analytical Engines, Ltd',
          notes: 'She said "hello"',
        },
      },
      {
        row: 3,
        lead: {
          email: 'grace@example.com',
          firstName: 'Grace',
          lastName: 'Hopper',
          companyName: 'The "Navy"',
          notes: 'Line one\r\nLine two\nLine three',
        },
      },
      {
        row: 4,
        lead: {
          email: 'alan@example.com',
          firstName: 'Alan',
          lastName: 'Turing',
          companyName: 'Bletchley',
          notes: 'ends with a comma,',
        },
      },
    ]);
  });

  it('skips blank rows but counts them in row numbers', async () => {
    const { leads, errors, rows } = await collect([fixture('blank-lines.csv')]);
    expect(errors).toEqual([]);
    expect(rows).toBe(2);
    expect(leads.map((l) => [l.row, l.lead.email])).toEqual([
      [4, 'ada@example.com'],
      [9, 'grace@example.com'],
    ]);
  });

  it('reads the rest of the file after an unclosed quote, reporting that row', async () => {
    const csv = 'Email,Name\na@x.com,"Ada\nb@x.com,Bob\n';
    const { leads, errors } = await collect([Buffer.from(csv)]);
    expect(errors).toEqual([{ row: 2, column: '', message: expect.stringMatching(/never closed/), severity: 'error' }]);
    expect(leads.map((l) => [l.row, l.lead.email])).toEqual([[3, 'b@x.com']]);
  });
});

describe('parseImport: rows', () => {
  it('marks later occurrences of an email as duplicates of the first, for the caller to merge or skip', async () => {
    const { leads, errors } = await collect([fixture('duplicates.csv')]);
    expect(leads.map((l) => [l.row, l.lead.email, l.duplicateOf])).toEqual([
      [2, 'ada@example.com', undefined],
      [3, 'grace@example.com', undefined],
      [4, 'ada@example.com', 2],
      [5, 'alan@example.com', undefined],
      [6, 'ada@example.com', 2],
    ]);
    expect(errors).toEqual([
      { row: 4, column: 'Email', message: 'duplicate of row 2 in this file', severity: 'warning' },
      { row: 6, column: 'Email', message: 'duplicate of row 2 in this file', severity: 'warning' },
    ]);
  });

  it('can leave duplicate detection off', async () => {
    const { leads, errors } = await collect([fixture('duplicates.csv')], { dedupeInFile: false });
    expect(leads.every((l) => l.duplicateOf === undefined)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('keeps unknown columns as the proposed custom fields', async () => {
    const { info, leads } = await collect([fixture('unknown-columns.csv')]);
    expect(info.mapping.map((m) => m.field)).toEqual([
      'email',
      'custom.favourite_colour',
      'custom.shoe_size',
      'custom.postal_code',
      'custom.linkedin',
      null,
      'custom.postal_code_2',
    ]);
    expect(leads[0].lead).toEqual({
      email: 'ada@example.com',
      custom: { favourite_colour: 'Blue', shoe_size: '38', postal_code: 'SW1A 1AA', linkedin: 'https://linkedin.com/in/ada' },
    });
  });

  it('reports rows with too many or too few columns, accepting trailing empty cells', async () => {
    const { leads, errors } = await collect([fixture('too-many-columns.csv')]);
    expect(leads.map((l) => l.row)).toEqual([2, 5]);
    expect(errors).toEqual([
      {
        row: 3,
        column: '',
        message: 'The row has 4 columns but the header has 3: a value probably contains an unquoted delimiter. Row not imported',
        severity: 'error',
      },
      {
        row: 4,
        column: '',
        message: 'The row has 2 columns but the header has 3: a value is missing or a delimiter is lost. Row not imported',
        severity: 'error',
      },
    ]);
  });

  it('rejects rows with an invalid email or nothing to identify the lead, and imports the rest', async () => {
    const { leads, errors, rows } = await collect([fixture('invalid-emails.csv')]);
    expect(rows).toBe(6);
    expect(leads.map((l) => [l.row, l.lead.email ?? l.lead.lastName])).toEqual([
      [3, 'ada@example.com'],
      [6, 'Turing'],
    ]);
    expect(errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [2, 'Email', "Email: 'bob@' is not a valid email address"],
      [4, 'Email', "Email: 'not an email' is not a valid email address"],
      [5, 'Email', "Email: 'grace@@example.com' is not a valid email address"],
      [
        7,
        '',
        'The row has no email, no phone, and no name with a company: a lead needs one of these to be identified. Row not imported',
      ],
    ]);
  });

  it('imports a HubSpot export', async () => {
    const { info, leads, errors } = await collect([fixture('hubspot.csv')]);
    expect(info.dateOrder).toEqual({ order: 'dmy', source: 'default', mixed: false });
    expect(errors).toEqual([]);
    expect(leads[0].lead).toEqual({
      custom: { external_id: '101', original_source_drill_down_1: 'google', marketing_contact_status: 'Marketing contact' },
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      owner: 'owner@leadflow.example',
      stage: 'lead',
      createdAt: '2024-01-31T10:15:00.000Z',
      companyName: 'Analytical',
      title: 'Countess',
      website: 'https://analytical.example',
      city: 'London',
      region: 'England',
      country: 'United Kingdom',
      source: 'ORGANIC_SEARCH',
      timezone: 'Europe/London',
      unsubscribed: false,
      phone: '+442079460958',
    });
    // A national number is read with the row's country (United States).
    expect(leads[1].lead).toMatchObject({
      stage: 'Marketing Qualified Lead',
      website: 'https://navy.example',
      unsubscribed: true,
      phone: '+14155550134',
    });
  });

  it('imports a Salesforce report, sniffing month-first dates', async () => {
    const { info, leads, errors } = await collect([fixture('salesforce.csv')], { defaultCountry: 'US' });
    expect(info.dateOrder).toEqual({ order: 'mdy', source: 'sniffed', mixed: false });
    expect(errors).toEqual([
      {
        row: 2,
        column: 'Lead Owner',
        message: "Lead Owner: 'Ada Admin' is not an email address (owners are matched by the email of a user)",
        severity: 'warning',
      },
    ]);
    expect(leads.map((l) => l.lead)).toEqual([
      {
        custom: { external_id: '00Q1', salutation: 'Ms.', street_address: '1 Main St', postal_code: 'SW1A 1AA' },
        firstName: 'Ada',
        lastName: 'Lovelace',
        title: 'Countess',
        companyName: 'Analytical',
        email: 'ada@example.com',
        source: 'Web',
        stage: 'Open - Not Contacted',
        city: 'London',
        country: 'UK',
        industry: 'Technology',
        companySize: '11-50',
        unsubscribed: false,
        doNotContact: true,
        createdAt: '2024-01-31T00:00:00.000Z',
        phone: '+442079460958', // national UK number read with the row's country "UK"
      },
      {
        custom: { external_id: '00Q2', salutation: 'Dr.', postal_code: '22201' },
        firstName: 'Grace',
        lastName: 'Hopper',
        title: 'Admiral',
        companyName: 'US Navy',
        email: 'grace@example.com',
        source: 'Trade Show',
        stage: 'Working - Contacted',
        city: 'Arlington',
        region: 'VA',
        country: 'USA',
        industry: 'Government',
        companySize: '1,000+',
        unsubscribed: true,
        doNotContact: false,
        createdAt: '2024-02-13T00:00:00.000Z',
        owner: 'grace.owner@leadflow.example',
        phone: '+14155550134',
      },
    ]);
  });

  it('decides the day/month order from any row of the first thousand, and reports the rows that disagree', async () => {
    const rows = [
      'Email,Created',
      'a@x.com,03/04/2024',
      'b@x.com,05/06/2024',
      'c@x.com,25/12/2024',
      'd@x.com,12/31/2024',
      'e@x.com,30/11/2024',
    ];
    const { info, leads, errors } = await collect([Buffer.from(rows.join('\n'))], { defaultCountry: 'US' });
    expect(info.dateOrder).toEqual({ order: 'dmy', source: 'sniffed', mixed: true });
    expect(info.warnings).toEqual([
      'The "Created" column mixes day-first and month-first dates; read as DD/MM/YYYY, the other rows are reported',
    ]);
    expect(leads.map((l) => l.lead.createdAt)).toEqual([
      '2024-04-03T00:00:00.000Z',
      '2024-06-05T00:00:00.000Z',
      '2024-12-25T00:00:00.000Z',
      undefined,
      '2024-11-30T00:00:00.000Z',
    ]);
    expect(errors).toEqual([
      {
        row: 5,
        column: 'Created',
        message: "Created: '12/31/2024' is not a valid date: it reads as month/day, but this column is DD/MM/YYYY",
        severity: 'warning',
      },
    ]);
  });

  it('uses a mapping from the mapping UI', async () => {
    const mapping: Mapping = [
      { header: 'Email', index: 0, field: 'email', confidence: 1 },
      { header: 'First Name', index: 1, field: 'custom.nickname', confidence: 1 },
      { header: 'Last Name', index: 2, field: null, confidence: 1 },
    ];
    const { leads } = await collect([fixture('crlf.csv')], { mapping });
    expect(leads[0].lead).toEqual({ email: 'ada@example.com', custom: { nickname: 'Ada' } });
  });
});

describe('parseImport: options', () => {
  it('accepts the default country in any case and refuses an unknown one', async () => {
    const csv = Buffer.from('Phone\n(415) 555-0134\n');
    expect((await collect([csv], { defaultCountry: 'us' })).leads[0].lead.phone).toBe('+14155550134');
    await expect(collect([csv], { defaultCountry: 'XX' })).rejects.toThrow('Unknown default country "XX"');
  });
});

describe('parseImport: batches and progress', () => {
  it('yields batches of the requested size, with progress', async () => {
    const lines = ['Email'];
    for (let i = 0; i < 10; i++) lines.push(`u${i}@x.com`);
    const progress: Array<[number, number]> = [];
    const { batches } = await collect([Buffer.from(lines.join('\n'))], {
      batchSize: 4,
      onProgress: (rows, bytes) => progress.push([rows, bytes]),
    });
    expect(batches.map((b) => [b.leads.length, b.rowsRead])).toEqual([
      [4, 4],
      [4, 8],
      [2, 10],
    ]);
    expect(progress.map(([rows]) => rows)).toEqual([4, 8, 10]);
    expect(progress.at(-1)![1]).toBe(lines.join('\n').length);
  });

  it('stops reading and destroys the stream when the consumer stops early', async () => {
    const source = Readable.from(
      (function* () {
        yield Buffer.from('Email\n');
        for (let i = 0; ; i++) yield Buffer.from(`u${i}@x.com\n`.repeat(100));
      })(),
    );
    for await (const batch of parseImport(source, { batchSize: 100 })) {
      expect(batch.leads).toHaveLength(100);
      break;
    }
    expect(source.destroyed).toBe(true);
  });
});

describe('parseImport: unusable files change nothing', () => {
  it.each([
    ['empty.csv', 'empty', 'The file is empty'],
    ['header-only.csv', 'header_only', 'The file has a header row but no data rows'],
    ['image.png', 'not_csv', 'This is a PNG image, not a CSV file'],
    [
      'workbook.xlsx',
      'not_csv',
      'This is an Excel workbook (.xlsx), not a CSV file. In Excel, use File › Save As › CSV UTF-8 and upload that file',
    ],
    ['archive.zip', 'not_csv', 'This is a ZIP archive, not a CSV file. Extract the CSV file from it and upload that'],
    ['page.html', 'not_csv', 'This is an HTML page, not a CSV file'],
    ['data.json', 'not_csv', 'This is JSON, not a CSV file'],
    ['letter.txt', 'not_csv', expect.stringMatching(/^No delimiter .* is not a column header we recognise/)],
    [
      'no-identifying-column.csv',
      'no_identifying_column',
      expect.stringMatching(/^No column could be identified .*"Favourite Colour", "Shoe Size"/),
    ],
    [
      'inconsistent.csv',
      'inconsistent_columns',
      'No row matches the header: the header has 4 columns (split on ","), the rows have 1. Check that the file is a CSV with one header row',
    ],
  ])('%s → %s', async (name, reason, message) => {
    const error = await unusable(createReadStream(fixturePath(name)));
    expect(error.reason).toBe(reason);
    expect(error.message).toEqual(message);
  });

  it.each([
    ['a BOM only', Buffer.from([0xef, 0xbb, 0xbf])],
    ['blank lines only', Buffer.from('\r\n\n   \n')],
    ['a UTF-16 BOM only', Buffer.from([0xff, 0xfe])],
  ])('%s is empty', async (_, bytes) => {
    expect((await unusable([bytes])).reason).toBe('empty');
  });

  it('a header with an unclosed quote is not a CSV', async () => {
    expect((await unusable([Buffer.from('Email,"Name\na@x.com,Ada\n')])).reason).toBe('not_csv');
  });

  it('a header followed by blank rows only is header-only', async () => {
    expect((await unusable([Buffer.from('Email,Name\n\n,\n  \n')])).reason).toBe('header_only');
  });

  it('refuses a mapping made for another file, or one that cannot identify leads', async () => {
    const other: Mapping = [{ header: 'Phone', index: 0, field: 'phone', confidence: 1 }];
    expect((await unusable([fixture('crlf.csv')], { mapping: other })).message).toBe(
      'The mapping does not match this file: column 1 is "Email", not "Phone"',
    );
    const weak: Mapping = [{ header: 'Email', index: 0, field: 'custom.mail', confidence: 1 }];
    expect((await unusable([fixture('crlf.csv')], { mapping: weak })).reason).toBe('no_identifying_column');
  });
});

describe('parseImport: 1,000,000 rows', () => {
  it('streams a generated million-row file with a flat heap', { timeout: 120_000 }, async () => {
    const total = 1_000_000;
    function* generate() {
      yield Buffer.from('Email,First Name,Last Name,Company\r\n');
      let chunk = '';
      for (let i = 0; i < total; i++) {
        chunk += `user${i}@example${i % 997}.com,First${i % 100},Last${i % 1000},"Company ${i % 5000}, Inc"\r\n`;
        if (chunk.length > 1 << 16) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      yield Buffer.from(chunk);
    }
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    let leads = 0;
    let rows = 0;
    for await (const batch of parseImport(Readable.from(generate()), { batchSize: 5000 })) {
      leads += batch.leads.length;
      rows = batch.rowsRead;
      if (batch.errors.length) throw new Error(JSON.stringify(batch.errors[0]));
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    expect(rows).toBe(total);
    expect(leads).toBe(total);
    // Generous bounds, not timings: the file (~60 MB as text) is never held, only a batch and
    // the duplicate index (12 bytes a slot).
    expect(peakHeap).toBeLessThan(250 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed).toBeLessThan(250 * 1024 * 1024);
  });
});

describe('previewImport', () => {
  it('returns what the upload screen shows, normalised sample included', async () => {
    const preview = await previewImport([fixture('salesforce.csv')], { rows: 1, defaultCountry: 'US', totalBytes: 607 });
    expect(preview).toMatchObject({
      encoding: 'utf-8',
      delimiter: ',',
      headers: expect.arrayContaining(['First Name', 'Email']),
      dateOrder: { order: 'mdy', source: 'sniffed', mixed: false },
      validation: { ok: true, errors: [], warnings: [] },
      totalBytes: 607,
      estimatedRows: 2,
    });
    expect(preview.mapping.find((m) => m.header === 'Mobile')).toMatchObject({
      field: null,
      reason: 'Also looks like phone, which is already mapped from column "Phone"',
    });
    expect(preview.sampleRows).toEqual([{ row: 2, cells: expect.arrayContaining(['Ada', 'Lovelace', 'ada@example.com']) }]);
    expect(preview.sampleResults).toEqual([
      { row: 2, result: expect.objectContaining({ ok: true, lead: expect.objectContaining({ email: 'ada@example.com' }) }) },
    ]);
  });

  it('reports mapping problems instead of throwing, so the user can fix the mapping', async () => {
    const preview = await previewImport([fixture('no-identifying-column.csv')]);
    expect(preview.validation.ok).toBe(false);
    expect(preview.validation.errors[0]).toMatch(/^Map a column to Email or Phone/);
    expect(preview.sampleRows).toEqual([{ row: 2, cells: ['blue', '38'] }]);
  });

  it('throws for files no mapping can fix', async () => {
    await expect(previewImport([fixture('image.png')])).rejects.toThrow(UnusableFileError);
    await expect(previewImport([fixture('header-only.csv')])).rejects.toMatchObject({ reason: 'header_only' });
  });

  it('reads only the start of a long file and releases it', async () => {
    let produced = 0;
    const source = Readable.from(
      (function* () {
        yield Buffer.from('Email,Name\n');
        for (;;) {
          produced++;
          yield Buffer.from('a@x.com,Ada\n'.repeat(1000));
        }
      })(),
    );
    const preview = await previewImport(source, { rows: 5, totalBytes: 12_000_000_011 });
    expect(preview.sampleRows).toHaveLength(5);
    expect(produced).toBeLessThan(20);
    expect(source.destroyed).toBe(true);
    expect(preview.estimatedRows).toBeGreaterThan(100_000_000);
  });
});
