// CSV import, parsing + normalising only (no database): rows/s and peak RSS on a generated
// 1M-row (~100 MB) CRM-style export written to the OS temp folder.
//   npx tsx bench/import-parse.ts [rows] [--keep] [--no-phone]
// The file is written first; the parse runs in a fresh child process so its RSS is its own.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseImport } from '../app/lib/import';

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const keep = args.includes('--keep');
const withPhone = !args.includes('--no-phone');

const HEADER =
  'First Name,Last Name,Email,Phone,Company,Job Title,Website,Country,Lead Source,Created Date,Tags,Email Opt In,Notes\r\n';
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Ken', 'José', 'Zoë'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'McCarthy',
  'Hamilton',
  'Thompson',
  'Muñoz',
];
const TITLES = ['CEO', 'CTO', 'Head of Sales', 'Marketing Manager', 'Engineer', 'VP, Operations'];
const COUNTRIES = ['United States', 'US', 'United Kingdom', 'Germany', 'FR', 'Spain'];
const SOURCES = ['Webinar', 'Organic Search', 'Referral', 'Paid Social', 'Trade Show'];

function phoneFor(i: number, country: string): string {
  if (!withPhone) return '';
  const n = String(1_000_000 + (i % 8_999_999)).slice(-7);
  switch (country) {
    case 'United States':
    case 'US':
      return i % 2 ? `(415) ${n.slice(0, 3)}-${n.slice(3)}` : `+1 415 ${n.slice(0, 3)} ${n.slice(3)}`;
    case 'United Kingdom':
      return `+44 20 7946 ${n.slice(3)}`;
    case 'Germany':
      return `030 ${n}`;
    default:
      return `+33 1 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} 0${n.slice(6)}`;
  }
}

function line(i: number): string {
  const first = FIRST[i % FIRST.length];
  const last = LAST[(i >> 3) % LAST.length];
  const earlier = i - 100;
  const company = `Co ${i % 50_000}`;
  // ~0.5% repeated emails, ~0.5% invalid ones.
  const email =
    i % 200 === 7
      ? `${FIRST[earlier % FIRST.length]}.${earlier}@ex${earlier % 1000}.com`
      : i % 200 === 13
        ? `broken-${i}@`
        : `${first}.${i}@ex${i % 1000}.com`;
  const country = COUNTRIES[i % COUNTRIES.length];
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (i % 12)).padStart(2, '0');
  const title = TITLES[i % TITLES.length];
  const notes = i % 20 === 0 ? `"Met at booth, asked about ""pricing""\nFollow up in Q${1 + (i % 4)}"` : '';
  return [
    first,
    last,
    email.toLowerCase(),
    phoneFor(i, country),
    company,
    title.includes(',') ? `"${title}"` : title,
    i % 3 ? '' : `www.co${i % 50_000}.com`,
    country,
    SOURCES[i % SOURCES.length],
    `${day}/${month}/20${10 + (i % 15)}`,
    i % 4 ? '' : 'vip;newsletter',
    i % 2 ? 'yes' : 'no',
    notes,
  ].join(',');
}

async function writeFile(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(HEADER);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${line(i)}\r\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const parseOnly = args.indexOf('--parse');
if (parseOnly < 0) {
  const file = path.join(os.tmpdir(), `leadflow-import-bench-${rows}.csv`);
  await writeFile(file);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--parse', file, ...args], {
    stdio: 'inherit',
  });
  if (!keep) await rm(file);
  else console.log(`kept ${file}`);
  process.exit(child.status ?? 1);
}
const file = args[parseOnly + 1];
const size = (await stat(file)).size;

const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);
const started = performance.now();
const cpuStart = process.cpuUsage();
let leads = 0;
let rejected = 0;
let warnings = 0;
let duplicates = 0;
let rowsRead = 0;
for await (const batch of parseImport(createReadStream(file, { highWaterMark: 1 << 16 }), { defaultCountry: 'US' })) {
  leads += batch.leads.length;
  for (const l of batch.leads) if (l.duplicateOf) duplicates++;
  for (const e of batch.errors)
    if (e.severity === 'error') rejected++;
    else warnings++;
  rowsRead = batch.rowsRead;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
clearInterval(sampler);

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
console.log(
  JSON.stringify(
    {
      file,
      fileSize: mb(size),
      phones: withPhone,
      rows: rowsRead,
      leads,
      duplicates,
      rejectedRowErrors: rejected,
      warnings,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(rowsRead / seconds),
      // CPU time is steadier than wall time on a shared machine (GC threads count too).
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      rowsPerCpuSecond: Math.round(rowsRead / cpuSeconds),
      mbPerSecond: Number((size / 1024 / 1024 / seconds).toFixed(1)),
      rssBeforeParse: mb(rssBefore),
      peakRss: mb(peakRss),
      peakHeapUsed: mb(peakHeap),
    },
    null,
    2,
  ),
);
