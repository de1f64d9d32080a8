/**
 * Child process of the import bench: runs the product's importLeads exactly as `leadflow import`
 * does (createDatabase as leadflow_app with max 4, a file read stream, dedupe merge, actor
 * import/cli) and prints one JSON line with its timing and memory. Being its own process, its RSS
 * is the import's alone: sampled every 100 ms, plus the kernel's high-water mark (VmHWM).
 *   node --import tsx bench/leads/import-child.ts <file> <tenantId> <appDatabaseUrl> [writers]
 */
import fs from 'node:fs';
import { createDatabase } from '../../db';
import { importLeads } from '../../app/models/lead-import.server';

const [file, tenantId, url, writers] = process.argv.slice(2);
const vmHwm = () => {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const rssAtStart = process.memoryUsage().rss;
let peakRss = rssAtStart;
const timeline: Array<[number, number]> = [];
const t0 = performance.now();
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  if (timeline.length === 0 || performance.now() - t0 - timeline[timeline.length - 1][0] >= 5000)
    timeline.push([performance.now() - t0, rss]);
}, 100);
const db = createDatabase(url, { max: 4 });
const cpu0 = process.cpuUsage();
const summary = await importLeads(db, tenantId, fs.createReadStream(file), {
  dedupe: 'merge',
  actor: { type: 'import', id: 'cli' },
  ...(writers ? { writers: Number(writers) } : {}),
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
await db.close();
process.stdout.write(
  `${JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rows: summary.rows,
    inserted: summary.inserted,
    updated: summary.updated,
    skipped: summary.skipped,
    problems: summary.errors.length,
    rejected: summary.errors.filter((e) => e.severity === 'error').length,
    firstProblems: summary.errors.slice(0, 3),
    rssAtStart,
    peakRss,
    vmHwm: vmHwm(),
    timeline,
  })}\n`,
);
process.exit(0);
