import { describe, expect, it } from 'vitest';
import { autoMapHeaders } from './mapping';
import { normaliseRow } from './rows';
import type { Mapping } from './types';

function rowOf(headers: string[], mapping: Mapping = autoMapHeaders(headers)) {
  return (values: string[], opts: Parameters<typeof normaliseRow>[3] = {}) => normaliseRow(values, mapping, 7, opts);
}

describe('normaliseRow', () => {
  const headers = [
    'First Name',
    'Last Name',
    'Email',
    'Phone',
    'Company',
    'Website',
    'Country',
    'Created Date',
    'Tags',
    'Email Opt In',
    'Unsubscribed',
    'Time Zone',
    'Owner Email',
    'Shoe Size',
  ];
  const row = rowOf(headers);

  it('normalises every kind of value', () => {
    expect(
      row(
        [
          ' Ada ',
          'Lovelace',
          ' ADA@Example.COM ',
          '020 7946 0958',
          'Analytical',
          'Analytical.example/',
          'United Kingdom',
          '31/01/2024',
          'vip; newsletter',
          'opted in',
          'no',
          'europe/london',
          'Owner@Leadflow.example',
          '38',
        ],
        { dateOrder: 'dmy' },
      ),
    ).toEqual({
      ok: true,
      warnings: [],
      lead: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        phone: '+442079460958', // national number read with the row's country
        companyName: 'Analytical',
        website: 'https://analytical.example',
        country: 'United Kingdom',
        createdAt: '2024-01-31T00:00:00.000Z',
        tags: ['vip', 'newsletter'],
        emailOptIn: true,
        unsubscribed: false,
        timezone: 'Europe/London',
        owner: 'owner@leadflow.example',
        custom: { shoe_size: '38' },
      },
    });
  });

  it('leaves empty and placeholder cells out', () => {
    const result = row(['Ada', '', 'ada@example.com', 'N/A', '  ', '-', '', '', '', '', '', '', '', '']);
    expect(result).toEqual({ ok: true, warnings: [], lead: { firstName: 'Ada', email: 'ada@example.com' } });
  });

  it('treats cells missing at the end of a short record as empty', () => {
    expect(row(['Ada', 'Lovelace', 'ada@example.com'])).toEqual({
      ok: true,
      warnings: [],
      lead: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    });
  });

  it('POLICY: an invalid email rejects the row, with the message naming the column and value', () => {
    expect(row(['Bob', 'Builder', 'bob@', '+1 415 555 0134', 'Acme'])).toEqual({
      ok: false,
      errors: [{ row: 7, column: 'Email', message: "Email: 'bob@' is not a valid email address", severity: 'error' }],
    });
  });

  it('POLICY: a bad optional value is dropped with a warning and the row is imported', () => {
    const result = row([
      'Ada',
      'Lovelace',
      'ada@example.com',
      'call me',
      'Analytical',
      'none',
      '',
      'someday',
      '',
      'maybe',
      '',
      'Mars/Base',
      'Ada Admin',
    ]);
    expect(result).toEqual({
      ok: true,
      lead: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', companyName: 'Analytical' },
      warnings: [
        { row: 7, column: 'Website', message: "Website: 'none' is not a website address", severity: 'warning' },
        {
          row: 7,
          column: 'Created Date',
          message: "Created Date: 'someday' is not a valid date: it is not a date we can read (use YYYY-MM-DD)",
          severity: 'warning',
        },
        {
          row: 7,
          column: 'Email Opt In',
          message: "Email Opt In: 'maybe' is not yes/no (use yes, no, true, false, 1 or 0)",
          severity: 'warning',
        },
        {
          row: 7,
          column: 'Time Zone',
          message: "Time Zone: 'Mars/Base' is not a time zone (use a name like Europe/Paris)",
          severity: 'warning',
        },
        {
          row: 7,
          column: 'Owner Email',
          message: "Owner Email: 'Ada Admin' is not an email address (owners are matched by the email of a user)",
          severity: 'warning',
        },
        { row: 7, column: 'Phone', message: "Phone: 'call me' is not a phone number", severity: 'warning' },
      ],
    });
  });

  it('POLICY: when a row is rejected, all its problems are errors (nothing of it is imported)', () => {
    const result = row(['Bob', '', 'bob@', 'call me']);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => [e.column, e.severity])).toEqual([
        ['Email', 'error'],
        ['Phone', 'error'],
      ]);
  });

  it('POLICY: a value over the length limit is dropped (a too-long email rejects the row)', () => {
    const long = 'x'.repeat(201);
    const result = row(['Ada', 'Lovelace', 'ada@example.com', '', long]);
    expect(result).toEqual({
      ok: true,
      lead: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
      warnings: [
        { row: 7, column: 'Company', message: 'Company: 201 characters, more than the 200 allowed', severity: 'warning' },
      ],
    });
    expect(row(['Ada', '', `${'a'.repeat(250)}@example.com`]).ok).toBe(false);
  });

  describe('identifying rule: an email, or a phone, or a name with a company', () => {
    it.each([
      [['', '', 'ada@example.com'], true],
      [['', '', '', '+44 20 7946 0958'], true],
      [['', '', '', '(415) 555-0134'], true], // no country: kept as written, still a phone
      [['Ada', 'Lovelace', '', '', 'Analytical'], true],
      [['Ada', '', '', '', 'Analytical'], false],
      [['Ada', 'Lovelace'], false],
      [['', '', '', 'call me', 'Analytical'], false],
    ])('%j → %s', (values, ok) => {
      const result = row(values);
      expect(result.ok).toBe(ok);
      if (!result.ok && ok === false) {
        expect(result.errors.at(-1)).toEqual({
          row: 7,
          column: '',
          message:
            'The row has no email, no phone, and no name with a company: a lead needs one of these to be identified. Row not imported',
          severity: 'error',
        });
      }
    });

    it('counts a full name as a name, and splits it into first and last', () => {
      const byFullName = rowOf(['Name', 'Company']);
      expect(byFullName(['Lovelace, Ada', 'Analytical'])).toEqual({
        ok: true,
        warnings: [],
        lead: { firstName: 'Ada', lastName: 'Lovelace', companyName: 'Analytical' },
      });
      expect(byFullName(['Madonna', 'Warner'])).toEqual({
        ok: true,
        warnings: [],
        lead: { firstName: 'Madonna', companyName: 'Warner' },
      });
    });
  });

  it('prefers explicit first/last names over the split full name, filling only what is missing', () => {
    const withBoth = rowOf(['Full Name', 'First Name', 'Email']);
    expect(withBoth(['Ada King Lovelace', 'Augusta', 'ada@example.com'])).toEqual({
      ok: true,
      warnings: [],
      lead: { firstName: 'Augusta', lastName: 'King Lovelace', email: 'ada@example.com' },
    });
  });

  it('reads dates in the order given, defaulting from the default country', () => {
    const dated = rowOf(['Email', 'Created']);
    expect(dated(['a@x.com', '03/04/2024'], { dateOrder: 'mdy' })).toMatchObject({
      lead: { createdAt: '2024-03-04T00:00:00.000Z' },
    });
    expect(dated(['a@x.com', '03/04/2024'], { defaultCountry: 'US' })).toMatchObject({
      lead: { createdAt: '2024-03-04T00:00:00.000Z' },
    });
    expect(dated(['a@x.com', '03/04/2024'], { defaultCountry: 'FR' })).toMatchObject({
      lead: { createdAt: '2024-04-03T00:00:00.000Z' },
    });
  });

  it('uses the default country for national phone numbers when the row has none', () => {
    const phoned = rowOf(['Phone', 'Country']);
    expect(phoned(['(415) 555-0134', ''], { defaultCountry: 'US' })).toMatchObject({ lead: { phone: '+14155550134' } });
    expect(phoned(['030 1234567', 'Germany'], { defaultCountry: 'US' })).toMatchObject({
      lead: { phone: '+49301234567', country: 'Germany' },
    });
  });

  it('warns when one email cell holds several addresses, and keeps the first', () => {
    const result = row(['', '', 'a@x.com, b@y.com']);
    expect(result).toEqual({
      ok: true,
      lead: { email: 'a@x.com' },
      warnings: [
        {
          row: 7,
          column: 'Email',
          message: "Email: 'a@x.com, b@y.com' holds several addresses; imported the first (a@x.com)",
          severity: 'warning',
        },
      ],
    });
  });

  it('ignores unmapped columns and names custom fields by key', () => {
    const mapping: Mapping = [
      { header: 'E', index: 0, field: 'email', confidence: 1 },
      { header: 'Skip', index: 1, field: null, confidence: 0 },
      { header: 'Tier', index: 2, field: 'custom.tier', confidence: 1 },
    ];
    expect(normaliseRow(['a@x.com', 'secret', 'gold'], mapping, 2)).toEqual({
      ok: true,
      warnings: [],
      lead: { email: 'a@x.com', custom: { tier: 'gold' } },
    });
  });
});
