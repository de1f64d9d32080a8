import { describe, expect, it } from 'vitest';
import { countryFromTld, normalizeCountry, parsePhone, resolveGeography, timezoneForCountry } from './geo.js';

describe('normalizeCountry', () => {
  it.each([
    ['DE', 'DE'],
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['276', 'DE'],
    ['Germany', 'DE'],
    ['Deutschland', 'DE'],
    ['Allemagne', 'DE'],
    ['UK', 'GB'],
    ['United Kingdom', 'GB'],
    ['England', 'GB'],
    ['U.S.A.', 'US'],
    ['united states', 'US'],
    ["Côte d'Ivoire", 'CI'],
    ['Cote dIvoire', 'CI'],
    ['Korea, Republic of', 'KR'],
    ['Niederlande', 'NL'],
    ['España', 'ES'],
  ])('%j → %s', (input, code) => {
    expect(normalizeCountry(input)).toBe(code);
  });
  it.each(['', 'XX', 'Narnia', '999', null])('%j → null', (input) => {
    expect(normalizeCountry(input)).toBeNull();
  });
});

describe('countryFromTld', () => {
  it('maps ccTLDs, with .uk as GB and vanity ccTLDs weak', () => {
    expect(countryFromTld('shop.example.co.uk')).toEqual({ country: 'GB', confidence: 0.7 });
    expect(countryFromTld('example.de')).toEqual({ country: 'DE', confidence: 0.7 });
    expect(countryFromTld('startup.io')?.confidence).toBeLessThan(0.5);
    expect(countryFromTld('example.com')).toBeNull();
    expect(countryFromTld('example.eu')).toBeNull();
  });
});

describe('timezoneForCountry', () => {
  it('gives the one clock of single-offset countries, preferring the country’s own zone', () => {
    expect(timezoneForCountry('DE')).toMatchObject({ timezone: 'Europe/Berlin', exact: true });
    expect(timezoneForCountry('FR')).toMatchObject({ timezone: 'Europe/Paris', exact: true });
  });
  it('gives the main zone of multi-offset countries, marked inexact', () => {
    expect(timezoneForCountry('US')).toMatchObject({ timezone: 'America/New_York', exact: false });
    expect(timezoneForCountry('US').timezones).toContain('America/Los_Angeles');
    expect(timezoneForCountry('AU')).toMatchObject({ timezone: 'Australia/Sydney', exact: false });
  });
  it('only returns zones this runtime can format', () => {
    for (const c of ['UA', 'IN', 'US', 'BR', 'RU', 'JP']) {
      const tz = timezoneForCountry(c).timezone!;
      expect(() => new Intl.DateTimeFormat('en', { timeZone: tz })).not.toThrow();
    }
  });
});

describe('resolveGeography', () => {
  it('reads country and time zone from an international phone number', () => {
    const g = resolveGeography({ phone: '+33 1 42 68 53 00' });
    expect(g).toMatchObject({
      country: 'FR',
      source: 'phone',
      timezone: 'Europe/Paris',
      phone: { e164: '+33142685300', country: 'FR', valid: true },
    });
  });
  it('distinguishes NANP countries by area code', () => {
    expect(resolveGeography({ phone: '+1 416 555 0199' }).country).toBe('CA');
    expect(resolveGeography({ phone: '+1 212 555 0199' }).country).toBe('US');
  });
  it('reads a national number in the country of the country field', () => {
    const g = resolveGeography({ phone: '030 901820', country: 'Deutschland' });
    expect(g).toMatchObject({ country: 'DE', source: 'country_field', phone: { e164: '+4930901820' } });
    expect(g.confidence).toBeGreaterThan(0.9);
  });
  it('falls back to website structured data, then the ccTLD', () => {
    expect(resolveGeography({ domain: 'example.com', hints: ['United Kingdom'] })).toMatchObject({
      country: 'GB',
      source: 'website',
    });
    expect(resolveGeography({ domain: 'example.se' })).toMatchObject({
      country: 'SE',
      source: 'tld',
      timezone: 'Europe/Stockholm',
    });
    expect(resolveGeography({ domain: 'example.com' })).toMatchObject({ country: null, confidence: 0 });
  });
  it('lowers confidence when firm signals disagree, not for a vanity TLD', () => {
    const agree = resolveGeography({ phone: '+49 30 901820', domain: 'example.de' });
    const disagree = resolveGeography({ phone: '+49 30 901820', domain: 'example.fr' });
    const vanity = resolveGeography({ phone: '+49 30 901820', domain: 'example.io' });
    expect(agree.confidence).toBeGreaterThan(vanity.confidence);
    expect(vanity.confidence).toBeGreaterThan(disagree.confidence);
  });
  it('ignores junk phone input', () => {
    expect(parsePhone('n/a')).toBeNull();
    expect(parsePhone('12')).toBeNull();
  });
});
