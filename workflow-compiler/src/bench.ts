// Timing helper for bench scripts (kept out of tests: no timing assertions there).

import { compile } from './compile';
import { syntheticGraph } from './synthetic';
import type { CompileOptions } from './types';

export interface BenchResult {
  nodes: number;
  runs: number;
  /** The very first compile in this process (cold: the JIT has not seen the compiler yet). */
  firstMs: number;
  meanMs: number;
  /** Mean CPU time of this process per measured compile: what a loaded machine cannot inflate. */
  cpuMeanMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

const BENCH_OPTIONS: CompileOptions = {
  leadflowApiUrl: 'http://127.0.0.1:3000',
  leadflowCredentialId: 'bench-credential',
  credentials: { slackApi: { id: 'bench-slack', name: 'Slack' } },
  allowCodeNodes: false,
};

/**
 * Compiles a synthetic graph `warmup` times unmeasured (apart from the first, reported as
 * `firstMs`), then `runs` times measured; wall-clock figures in milliseconds.
 */
export function benchCompile(size = 500, runs = 20, warmup = 5): BenchResult {
  const graph = syntheticGraph(size);
  const meta = { workflowId: 'bench', name: 'Bench', tenantId: 'tenant-bench', tenantSlug: 'bench' };
  const once = () => {
    const start = performance.now();
    const result = compile(graph, meta, BENCH_OPTIONS);
    const ms = performance.now() - start;
    if (!result.ok) throw new Error(`bench graph does not compile: ${result.errors[0]?.message}`);
    return ms;
  };
  const firstMs = once();
  for (let i = 1; i < warmup; i++) once();
  const times: number[] = [];
  // Node only (the package also runs in the browser, where this is NaN).
  const cpuUsage = typeof process !== 'undefined' && typeof process.cpuUsage === 'function' ? process.cpuUsage : null;
  const cpu0 = cpuUsage?.();
  for (let i = 0; i < runs; i++) times.push(once());
  const cpu = cpuUsage ? cpuUsage(cpu0) : { user: NaN, system: NaN };
  const sorted = [...times].sort((a, b) => a - b);
  return {
    nodes: size,
    runs,
    firstMs,
    meanMs: times.reduce((a, b) => a + b, 0) / runs,
    cpuMeanMs: (cpu.user + cpu.system) / 1000 / runs,
    p95Ms: sorted[Math.min(runs - 1, Math.ceil(0.95 * runs) - 1)],
    minMs: sorted[0],
    maxMs: sorted[runs - 1],
  };
}
