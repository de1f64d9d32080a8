/**
 * `npm run bench` runs every section; `npm run bench -- leads` (or several names) only those.
 * Figures are printed, never asserted. Add a section by adding it to `sections`.
 */
import { spawn } from 'node:child_process';
import { runLeadsBench } from './leads';

/** Runs a stand-alone bench script in its own process (its own configuration and arguments). */
function script(file: string, args: string[] = []): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
      child.on('error', reject);
    });
}

const sections: Record<string, () => Promise<void>> = {
  leads: runLeadsBench,
  // Enrichment + scoring pipeline throughput, and re-scoring 1,000,000 leads.
  pipeline: script('bench/enrichment-scoring.ts'),
  // Workflows on a real n8n: compile, publish, event latency, batched vs one-event-per-execution.
  workflows: script('bench/workflows.ts'),
  // Workflow outbox prune (issue 4): the deliverer's pending query before/after, prune throughput.
  outbox: script('bench/outbox-prune.ts'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in sections));
if (unknown.length) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
const names = wanted.length ? wanted : Object.keys(sections);
const started = performance.now();
for (const name of names) {
  const t = performance.now();
  console.log(`\n=== bench: ${name} ===`);
  await sections[name]();
  console.log(`=== bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s ===`);
}
console.log(`\nbench total ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
