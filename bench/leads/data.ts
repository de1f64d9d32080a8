/**
 * Realistic-looking lead data, shared by the SQL generator (as slot arrays passed as parameters),
 * the CSV written for the import bench and the capture payloads, so the three see the same
 * distributions:
 * - first names: 120 common names, weight ∝ rank^-0.3 → "James" ≈ 2.5 %;
 * - last names: 150 common surnames take 50 % (weight ∝ rank^-0.3 → "Smith" ≈ 1.1 %), the other
 *   50 % are a long tail of 24,000 synthetic surnames (~20 leads each per 1M) — the rare terms;
 * - email: 35 % personal domains (gmail.com ≈ 15 %), 65 % the company's domain; local part
 *   first.last / flast / first / first_last plus a per-tenant number, so emails are unique;
 * - companies: 24,000 names (adjective × noun × suffix), popularity skewed;
 * - stages: new 35 %, working 25 %, mql 15 %, sql 8 %, customer 5 %, lost 12 %.
 */

/** Deterministic PRNG (mulberry32) for the CSV and capture payloads. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIRST_NAMES = `James Mary John Michael Robert Jennifer David William Patricia Linda Elizabeth Richard Joseph
Barbara Thomas Susan Jessica Charles Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald
Margaret Steven Ashley Andrew Kimberly Paul Emily Joshua Donna Kenneth Michelle Kevin Carol Brian Amanda Timothy Melissa
Ronald Deborah George Stephanie Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Dorothy Gary Amy Nicholas
Kathleen Eric Angela Jonathan Shirley Stephen Emma Larry Brenda Justin Pamela Scott Nicole Brandon Anna Benjamin Samantha
Samuel Katherine Gregory Christine Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria Dennis Olivia
Jerry Heather Tyler Helen Aaron Catherine Jose Diane Adam Julie Nathan Victoria Henry Joyce Zachary Lauren Douglas Kelly
Peter Christina Kyle Ruth Noah Joan Ethan Virginia`
  .split(/\s+/)
  .slice(0, 120);

export const LAST_NAMES = `Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson
Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez
Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan
Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran
Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
Vargas Henry Chen Freeman Webb Tucker`
  .split(/\s+/)
  .slice(0, 150);

// Synthetic long-tail surnames: 40 × 20 × 30 = 24,000.
export const TAIL_A = `Kor Bal Ven Mar Tal Ros Dra Lin Hav Sel Mor Pet Gal Ber Kas Tor Vel Nor Fal Ril Zan Qui Ust Ob Yar
Esk Ulm Ith Jor Wex Pra Sol Gud Hel Brun Cal Dus Fen Grot Ivo`.split(/\s+/);
export const TAIL_B = `an ov el is ur ek ar in os ad ev il um ot ab ig ul yr on ez`.split(/\s+/);
export const TAIL_C = `sky son berg ford ton ley wick stein man ez ini ski dale worth holm gaard vik ard ova ier ach
mont field ridge eau elli ovic ssen haus rud`.split(/\s+/);

export const COMPANY_W1 = `Blue Red Green Silver Golden Bright Swift North South East West Summit Apex Pioneer Harbor
Cedar Maple Oak Pine River Lake Stone Iron Crystal Solar Lunar Urban Rapid Clear Prime Noble Vivid Bold Quiet Lucky
Metro Coastal Alpine Prairie Canyon`.split(/\s+/);
export const COMPANY_W2 = `Peak Bridge Field Wave Point Path Gate Forge Works Rock Crest Light Line Shore Valley Ridge
Harbor Spring Trail Stream Tower Mill Grove Hollow Haven Wind Fox Hawk Bear Wolf Lion Falcon Otter Heron Lynx Arrow
Anchor Compass Lantern Beacon`.split(/\s+/);
export const COMPANY_SUFFIX = `Systems Labs Group Inc Solutions Technologies Partners Logistics Health Capital Media Foods
Energy Analytics Consulting`.split(/\s+/);
export const TLDS = ['com', 'com', 'com', 'io', 'co', 'net'];

export const TITLES = `CEO|CTO|CFO|COO|VP Sales|VP Marketing|Head of Sales|Sales Manager|Account Executive|Marketing Manager|
Marketing Director|Product Manager|Software Engineer|Engineering Manager|Operations Manager|Office Manager|Founder|
Owner|Director of IT|Procurement Manager|HR Manager|Consultant|Analyst|Customer Success Manager`
  .split('|')
  .map((s) => s.trim());
export const INDUSTRIES = `Software|Retail|Healthcare|Financial Services|Manufacturing|Education|Real Estate|Logistics|Media|
Hospitality|Construction|Energy|Legal|Nonprofit|Telecommunications`
  .split('|')
  .map((s) => s.trim());
export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5000+'];
/** [ISO code, country as written in CRM exports, a city, phone template ('#' = a random digit)] */
export const PLACES: Array<[string, string, string, string]> = [
  ['US', 'United States', 'New York', '+1 212 4## ####'],
  ['US', 'United States', 'San Francisco', '+1 415 3## ####'],
  ['US', 'USA', 'Chicago', '+1 312 2## ####'],
  ['US', 'US', 'Austin', '+1 512 6## ####'],
  ['US', 'United States', 'Boston', '+1 617 4## ####'],
  ['US', 'United States', 'Seattle', '+1 206 3## ####'],
  ['GB', 'United Kingdom', 'London', '+44 20 7946 0###'],
  ['GB', 'UK', 'Manchester', '+44 161 496 0###'],
  ['DE', 'Germany', 'Berlin', '+49 30 901 #####'],
  ['DE', 'Deutschland', 'Munich', '+49 89 201 #####'],
  ['FR', 'France', 'Paris', '+33 1 42 ## ## ##'],
  ['ES', 'Spain', 'Madrid', '+34 91 123 ## ##'],
  ['CA', 'Canada', 'Toronto', '+1 416 5## ####'],
  ['AU', 'Australia', 'Sydney', '+61 2 9374 ####'],
  ['NL', 'Netherlands', 'Amsterdam', '+31 20 794 ####'],
  ['IN', 'India', 'Bangalore', '+91 80 4123 ####'],
];
/** [channel, source, medium] */
export const ORIGINS: Array<[string, string | null, string | null]> = [
  ['organic_search', 'google', 'organic'],
  ['organic_search', 'google', 'organic'],
  ['organic_search', 'bing', 'organic'],
  ['paid_search', 'google', 'cpc'],
  ['paid_search', 'google', 'cpc'],
  ['paid_social', 'linkedin', 'cpc'],
  ['social', 'linkedin', 'social'],
  ['social', 'twitter', 'social'],
  ['email', 'newsletter', 'email'],
  ['referral', 'partner-portal', 'referral'],
  ['direct', null, null],
  ['direct', null, null],
  ['display', 'adroll', 'display'],
  ['other', 'trade-show', 'event'],
];
export const CAMPAIGNS = [
  'spring-launch',
  'q3-webinar',
  'brand-2025',
  'retargeting',
  'ebook-guide',
  'free-trial',
  'black-friday',
];
export const TAGS = ['vip', 'newsletter', 'webinar', 'trial', 'partner', 'event-2025', 'enterprise', 'churn-risk'];

