/**
 * Seeded synthetic data sets with a known signal, for the predictive-model tests and the
 * benchmark script. Nothing here is used in production code paths.
 */
import { createPrng, type Prng } from './prng';

export type SyntheticRow = Record<string, string>;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function weighted<T extends string>(prng: Prng, options: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of options) total += w;
  let r = prng.next() * total;
  for (const [value, w] of options) {
    r -= w;
    if (r < 0) return value;
  }
  return options[options.length - 1][0];
}

const fmt = (x: number, digits = 3) => String(Math.round(x * 10 ** digits) / 10 ** digits);

/**
 * Additive logistic signal on numeric and categorical columns, plus noise columns. `truth`, when
 * given, receives each row's true probability (for the best achievable AUC).
 */
export function logisticSignal(n: number, seed: number, truth?: number[]): SyntheticRow[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, () => {
    const x1 = prng.normal();
    const x2 = prng.normal();
    const x3 = prng.normal();
    const segment = weighted(prng, [
      ['a', 3],
      ['b', 2],
      ['c', 2],
      ['d', 1],
    ] as const);
    const effect = { a: 0.8, b: 0, c: -0.5, d: 1.2 }[segment];
    const p = sigmoid(-0.6 + 1.4 * x1 - 1.0 * x2 + 0.5 * x3 + effect);
    truth?.push(p);
    const y = prng.next() < p ? 1 : 0;
    return {
      x1: fmt(x1),
      x2: fmt(x2),
      x3: prng.next() < 0.1 ? '' : fmt(x3),
      segment,
      noise: fmt(prng.normal()),
      noiseCategory: weighted(prng, [
        ['p', 1],
        ['q', 1],
        ['r', 1],
      ] as const),
      outcome: String(y),
    };
  });
}

/** XOR-like interaction: invisible to an additive model, easy for trees. */
export function xorInteraction(n: number, seed: number, truth?: number[]): SyntheticRow[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, () => {
    const a = prng.next() * 2 - 1;
    const b = prng.next() * 2 - 1;
    const signal = a * b > 0 ? 1.6 : -1.6;
    truth?.push(sigmoid(signal));
    const y = prng.next() < sigmoid(signal) ? 1 : 0;
    return { a: fmt(a), b: fmt(b), c: fmt(prng.next()), d: fmt(prng.normal()), outcome: String(y) };
  });
}

/** Labels independent of every column. */
export function pureNoise(n: number, seed: number): SyntheticRow[] {
  const prng = createPrng(seed);
  return Array.from({ length: n }, () => ({
    u: fmt(prng.next()),
    v: fmt(prng.normal()),
    w: weighted(prng, [
      ['x', 1],
      ['y', 1],
      ['z', 1],
      ['zz', 1],
    ] as const),
    flag: prng.next() < 0.5 ? 'Yes' : 'No',
    outcome: prng.next() < 0.3 ? 'yes' : 'no',
  }));
}

/**
 * Imitates the public "X Education" lead-scoring export (Leads.csv): same column names, 'Select'
 * placeholders, constant columns, ID columns, and post-outcome columns (Tags, Lead Quality,
 * Asymmetrique *, Last Notable Activity) that depend on the outcome. The outcome follows a
 * non-linear model of the pre-outcome columns (saturating time-on-site effect, interactions).
 */
