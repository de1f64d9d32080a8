import { describe, expect, it } from 'vitest';
import {
  cleanCell,
  Invalid,
  normaliseEmail,
  normalisePhone,
  normaliseTimezone,
  normaliseWebsite,
  parseBoolean,
  parseTags,
  phoneRegionOf,
  splitFullName,
} from './values';

describe('cleanCell', () => {
  it('trims and treats placeholders as empty', () => {
    expect(cleanCell('  Ada \t')).toBe('Ada');
    for (const v of ['N/A', 'n/a', '#N/A', 'NULL', '-', ' -- ', '(blank)']) expect(cleanCell(v)).toBe('');
    expect(cleanCell('NA')).toBe('NA'); // Namibia, not a placeholder
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['Ada@Example.COM', 'ada@example.com'],
    ['mailto:ada@example.com', 'ada@example.com'],
    ['Ada Lovelace <ada@example.com>', 'ada@example.com'],
    ["o'brien+crm@mail.example.co.uk", "o'brien+crm@mail.example.co.uk"],
    ['josé@exämple.de', 'josé@exämple.de'],
  ])('%s → %s', (value, email) => {
    expect(normaliseEmail(value)).toEqual({ email, extra: false });
  });

  it('keeps the first of several addresses and says so', () => {
    expect(normaliseEmail('a@x.com; b@y.com')).toEqual({ email: 'a@x.com', extra: true });
  });

  it.each([
    'bob@',
    '@example.com',
    'bob',
    'bob@example',
    'bob@@example.com',
    'bob@exa mple.com',
    '.bob@example.com',
    'bob.@example.com',
    'bo..b@example.com',
    'bob@-example.com',
    'bob@example.c0m',
  ])('refuses %s', (value) => {
    expect(normaliseEmail(value)).toEqual(new Invalid('is not a valid email address'));
  });

  it('refuses an address longer than 254 characters', () => {
    expect(normaliseEmail(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`)).toEqual(
      new Invalid('is longer than 254 characters'),
    );
  });
});

describe('normalisePhone', () => {
  it.each([
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['(415) 555-0134', 'US', '+14155550134'],
    ['415.555.0134', 'US', '+14155550134'],
    ['1 415 555 0134', 'US', '+14155550134'],
    ['030 1234567', 'DE', '+49301234567'],
    ['0049 30 1234567', undefined, '+49301234567'],
    ['+1 415 555 0134 ext. 12', undefined, '+14155550134 ext. 12'],
    ['tel:+33 1 23 45 67 89', undefined, '+33123456789'],
  ] as const)('%s (%s) → %s', (value, country, e164) => {
    expect(normalisePhone(value, country)).toBe(e164);
  });

  it('keeps a national number as written when no country is known', () => {
    expect(normalisePhone('(415)   555-0134', undefined)).toBe('(415) 555-0134');
  });

  it.each(['call me', 'n.a.', '555', '12-34', 'john@example.com', '+1 415 555 0134 5678 9012 3456'])('refuses %s', (value) => {
    expect(normalisePhone(value, 'US')).toEqual(new Invalid('is not a phone number'));
  });
});

describe('phoneRegionOf', () => {
  it.each([
    ['US', 'US'],
    ['usa', 'US'],
    ['United Kingdom', 'GB'],
    ['UK', 'GB'],
    ['DEU', 'DE'],
    ['Deutschland', 'DE'],
    ['Narnia', undefined],
  ])('%s → %s', (country, code) => {
    expect(phoneRegionOf(country)).toBe(code);
  });
});

describe('normaliseWebsite', () => {
  it.each([
    ['acme.com', 'https://acme.com'],
    ['WWW.Acme.COM/', 'https://www.acme.com'],
    ['http://acme.com/about?x=1#team', 'http://acme.com/about?x=1#team'],
    ['https://Acme.example:8443/', 'https://acme.example:8443'],
    ['//acme.io', 'https://acme.io'],
    ['bücher.de', 'https://xn--bcher-kva.de'],
  ])('%s → %s', (value, url) => {
    expect(normaliseWebsite(value)).toBe(url);
  });

  it.each(['none', 'acme', 'ftp://acme.com', 'bob@acme.com', 'http://', 'acme .com'])('refuses %s', (value) => {
    expect(normaliseWebsite(value)).toBeInstanceOf(Invalid);
  });
});

describe('parseBoolean', () => {
  it.each(['yes', 'Y', 'TRUE', 't', '1', 'x', 'X', 'on', 'checked', 'Oui', 'ja'])('%s is true', (v) => {
    expect(parseBoolean(v, false)).toBe(true);
    expect(parseBoolean(v, true)).toBe(true);
  });

  it.each(['no', 'N', 'false', 'F', '0', 'off', 'nein'])('%s is false', (v) => {
    expect(parseBoolean(v, false)).toBe(false);
    expect(parseBoolean(v, true)).toBe(false);
  });

  it('reads consent words the right way round for opt-in and opt-out fields', () => {
    for (const v of ['opted in', 'Opted-In', 'subscribed', 'opt_in']) {
      expect(parseBoolean(v, false)).toBe(true); // emailOptIn
      expect(parseBoolean(v, true)).toBe(false); // unsubscribed
    }
    for (const v of ['opted out', 'Opted-Out', 'unsubscribed', 'declined']) {
      expect(parseBoolean(v, false)).toBe(false);
      expect(parseBoolean(v, true)).toBe(true);
    }
  });

  it('refuses anything else', () => {
    expect(parseBoolean('maybe', false)).toEqual(new Invalid('is not yes/no (use yes, no, true, false, 1 or 0)'));
  });
});

describe('parseTags', () => {
  it('splits on ; , and |, trims, drops empties and repeats', () => {
    expect(parseTags(' vip; Newsletter ,webinar|VIP;; ')).toEqual(['vip', 'Newsletter', 'webinar']);
  });
});

describe('normaliseTimezone', () => {
  it('accepts IANA names in any case and gives the canonical spelling', () => {
    expect(normaliseTimezone('europe/paris')).toBe('Europe/Paris');
    expect(normaliseTimezone('UTC')).toBe('UTC');
    expect(normaliseTimezone('Mars/Olympus')).toBeInstanceOf(Invalid);
  });
});

describe('splitFullName', () => {
  it.each([
    ['Ada Lovelace', { firstName: 'Ada', lastName: 'Lovelace' }],
    ['Lovelace, Ada', { firstName: 'Ada', lastName: 'Lovelace' }],
    ['Dr. Ada King Lovelace', { firstName: 'Ada', lastName: 'King Lovelace' }],
    ['Madonna', { firstName: 'Madonna' }],
    ['Martin Luther King, Jr.', { firstName: 'Martin', lastName: 'Luther King, Jr.' }],
  ])('%s', (value, parts) => {
    expect(splitFullName(value)).toEqual(parts);
  });
});
