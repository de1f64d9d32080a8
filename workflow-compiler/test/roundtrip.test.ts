import { describe, expect, it } from 'vitest';
import {
  compile,
  decompile,
  DecompileError,
  nodeKinds,
  normalizeGraph,
  syntheticGraph,
  type FlowGraph,
  type N8nWorkflow,
  type NodeKind,
} from '../src/index';
import { meta, options, sampleData, singleStepGraph } from './helpers';

function roundTrip(graph: FlowGraph): { back: FlowGraph; workflow: N8nWorkflow } {
  const result = compile(graph, meta, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  // Through JSON, as the workflow travels to n8n and back.
  const workflow = JSON.parse(JSON.stringify(result.workflow)) as N8nWorkflow;
  return { back: decompile(workflow), workflow };
}

describe('decompile(compile(graph))', () => {
  for (const kind of Object.keys(nodeKinds) as NodeKind[]) {
    it(`restores a graph with ${kind}`, () => {
      const graph = singleStepGraph(kind);
      expect(roundTrip(graph).back).toEqual(normalizeGraph(graph));
    });
  }

  it('restores lead-event triggers compiled with the inbound webhook credential', () => {
    for (const kind of [
      'trigger.leadCreated',
      'trigger.leadUpdated',
      'trigger.stageChanged',
      'trigger.scoreCrossed',
      'trigger.formSubmitted',
    ] as NodeKind[]) {
      const graph = singleStepGraph(kind);
      const result = compile(graph, meta, {
        ...options,
        inboundWebhookCredential: { id: 'cred-inbound', name: 'Leadflow events' },
      });
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const workflow = JSON.parse(JSON.stringify(result.workflow)) as N8nWorkflow;
      expect(workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')?.parameters.authentication, kind).toBe('headerAuth');
      expect(decompile(workflow), kind).toEqual(normalizeGraph(graph));
    }
  });

  it('restores every kind with a next step (pass-through and results nodes in between)', () => {
    for (const kind of Object.keys(nodeKinds) as NodeKind[]) {
      if (kind.startsWith('trigger.') || kind === 'logic.merge') continue;
      const graph = singleStepGraph(kind);
      const handle =
        kind === 'logic.if' ? 'true' : kind === 'logic.abSplit' ? 'b' : kind === 'logic.switch' ? 'fallback' : undefined;
      graph.nodes.push({ id: 'next', type: 'logic.wait', position: { x: 500, y: 0 }, data: sampleData['logic.wait'] });
      graph.edges.push({ id: 'e-step-next', source: 'step', target: 'next', ...(handle ? { sourceHandle: handle } : {}) });
      expect(roundTrip(graph).back, kind).toEqual(normalizeGraph(graph));
    }
  });

  it('restores handles, edge ids, viewport and React Flow extras are dropped', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.formSubmitted', position: { x: 10.5, y: -3 }, data: { formId: 'f1' } },
        {
          id: 'sw',
          type: 'logic.switch',
          position: { x: 200, y: 0 },
          data: { field: 'source', rules: ['ads', 'seo'], label: 'By source' },
        },
        { id: 'm', type: 'logic.merge', position: { x: 400, y: 0 }, data: { inputs: 2 } },
        { id: 'mail', type: 'message.email', position: { x: 600, y: 0 }, data: sampleData['message.email'] },
      ],
      edges: [
        { id: 'a', source: 'start', sourceHandle: 'out', target: 'sw' },
        { id: 'b', source: 'sw', sourceHandle: 'rule-0', target: 'm', targetHandle: 'in-0' },
        { id: 'c', source: 'sw', sourceHandle: 'fallback', target: 'm', targetHandle: 'in-1' },
        { id: 'd', source: 'm', target: 'mail', sourceHandle: null, targetHandle: null },
      ],
      viewport: { x: -40, y: 12, zoom: 0.8 },
    };
    const withExtras = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, selected: true, width: 180, height: 60 })) };
    expect(roundTrip(withExtras as FlowGraph).back).toEqual(normalizeGraph(graph));
  });

  it('restores a large graph', () => {
    const big = syntheticGraph(200);
    expect(roundTrip(big).back).toEqual(normalizeGraph(big));
  });

  it('rebuilds edges from the connections n8n actually has', () => {
    const graph = singleStepGraph('lead.addTag');
    const { workflow } = roundTrip(graph);
    // Someone removes the connection in n8n's editor: the edge is gone from the graph too.
    const cut = {
      ...workflow,
      connections: Object.fromEntries(Object.entries(workflow.connections).filter(([name]) => name !== 'New lead (events)')),
    };
    expect(decompile(cut).edges).toEqual([]);
  });

  it('refuses workflows the compiler did not make', () => {
    const foreign: N8nWorkflow = {
      name: 'x',
      nodes: [{ id: '1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2.1, position: [0, 0], parameters: {} }],
      connections: {},
      settings: { executionOrder: 'v1' },
    };
    expect(() => decompile(foreign)).toThrow(DecompileError);
    expect(() => decompile(foreign)).toThrow('n8n node "Webhook" was not made by Leadflow\'s compiler');
  });
});
