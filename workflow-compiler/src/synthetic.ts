// A synthetic canvas graph of any size, for the 500-node test and for benchmarks
// (bench/ can `import { syntheticGraph, compile } from '@leadflow/workflow-compiler'`).

import type { FlowEdge, FlowGraph, FlowNode } from './types';

/**
 * A lead trigger followed by `size - 1` steps: a chain of If nodes, each with a lead action on
 * its "true" side and the next step on its "false" side, with messages and waits mixed in.
 */
export function syntheticGraph(size: number): FlowGraph {
  const nodes: FlowNode[] = [{ id: 'n0', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} }];
  const edges: FlowEdge[] = [];
  let spine = 'n0';
  let spineHandle: string | undefined;
  for (let i = 1; nodes.length < size; i++) {
    const id = `n${i}`;
    const kind = i % 4;
    if (kind === 1) {
      nodes.push({
        id,
        type: 'logic.if',
        position: { x: i * 250, y: 0 },
        data: { conditions: [{ field: 'score', operator: 'gte', value: i % 100 }], combinator: 'and' },
      });
    } else if (kind === 2) {
      nodes.push({ id, type: 'lead.addTag', position: { x: i * 250, y: 150 }, data: { tag: `tag-${i}` } });
    } else if (kind === 3) {
      nodes.push({
        id,
        type: 'message.slack',
        position: { x: i * 250, y: 300 },
        data: { channel: '#sales', text: `Step ${i}: {{lead.email}}` },
      });
    } else {
      nodes.push({
        id,
        type: 'logic.wait',
        position: { x: i * 250, y: 0 },
        data: { mode: 'duration', duration: { amount: 1, unit: 'hours' } },
      });
    }
    const edge: FlowEdge = { id: `e${i}`, source: spine, target: id };
    if (spineHandle) edge.sourceHandle = spineHandle;
    edges.push(edge);
    // If nodes continue the spine on "false"; the others continue it on their only output.
    if (kind === 1) {
      spine = id;
      spineHandle = 'false';
    } else if (kind === 0) {
      spine = id;
      spineHandle = undefined;
    } else {
      // Lead action / message hang off the current If's "true" output (attach to the last If).
      const lastIf = [...nodes].reverse().find((n) => n.type === 'logic.if');
      if (lastIf) {
        edge.source = lastIf.id;
        edge.sourceHandle = 'true';
      }
    }
  }
  return { nodes, edges, viewport: { x: 0, y: 0, zoom: 1 } };
}
