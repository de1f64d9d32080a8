// Every template in /workflows validates and compiles with a tenant's (fake) credentials.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, decompile, normalizeGraph, validate, type FlowGraph } from '../src/index';
import { meta, options } from './helpers';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workflows');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Template {
  id: string;
  name: string;
  description: string;
  graph: FlowGraph;
}

describe('workflow templates', () => {
  it('exist', () => {
    expect(files).toEqual(['cold-lead-nurture.json', 'new-lead-routing.json', 'sql-to-hubspot.json', 'weekly-digest.json']);
  });

  for (const file of files) {
    it(`${file} validates, compiles and round-trips`, () => {
      const template = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Template;
      expect(Object.keys(template).sort()).toEqual(['description', 'graph', 'id', 'name']);
      expect(template.id).toBe(file.replace(/\.json$/, ''));
      expect(Object.keys(template.graph).sort()).toEqual(['edges', 'nodes', 'viewport']);
      expect(validate(template.graph, options)).toEqual([]);
      const result = compile(template.graph, { ...meta, name: template.name }, options);
      expect(result.ok ? [] : result.errors).toEqual([]);
      if (result.ok) expect(decompile(result.workflow)).toEqual(normalizeGraph(template.graph));
    });
  }
});
