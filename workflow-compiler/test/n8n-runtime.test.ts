// Checks compiled output against the n8n that Leadflow actually runs (n8n-runtime/, installed by
// the project's setup). Skipped when that runtime is not installed; the compiler itself never
// imports n8n.
//  - every type/typeVersion of the table exists in the installed catalogue;
//  - every parameter name (and fixed option value) the compiler writes exists on that node version;
//  - every expression the compiler writes evaluates in n8n's own expression code.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkTypeVersions, compile, nodeKinds, type FlowGraph, type N8nNode, type NodeKind } from '../src/index';
import { meta, options, singleStepGraph } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const runtime = path.resolve(here, '../../n8n-runtime/node_modules');
const cataloguePath = path.join(runtime, 'n8n-nodes-base/dist/types/nodes.json');
const installed = fs.existsSync(cataloguePath) && fs.existsSync(path.join(runtime, 'n8n-workflow'));

interface Property {
  name: string;
  type: string;
  options?: Array<{ name?: string; value?: unknown; values?: Property[] }>;
  typeOptions?: { loadOptionsMethod?: string };
}
interface Description {
  name: string;
  version: number | number[];
  properties: Property[];
}

function allGraphs(): Array<[string, FlowGraph]> {
  const graphs: Array<[string, FlowGraph]> = (Object.keys(nodeKinds) as NodeKind[]).map((k) => [k, singleStepGraph(k)]);
  const fixtures = path.join(here, 'fixtures');
  for (const f of fs.readdirSync(fixtures).filter((f) => f.endsWith('.graph.json'))) {
    graphs.push([f, JSON.parse(fs.readFileSync(path.join(fixtures, f), 'utf8'))]);
  }
  const templates = path.resolve(here, '../../workflows');
  for (const f of fs.readdirSync(templates).filter((f) => f.endsWith('.json'))) {
    graphs.push([f, JSON.parse(fs.readFileSync(path.join(templates, f), 'utf8')).graph]);
  }
  return graphs;
}

function compiledNodes(): Array<[string, N8nNode[], N8nNode]> {
  const out: Array<[string, N8nNode[], N8nNode]> = [];
  for (const [label, graph] of allGraphs()) {
    const result = compile(graph, meta, options);
    if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result.errors)}`);
    for (const node of result.workflow.nodes) out.push([label, result.workflow.nodes, node]);
  }
  return out;
}

describe.skipIf(!installed)('against the installed n8n runtime', () => {
  const catalogue = installed ? (JSON.parse(fs.readFileSync(cataloguePath, 'utf8')) as Description[]) : [];

  function description(node: N8nNode): Description[] {
    const short = node.type.replace(/^n8n-nodes-base\./, '');
    return catalogue.filter(
      (d) => d.name === short && (Array.isArray(d.version) ? d.version : [d.version]).includes(node.typeVersion),
    );
  }

  it('offers every type/typeVersion the compiler writes', () => {
    expect(checkTypeVersions(catalogue)).toEqual([]);
  });

  it('knows every parameter name and fixed option value the compiler writes', () => {
    const problems: string[] = [];
    for (const [label, , node] of compiledNodes()) {
      const props = description(node).flatMap((d) => d.properties);
      for (const [key, value] of Object.entries(node.parameters)) {
        const same = props.filter((p) => p.name === key);
        if (same.length === 0) {
          problems.push(`${label}: ${node.type}@${node.typeVersion} has no parameter "${key}"`);
          continue;
        }
        const fixed = same.filter((p) => p.type === 'options' && p.options?.length && !p.typeOptions?.loadOptionsMethod);
        if (fixed.length === same.length && typeof value === 'string' && !value.startsWith('=')) {
          const allowed = fixed.flatMap((p) => p.options!.map((o) => o.value));
          if (!allowed.includes(value))
            problems.push(`${label}: ${node.type} "${key}" = "${value}" is not one of ${allowed.join(', ')}`);
        }
        const collections = same.filter((p) => p.type === 'collection');
        if (collections.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
          const names = collections.flatMap((p) => (p.options ?? []).map((o) => o.name));
          for (const sub of Object.keys(value)) {
            if (!names.includes(sub)) problems.push(`${label}: ${node.type} "${key}" has no option "${sub}"`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("evaluates every expression the compiler writes with n8n's expression code", () => {
    const require = createRequire(import.meta.url);
    const { Workflow } = require(path.join(runtime, 'n8n-workflow')) as {
      Workflow: new (args: unknown) => { expression: { resolveSimpleParameterValue: (...args: unknown[]) => unknown } };
    };
    const stubTypes = {
      getByName: () => ({ description: { properties: [] } }),
      getByNameAndVersion: () => ({ description: { properties: [] } }),
      getKnownTypes: () => ({}),
    };
    const lead = {
      id: 'lead-1',
      email: 'ana@acme.test',
      first_name: 'Ana',
      last_name: 'Lima',
      company: 'Acme',
      phone: '+1',
      score: 82,
      stage: 'SQL',
      source: 'ads',
      tags: ['vip'],
      custom: { plan: 'pro' },
    };
    const event = {
      id: 'evt-1',
      type: 'lead.updated',
      occurredAt: '2026-01-01T00:00:00Z',
      tenantId: 't',
      lead,
      changes: ['stage'],
      previous: { stage: 'MQL', score: 60 },
      form: { id: 'f1' },
    };
    const json = {
      ...event,
      items: [event, { eventId: 'evt-0', leadId: 'lead-2', lead: { id: 'lead-2' } }],
      total: 3,
      body: { email: 'x@y.z' },
      email: 'x@y.z',
    };

    const failures: string[] = [];
    let evaluated = 0;
    for (const [label, nodes, node] of compiledNodes()) {
      // n8n's Workflow normalises node parameters in place, so give it a copy.
      const workflow = new Workflow({ nodes: structuredClone(nodes), connections: {}, active: false, nodeTypes: stubTypes });
      const visit = (value: unknown, at: string): void => {
        if (typeof value === 'string' && value.startsWith('=')) {
          evaluated++;
          try {
            const out = workflow.expression.resolveSimpleParameterValue(
              value,
              {},
              null,
              0,
              0,
              node.name,
              [{ json }],
              'manual',
              {},
            );
            if (typeof out === 'string' && out.includes('[ERROR')) failures.push(`${label} ${node.name} ${at}: ${out}`);
            if (at.endsWith('jsonBody')) JSON.parse(String(out));
          } catch (error) {
            failures.push(`${label} ${node.name} ${at}: ${(error as Error).message}`);
          }
        } else if (value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) visit(v, `${at}.${k}`);
        }
      };
      visit(node.parameters, 'parameters');
    }
    expect(failures).toEqual([]);
    expect(evaluated).toBeGreaterThan(50);
  });
});