/** stage, cumulative probability, base score */
export const STAGES: Array<[string, number, number]> = [
  ['new', 0.35, 15],
  ['working', 0.6, 30],
  ['mql', 0.75, 55],
  ['sql', 0.83, 70],
  ['customer', 0.88, 80],
  ['lost', 1, 20],
];
/** How stages are written in a CRM export (mapped by the importer's synonyms). */
export const STAGE_LABELS: Record<string, string> = {
  new: 'New',
  working: 'Contacted',
  mql: 'MQL',
  sql: 'Opportunity',
  customer: 'Closed Won',
  lost: 'Unqualified',
};

export const PERSONAL_DOMAINS: Array<[string, number]> = [
  ['gmail.com', 15],
  ['yahoo.com', 6],
  ['outlook.com', 5],
  ['hotmail.com', 4],
  ['icloud.com', 3],
  ['aol.com', 1],
  ['proton.me', 1],
];

/** Expands weights into `n` slots (an array indexed by floor(random * n)); '' fills the rest. */
function slots(weights: Array<[string, number]>, n: number, share = 1): string[] {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const out: string[] = [];
  let acc = 0;
  for (const [name, w] of weights) {
    acc += (w / total) * share * n;
    while (out.length < Math.round(acc)) out.push(name);
  }
  while (out.length < n) out.push('');
  return out;
}

