// Timing helper for bench scripts (kept out of tests: no timing assertions there).

import { compile } from './compile';
import { syntheticGraph } from './synthetic';
import type { CompileOptions } from './types';

export interface BenchResult {
  nodes: number;
  runs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

const BENCH_OPTIONS: CompileOptions = {
  leadflowApiUrl: 'http://127.0.0.1:3000',
  leadflowCredentialId: 'bench-credential',
  credentials: { slackApi: { id: 'bench-slack', name: 'Slack' } },
  allowCodeNodes: false,
};

/** Compiles a synthetic graph `runs` times and reports wall-clock figures in milliseconds. */
export function benchCompile(size = 500, runs = 20): BenchResult {
  const graph = syntheticGraph(size);
  const meta = { workflowId: 'bench', name: 'Bench', tenantId: 'tenant-bench', tenantSlug: 'bench' };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = compile(graph, meta, BENCH_OPTIONS);
    times.push(performance.now() - start);
    if (!result.ok) throw new Error(`bench graph does not compile: ${result.errors[0]?.message}`);
  }
  return {
    nodes: size,
    runs,
    meanMs: times.reduce((a, b) => a + b, 0) / runs,
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
  };
}
