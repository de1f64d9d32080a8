import { describe, expect, it } from 'vitest';
import { defaultDateOrder, InvalidDate, parseDate, sniffDateOrder } from './dates';

describe('parseDate', () => {
  it.each([
    ['2024-01-31', '2024-01-31T00:00:00.000Z'],
    ['2024-1-5', '2024-01-05T00:00:00.000Z'],
    ['2024/01/31', '2024-01-31T00:00:00.000Z'],
    ['2024-01-31T10:15:30Z', '2024-01-31T10:15:30.000Z'],
    ['2024-01-31T10:15:30.123456Z', '2024-01-31T10:15:30.123Z'],
    ['2024-01-31 10:15', '2024-01-31T10:15:00.000Z'],
    ['2024-01-31T10:15:00+02:00', '2024-01-31T08:15:00.000Z'],
    ['2024-01-31T01:15:00-0500', '2024-01-31T06:15:00.000Z'],
    ['31 Jan 2024', '2024-01-31T00:00:00.000Z'],
    ['31-Jan-24', '2024-01-31T00:00:00.000Z'],
    ['Jan 31, 2024', '2024-01-31T00:00:00.000Z'],
    ['January 31st 2024 3:04 PM', '2024-01-31T15:04:00.000Z'],
    ['Wed, 31 Jan 2024 10:00:00 +0000', '2024-01-31T10:00:00.000Z'],
    ['1706659200', '2024-01-31T00:00:00.000Z'],
    ['1706659200000', '2024-01-31T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('%s → %s', (value, iso) => {
    expect(parseDate(value, 'dmy')).toBe(iso);
    expect(parseDate(value, 'mdy')).toBe(iso);
  });

  it('reads numeric dates in the column order', () => {
    expect(parseDate('03/04/2024', 'dmy')).toBe('2024-04-03T00:00:00.000Z');
    expect(parseDate('03/04/2024', 'mdy')).toBe('2024-03-04T00:00:00.000Z');
    expect(parseDate('31.01.2024', 'dmy')).toBe('2024-01-31T00:00:00.000Z');
    expect(parseDate('1/31/2024 10:00 AM', 'mdy')).toBe('2024-01-31T10:00:00.000Z');
    expect(parseDate('12/31/2024 12:30 am', 'mdy')).toBe('2024-12-31T00:30:00.000Z');
    expect(parseDate('31-01-24', 'dmy')).toBe('2024-01-31T00:00:00.000Z');
  });

  it('refuses a date that only reads the other way round instead of guessing', () => {
    const result = parseDate('13/01/2024', 'mdy');
    expect(result).toBeInstanceOf(InvalidDate);
    expect((result as InvalidDate).reason).toBe('it reads as day/month, but this column is MM/DD/YYYY');
  });

  it.each(['2023-02-29', '2024-13-01', '32/01/2024', '2024-01-31 25:00', 'yesterday', '2024', '12:00', '0000-01-01', '1/2/3/4'])(
    'refuses %s',
    (value) => {
      expect(parseDate(value, 'dmy')).toBeInstanceOf(InvalidDate);
    },
  );
});

describe('sniffDateOrder', () => {
  it('decides by values whose day is over 12', () => {
    expect(sniffDateOrder(['01/02/2024', '31/01/2024', ''])).toEqual({ order: 'dmy', dayFirst: 1, monthFirst: 0 });
    expect(sniffDateOrder(['01/02/2024', '01/31/2024'])).toEqual({ order: 'mdy', dayFirst: 0, monthFirst: 1 });
  });

  it('stays undecided when nothing tells, except that dotted dates are day-first', () => {
    expect(sniffDateOrder(['01/02/2024', '2024-01-31']).order).toBeNull();
    expect(sniffDateOrder(['01.02.2024']).order).toBe('dmy');
  });

  it('goes with the majority of a mixed column and says it is mixed', () => {
    expect(sniffDateOrder(['31/01/2024', '30/01/2024', '01/31/2024'])).toEqual({ order: 'dmy', dayFirst: 2, monthFirst: 1 });
  });

  it('defaults to month-first only for countries that write dates that way', () => {
    expect(defaultDateOrder('US')).toBe('mdy');
    expect(defaultDateOrder('GB')).toBe('dmy');
    expect(defaultDateOrder(undefined)).toBe('dmy');
  });
});