const zipf = (names: string[], s: number): Array<[string, number]> => names.map((n, i) => [n, (i + 1) ** -s]);

export const SLOTS = 1000;
export const FIRST_SLOTS = slots(zipf(FIRST_NAMES, 0.3), SLOTS);
/** '' = a synthetic tail surname. */
export const LAST_SLOTS = slots(zipf(LAST_NAMES, 0.3), SLOTS, 0.5);
/** 100 slots; '' = the company's own domain. */
export const DOMAIN_SLOTS = slots(PERSONAL_DOMAINS, 100, 0.35);

export const companyName = (c: number) =>
  `${COMPANY_W1[c % COMPANY_W1.length]} ${COMPANY_W2[Math.floor(c / COMPANY_W1.length) % COMPANY_W2.length]} ${
    COMPANY_SUFFIX[Math.floor(c / (COMPANY_W1.length * COMPANY_W2.length)) % COMPANY_SUFFIX.length]
  }`;
export const companyDomain = (c: number) =>
  `${COMPANY_W1[c % COMPANY_W1.length]}${COMPANY_W2[Math.floor(c / COMPANY_W1.length) % COMPANY_W2.length]}`.toLowerCase() +
  `.${TLDS[c % TLDS.length]}`;
export const COMPANY_COUNT = COMPANY_W1.length * COMPANY_W2.length * COMPANY_SUFFIX.length;

export interface FakeLead {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  company: string;
  title: string;
  website: string;
  place: [string, string, string, string];
  origin: [string, string | null, string | null];
  campaign: string | null;
  stage: string;
  tags: string[];
  emailOptIn: boolean | null;
}

/** One lead (JS side, same distributions as the SQL generator); `n` makes the email unique. */
export function fakeLead(rand: () => number, n: number, emailPrefix = ''): FakeLead {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const firstName = FIRST_SLOTS[Math.floor(rand() * SLOTS)];
  const lastName = LAST_SLOTS[Math.floor(rand() * SLOTS)] || `${pick(TAIL_A)}${pick(TAIL_B)}${pick(TAIL_C)}`;
  const c = Math.floor(rand() ** 2 * COMPANY_COUNT);
  const domain = DOMAIN_SLOTS[Math.floor(rand() * 100)] || companyDomain(c);
  const f = firstName.toLowerCase();
  const l = lastName.toLowerCase();
  const p = rand();
  const local = p < 0.45 ? `${f}.${l}` : p < 0.7 ? `${f[0]}${l}` : p < 0.85 ? `${f}_${l}` : f;
  const place = pick(PLACES);
  const r = rand();
  const stage = STAGES.find(([, cum]) => r < cum)![0];
  const t = rand();
  return {
    firstName,
    lastName,
    email: `${emailPrefix}${local}${n}@${domain}`,
    phone: rand() < 0.6 ? place[3].replace(/#/g, () => String(Math.floor(rand() * 10))) : '',
    company: companyName(c),
    title: pick(TITLES),
    website: rand() < 0.3 ? `https://www.${companyDomain(c)}` : '',
    place,
    origin: pick(ORIGINS),
    campaign: rand() < 0.4 ? pick(CAMPAIGNS) : null,
    stage,
    tags: t < 0.15 ? [pick(TAGS)] : t < 0.22 ? [pick(TAGS), pick(TAGS)].filter((x, i, a) => a.indexOf(x) === i) : [],
    emailOptIn: rand() < 0.5 ? rand() < 0.6 : null,
  };
}