export function xEducationLike(n: number, seed: number, truth?: number[]): SyntheticRow[] {
  const prng = createPrng(seed);
  const rows: SyntheticRow[] = [];
  let leadNumber = 660_737;
  for (let i = 0; i < n; i++) {
    leadNumber -= 1 + prng.int(15);
    const origin = weighted(prng, [
      ['Landing Page Submission', 53],
      ['API', 39],
      ['Lead Add Form', 7.7],
      ['Lead Import', 0.6],
    ] as const);
    const source =
      origin === 'Lead Add Form'
        ? weighted(prng, [
            ['Reference', 75],
            ['Welingak Website', 20],
            ['Google', 3],
            ['', 2],
          ] as const)
        : origin === 'Lead Import'
          ? weighted(prng, [
              ['Facebook', 90],
              ['', 10],
            ] as const)
          : origin === 'API'
            ? weighted(prng, [
                ['Olark Chat', 45],
                ['Google', 30],
                ['Organic Search', 12],
                ['Direct Traffic', 10],
                ['Referral Sites', 2],
                ['google', 0.5],
                ['', 0.5],
              ] as const)
            : weighted(prng, [
                ['Google', 40],
                ['Direct Traffic', 40],
                ['Organic Search', 13],
                ['Referral Sites', 3],
                ['Welingak Website', 0.5],
                ['bing', 0.5],
                ['Click2call', 0.3],
                ['', 0.5],
              ] as const);
    const lowTraffic = source === 'Olark Chat' || origin === 'Lead Add Form' || origin === 'Lead Import';
    const visits = lowTraffic && prng.next() < 0.85 ? 0 : Math.min(60, Math.floor(-Math.log(1 - prng.next()) * 3.5) + 1);
    const time = visits === 0 ? 0 : Math.min(2272, Math.round(Math.exp(5.6 + 1.1 * prng.normal())));
    const pagesPerVisit = visits === 0 ? 0 : Math.max(1, Math.round((1 + Math.abs(prng.normal()) * 2.2) * 100) / 100);
    const doNotEmail = prng.next() < 0.08 ? 'Yes' : 'No';
    const occupation = weighted(prng, [
      ['Unemployed', 60],
      ['', 29],
      ['Working Professional', 7.6],
      ['Student', 2.3],
      ['Other', 0.2],
      ['Housewife', 0.1],
      ['Businessman', 0.1],
    ] as const);
    const lastActivity = weighted(prng, [
      ['Email Opened', 37],
      ['SMS Sent', 30],
      ['Olark Chat Conversation', 10.5],
      ['Page Visited on Website', 7],
      ['Converted to Lead', 4.6],
      ['Email Bounced', 3.5],
      ['Email Link Clicked', 2.9],
      ['Form Submitted on Website', 1.3],
      ['Unreachable', 1],
      ['Unsubscribed', 0.6],
      ['Had a Phone Conversation', 0.3],
      ['', 1.1],
    ] as const);
    const specialization =
      prng.next() < 0.36
        ? prng.next() < 0.58
          ? 'Select'
          : ''
        : weighted(prng, [
            ['Finance Management', 10.5],
            ['Human Resource Management', 9],
            ['Marketing Management', 9],
            ['Operations Management', 5.4],
            ['Business Administration', 4.3],
            ['IT Projects Management', 4],
            ['Supply Chain Management', 3.8],
            ['Banking, Investment And Insurance', 3.6],
            ['Travel and Tourism', 2.2],
            ['Media and Advertising', 2.2],
            ['International Business', 1.9],
            ['Healthcare Management', 1.7],
            ['Hospitality Management', 1.2],
            ['E-COMMERCE', 1.2],
            ['Retail Management', 1.1],
            ['Rural and Agribusiness', 0.8],
            ['E-Business', 0.6],
            ['Services Excellence', 0.4],
          ] as const);
    const city = weighted(prng, [
      ['Mumbai', 35],
      ['Select', 24],
      ['', 15],
      ['Thane & Outskirts', 8],
      ['Other Cities', 7.4],
      ['Other Cities of Maharashtra', 5],
      ['Other Metro Cities', 4.1],
      ['Tier II Cities', 0.8],
    ] as const);

    // Outcome model (log-odds).
    let z = -1.3;
    z += { 'Landing Page Submission': -0.2, API: 0, 'Lead Add Form': 2.6, 'Lead Import': -0.6 }[origin];
    z +=
      (
        { 'Welingak Website': 1.6, Reference: 0.4, 'Olark Chat': -0.3, 'Direct Traffic': -0.3, 'Organic Search': 0.1 } as Record<
          string,
          number
        >
      )[source] ?? 0;
    z += doNotEmail === 'Yes' ? -1.2 : 0;
    z += 1.7 * Math.tanh((time - 450) / 380) + (time === 0 ? -0.2 : 0);
    z +=
      (
        { 'Working Professional': 2.6, Housewife: 2, Businessman: 0.8, Student: -0.2, Other: 0.3, '': -1.3 } as Record<
          string,
          number
        >
      )[occupation] ?? 0;
    z +=
      (
        {
          'SMS Sent': 1.3,
          'Email Opened': 0.2,
          'Olark Chat Conversation': -1.1,
          'Email Bounced': -1.3,
          'Converted to Lead': -0.9,
          'Page Visited on Website': -0.5,
          'Had a Phone Conversation': 2,
          Unsubscribed: -0.6,
        } as Record<string, number>
      )[lastActivity] ?? 0;
    // Interactions: engaged professionals convert almost surely; chat leads without time barely.
    if (occupation === 'Working Professional' && time > 300) z += 1;
    if (source === 'Olark Chat' && time === 0 && lastActivity !== 'SMS Sent') z -= 0.6;
    if (specialization === 'Select' || specialization === '') z -= 0.35;
    z -= 0.04 * Math.max(0, visits - 6);
    truth?.push(sigmoid(z));
    const converted = prng.next() < sigmoid(z) ? 1 : 0;

    const tags = converted
      ? weighted(prng, [
          ['Will revert after reading the email', 55],
          ['', 22],
          ['Closed by Horizzon', 11],
          ['Lost to EINS', 5],
          ['Busy', 3],
          ['Ringing', 2],
          ['Interested in other courses', 1],
          ['switched off', 1],
        ] as const)
      : weighted(prng, [
          ['', 42],
          ['Ringing', 18],
          ['Interested in other courses', 8],
          ['Already a student', 7],
          ['Will revert after reading the email', 8],
          ['Not doing further education', 2.5],
          ['invalid number', 1.5],
          ['switched off', 4],
          ['Busy', 2],
          ['Interested  in full time MBA', 2],
          ['wrong number given', 1],
        ] as const);
    const quality = converted
      ? weighted(prng, [
          ['', 35],
          ['High in Relevance', 22],
          ['Might be', 25],
          ['Not Sure', 13],
          ['Low in Relevance', 5],
        ] as const)
      : weighted(prng, [
          ['', 58],
          ['Might be', 15],
          ['Not Sure', 10],
          ['Worst', 10],
          ['Low in Relevance', 7],
        ] as const);
    const asymActivity = prng.next() < 0.45 ? '' : converted ? 10 + prng.int(9) : 9 + prng.int(8);
    const asymProfile = prng.next() < 0.45 ? '' : converted ? 12 + prng.int(9) : 11 + prng.int(9);
    const notable =
      lastActivity === 'SMS Sent' || lastActivity === 'Email Opened'
        ? prng.next() < 0.7
          ? lastActivity
          : 'Modified'
        : prng.next() < 0.8
          ? 'Modified'
          : lastActivity || 'Modified';
    const hex = () =>
      Math.floor(prng.next() * 0xffffffff)
        .toString(16)
        .padStart(8, '0');

    rows.push({
      'Prospect ID': `${hex()}-${hex().slice(0, 4)}-${hex().slice(0, 4)}-${hex().slice(0, 4)}-${hex()}${hex().slice(0, 4)}`,
      'Lead Number': String(leadNumber),
      'Lead Origin': origin,
      'Lead Source': source,
      'Do Not Email': doNotEmail,
      'Do Not Call': prng.next() < 0.0003 ? 'Yes' : 'No',
      Converted: String(converted),
      TotalVisits: prng.next() < 0.015 ? '' : String(visits),
      'Total Time Spent on Website': String(time),
      'Page Views Per Visit': prng.next() < 0.015 ? '' : String(pagesPerVisit),
      'Last Activity': lastActivity,
      Country:
        prng.next() < 0.27
          ? ''
          : weighted(prng, [
              ['India', 95],
              ['United States', 1],
              ['United Arab Emirates', 0.8],
              ['Singapore', 0.4],
              ['Saudi Arabia', 0.3],
              ['unknown', 0.2],
              ['Qatar', 0.2],
            ] as const),
      Specialization: specialization,
      'How did you hear about X Education': weighted(prng, [
        ['Select', 55],
        ['', 24],
        ['Online Search', 8.7],
        ['Word Of Mouth', 3.8],
        ['Student of SomeSchool', 3.4],
        ['Other', 2],
        ['Multiple Sources', 1.7],
        ['Advertisements', 0.8],
        ['Social Media', 0.7],
      ] as const),
      'What is your current occupation': occupation,
      'What matters most to you in choosing a course':
        occupation === ''
          ? ''
          : weighted(prng, [
              ['Better Career Prospects', 99.6],
              ['Flexibility & Convenience', 0.2],
              ['Other', 0.2],
            ] as const),
      Search: prng.next() < 0.0015 ? 'Yes' : 'No',
      Magazine: 'No',
      'Newspaper Article': prng.next() < 0.0002 ? 'Yes' : 'No',
      'X Education Forums': 'No',
      Newspaper: 'No',
      'Digital Advertisement': prng.next() < 0.0004 ? 'Yes' : 'No',
      'Through Recommendations': prng.next() < 0.0008 ? 'Yes' : 'No',
      'Receive More Updates About Our Courses': 'No',
      Tags: tags,
      'Lead Quality': quality,
      'Update me on Supply Chain Content': 'No',
      'Get updates on DM Content': 'No',
      'Lead Profile': weighted(prng, [
        ['Select', 45],
        ['', 29],
        ['Potential Lead', 17],
        ['Other Leads', 5.3],
        ['Student of SomeSchool', 2.6],
        ['Lateral Student', 0.2],
        ['Dual Specialization Student', 0.2],
      ] as const),
      City: city,
      'Asymmetrique Activity Index':
        asymActivity === '' ? '' : Number(asymActivity) >= 15 ? '01.High' : Number(asymActivity) >= 13 ? '02.Medium' : '03.Low',
      'Asymmetrique Profile Index':
        asymProfile === '' ? '' : Number(asymProfile) >= 17 ? '01.High' : Number(asymProfile) >= 15 ? '02.Medium' : '03.Low',
      'Asymmetrique Activity Score': String(asymActivity),
      'Asymmetrique Profile Score': String(asymProfile),
      'I agree to pay the amount through cheque': 'No',
      'A free copy of Mastering The Interview': prng.next() < 0.31 ? 'Yes' : 'No',
      'Last Notable Activity': notable,
    });
  }
  return rows;
}

/** Columns commonly treated as post-outcome (leaky) in the X Education data. */
export const X_EDUCATION_LEAKY_COLUMNS = [
  'Tags',
  'Lead Quality',
  'Last Notable Activity',
  'Asymmetrique Activity Index',
  'Asymmetrique Profile Index',
  'Asymmetrique Activity Score',
  'Asymmetrique Profile Score',
];

/** Serialise rows as CSV (quoting every field that needs it). */
export function toCsv(rows: readonly Record<string, string>[], delimiter = ','): string {
  const columns = Object.keys(rows[0] ?? {});
  const quote = (value: string) =>
    value.includes(delimiter) || value.includes('"') || value.includes('\n') ? `"${value.replace(/"/g, '""')}"` : value;
  return (
    [columns.map(quote).join(delimiter), ...rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(delimiter))].join(
      '\n',
    ) + '\n'
  );
}
