// Golden tests: each fixtures/<name>.graph.json compiles to exactly fixtures/<name>.n8n.json.
// The goldens were written by the compiler once and then reviewed by hand; after an intended
// change, regenerate with `UPDATE_GOLDENS=1 npx vitest run workflow-compiler` and review the diff.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, decompile, normalizeGraph, type FlowGraph } from '../src/index';
import { meta, options } from './helpers';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const graphs = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.graph.json'))
  .sort();

describe('golden fixtures', () => {
  it('exist', () => {
    expect(graphs.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of graphs) {
    it(`${file} compiles to its golden`, () => {
      const graph = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowGraph;
      const result = compile(graph, meta, options);
      const actual = `${JSON.stringify(result, null, 2)}\n`;
      const goldenPath = path.join(dir, file.replace(/\.graph\.json$/, '.n8n.json'));
      if (process.env.UPDATE_GOLDENS === '1') fs.writeFileSync(goldenPath, actual);
      expect(fs.existsSync(goldenPath), `missing golden ${goldenPath}`).toBe(true);
      expect(actual).toBe(fs.readFileSync(goldenPath, 'utf8'));
      expect(result.ok).toBe(true);
      if (result.ok) expect(decompile(result.workflow)).toEqual(normalizeGraph(graph));
    });
  }
});
