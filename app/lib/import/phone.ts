// Phone numbers → E.164, fast. libphonenumber-js costs 5–9 µs a number here (it compiles its
// metadata regular expressions on every call), which alone would cap an import at ~100k rows/s.
// `fastE164` handles the plain cases itself from the same metadata, with the regular expressions
// compiled once, and returns undefined whenever libphonenumber's rules could differ (national
// prefixes with carrier codes or transforms, IDD prefixes, a number starting with its own calling
// code…); the caller then asks libphonenumber. phone.test.ts checks the two agree on many
// generated numbers.
import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

// The parts of libphonenumber's numbering-plan object we read (its public typing omits them).
interface NumberingPlanInternals {
  callingCode(): string;
  possibleLengths(): number[] | undefined;
  nationalNumberPattern(): string;
  nationalPrefix(): string | undefined;
  _nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  IDDPrefix(): string | undefined;
}

interface Plan {
  callingCode: string;
  /**
   * National number lengths possible in EVERY country sharing the calling code: libphonenumber
   * checks the length against the country it detects (+1 809… is DO, not US), so only a length
   * valid for all of them gives the same answer whatever it detects.
   */
  lengths: Set<number>;
  pattern: RegExp;
  /** Matches a national prefix at the start (null: the plan has none). */
  prefix: RegExp | null;
  /** The prefix is plain digits (alternatives of digits): safe to strip ourselves. */
  plainPrefix: boolean;
  idd: RegExp | null;
}

const metadata = new Metadata() as unknown as {
  selectNumberingPlan(country: string): void;
  numberingPlan: NumberingPlanInternals | undefined;
  countryCallingCodes(): Record<string, string[]>;
};

const byCountry = new Map<string, Plan | null>();
const byCallingCode = new Map<string, Plan | null>();
const sharedLengthsByCode = new Map<string, Set<number>>();

function sharedLengths(callingCode: string): Set<number> {
  let lengths = sharedLengthsByCode.get(callingCode);
  if (lengths) return lengths;
  lengths = new Set<number>();
  let first = true;
  for (const country of metadata.countryCallingCodes()[callingCode] ?? []) {
    metadata.selectNumberingPlan(country);
    const own = metadata.numberingPlan?.possibleLengths() ?? [];
    lengths = first ? new Set(own) : new Set([...lengths].filter((n) => own.includes(n)));
    first = false;
  }
  sharedLengthsByCode.set(callingCode, lengths);
  return lengths;
}

function planOf(country: string): Plan | null {
  let plan = byCountry.get(country);
  if (plan !== undefined) return plan;
  plan = null;
  try {
    metadata.selectNumberingPlan(country);
    const p = metadata.numberingPlan;
    const lengths = p?.possibleLengths();
    if (p && lengths) {
      // NOTE: minified metadata fills absent entries with 0, hence || (as libphonenumber does), not ??.
      const parsing = p._nationalPrefixForParsing() || p.nationalPrefix();
      const idd = p.IDDPrefix();
      const callingCode = p.callingCode();
      const pattern = p.nationalNumberPattern();
      const plainPrefix = !p.nationalPrefixTransformRule() && (!parsing || /^\d+(?:\|\d+)*$/.test(parsing));
      plan = {
        callingCode,
        lengths: sharedLengths(callingCode),
        pattern: new RegExp(`^(?:${pattern})$`),
        prefix: parsing ? new RegExp(`^(?:${parsing})`) : null,
        plainPrefix,
        idd: idd ? new RegExp(`^(?:${idd})`) : null,
      };
    }
  } catch {
    plan = null;
  }
  byCountry.set(country, plan);
  return plan;
}

function planOfCallingCode(code: string): Plan | null {
  let plan = byCallingCode.get(code);
  if (plan !== undefined) return plan;
  const countries = metadata.countryCallingCodes()[code];
  plan = countries?.length ? planOf(countries[0]) : null;
  byCallingCode.set(code, plan);
  return plan;
}

/**
 * E.164 for a number written with only digits, spaces and `- . ( ) /` (and a leading `+`), when
 * that is certain without libphonenumber's full rules; undefined otherwise.
 */
export function fastE164(value: string, country: CountryCode | undefined): string | undefined {
  let digits = '';
  let plus = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += value[i];
    else if (c === 43 /* + */ && digits === '' && !plus) plus = true;
    else if (c !== 32 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 47) return undefined;
  }
  if (digits.length < 5 || digits.length > 17) return undefined;
  if (plus) {
    for (let n = 1; n <= 3; n++) {
      const plan = planOfCallingCode(digits.slice(0, n));
      if (!plan) continue;
      const national = digits.slice(n);
      if (plan.prefix?.test(national)) return undefined;
      return plan.lengths.has(national.length) ? `+${digits}` : undefined;
    }
    return undefined;
  }
  if (!country) return undefined;
  const plan = planOf(country);
  if (!plan || plan.idd?.test(digits) || digits.startsWith(plan.callingCode)) return undefined;
  let national = digits;
  if (plan.prefix) {
    if (!plan.plainPrefix) return undefined;
    const m = plan.prefix.exec(digits);
    if (m) {
      // libphonenumber keeps the prefix when the number is valid as written: leave that to it.
      if (plan.pattern.test(digits)) return undefined;
      national = digits.slice(m[0].length);
    }
  }
  return plan.lengths.has(national.length) ? `+${plan.callingCode}${national}` : undefined;
}

/** E.164 (with ` ext. N` when the number has an extension), or null when it is not possible. */
export function toE164(value: string, country: CountryCode | undefined): string | null {
  const fast = fastE164(value, country);
  if (fast !== undefined) return fast;
  const parsed = parsePhoneNumberFromString(value, country ? { defaultCountry: country } : undefined);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.ext ? `${parsed.number} ext. ${parsed.ext}` : parsed.number;
}
