import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { fastE164, toE164 } from './phone';

const COUNTRIES: CountryCode[] = getCountries();

function libphonenumber(value: string, country: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(value, country ? { defaultCountry: country } : undefined);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

describe('fastE164', () => {
  it('agrees with libphonenumber-js whenever it answers', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return Math.floor((seed / 2 ** 32) * n);
    };
    const digits = (n: number) => Array.from({ length: n }, () => random(10)).join('');
    const separators = [' ', '-', '.', ' ', ''];
    const format = (d: string) => {
      let out = '';
      for (let i = 0; i < d.length; i++) out += (i > 0 && random(3) === 0 ? separators[random(separators.length)] : '') + d[i];
      return random(4) === 0 && d.length > 6 ? `(${out.slice(0, 3)}) ${out.slice(3)}` : out;
    };
    let answered = 0;
    let checked = 0;
    for (let i = 0; i < 50_000; i++) {
      const country = COUNTRIES[random(COUNTRIES.length)];
      const calling = getCountryCallingCode(country);
      const length = 5 + random(11);
      const body = digits(length);
      const candidates: Array<[string, CountryCode | undefined]> = [
        [`+${calling} ${format(body)}`, undefined],
        [`+${calling} ${format(`0${body}`)}`, undefined],
        [format(body), country],
        [format(`0${body}`), country],
        [format(`1${body}`), country],
        [format(`00${calling}${body}`), country],
        [format(`${calling}${body}`), country],
      ];
      const [value, defaultCountry] = candidates[random(candidates.length)];
      checked++;
      const fast = fastE164(value, defaultCountry);
      if (fast === undefined) continue;
      answered++;
      expect(fast, `${value} (${defaultCountry})`).toBe(libphonenumber(value, defaultCountry));
    }
    // Random lengths are mostly impossible numbers (left to libphonenumber); enough still pass
    // through the fast path for the comparison to mean something.
    expect(answered).toBeGreaterThan(5000);
    expect(checked).toBe(50_000);
  });

  it('answers for the common shapes and leaves the rest to libphonenumber', () => {
    expect(fastE164('+44 20 7946 0958', undefined)).toBe('+442079460958');
    expect(fastE164('(415) 555-0134', 'US')).toBe('+14155550134');
    expect(fastE164('030 1234567', 'DE')).toBe('+49301234567');
    expect(fastE164('+44 (0)20 7946 0958', undefined)).toBeUndefined(); // national prefix inside
    expect(fastE164('011 44 20 7946 0958', 'US')).toBeUndefined(); // IDD prefix
    expect(fastE164('555-0134 x12', 'US')).toBeUndefined(); // extension
    expect(fastE164('(415) 555-0134', undefined)).toBeUndefined(); // no country
  });
});

describe('toE164', () => {
  it('falls back to libphonenumber-js for what the fast path leaves', () => {
    expect(toE164('+44 (0)20 7946 0958', undefined)).toBe('+442079460958');
    expect(toE164('011 44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(toE164('+1 415 555 0134 x12', undefined)).toBe('+14155550134 ext. 12');
    expect(toE164('12', 'US')).toBeNull();
  });
});
