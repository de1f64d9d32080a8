// Graph helpers shared by validate, compile and decompile.

import type { FlowEdge, FlowGraph, FlowNode } from './types';

/** Code-unit order: stable across machines and locales, unlike localeCompare. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cleanHandle(handle: string | null | undefined): string | undefined {
  return typeof handle === 'string' && handle !== '' ? handle : undefined;
}

/**
 * The comparable form of a graph: only the keys the compiler reads (React Flow also saves
 * width, selected, dragging, ...), null handles dropped, nodes and edges sorted by id.
 */
export function normalizeGraph(graph: FlowGraph): FlowGraph {
  const nodes: FlowNode[] = graph.nodes
    .map((n) => ({
      id: n.id,
      type: n.type,
      position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
      data: n.data ?? {},
    }))
    .sort((a, b) => byString(a.id, b.id));
  const edges: FlowEdge[] = graph.edges
    .map((e) => {
      const edge: FlowEdge = { id: e.id, source: e.source, target: e.target };
      const sourceHandle = cleanHandle(e.sourceHandle);
      const targetHandle = cleanHandle(e.targetHandle);
      if (sourceHandle !== undefined) edge.sourceHandle = sourceHandle;
      if (targetHandle !== undefined) edge.targetHandle = targetHandle;
      return edge;
    })
    .sort((a, b) => byString(a.id, b.id));
  const normalized: FlowGraph = { nodes, edges };
  if (graph.viewport) {
    normalized.viewport = { x: graph.viewport.x, y: graph.viewport.y, zoom: graph.viewport.zoom };
  }
  return normalized;
}

export { cleanHandle };

/**
 * Topological order (Kahn) with ties broken by node id, so the order never depends on the order
 * the canvas saved nodes in. Returns null when the graph has a cycle.
 */
export function topologicalOrder(
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
): string[] | null {
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of nodeIds) {
    indegree.set(id, 0);
    children.set(id, []);
  }
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    children.get(e.source)!.push(e.target);
    indegree.set(e.target, indegree.get(e.target)! + 1);
  }
  // A sorted array as the ready queue: graphs are small (hundreds of nodes), so the O(n) insert
  // is cheaper to read than a heap and still fast.
  const ready = nodeIds.filter((id) => indegree.get(id) === 0).sort(byString);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of children.get(id)!) {
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) {
        const at = ready.findIndex((r) => byString(child, r) < 0);
        if (at === -1) ready.push(child);
        else ready.splice(at, 0, child);
      }
    }
  }
  return order.length === nodeIds.length ? order : null;
}

/** Nodes on a cycle (those Kahn's algorithm could not order), sorted by id. */
export function nodesOnCycles(nodeIds: readonly string[], edges: readonly { source: string; target: string }[]): string[] {
  const indegree = new Map<string, number>(nodeIds.map((id) => [id, 0]));
  const children = new Map<string, string[]>(nodeIds.map((id) => [id, []]));
  for (const e of edges) {
    if (!indegree.has(e.source) || !indegree.has(e.target)) continue;
    children.get(e.source)!.push(e.target);
    indegree.set(e.target, indegree.get(e.target)! + 1);
  }
  const queue = nodeIds.filter((id) => indegree.get(id) === 0);
  const done = new Set<string>();
  while (queue.length > 0) {
    const id = queue.pop()!;
    done.add(id);
    for (const child of children.get(id)!) {
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  // Nodes left over are on a cycle or downstream of one; keep only those that reach themselves.
  const leftover = nodeIds.filter((id) => !done.has(id));
  const onCycle = leftover.filter((start) => {
    const seen = new Set<string>();
    const stack = [...children.get(start)!];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === start) return true;
      if (seen.has(id) || done.has(id)) continue;
      seen.add(id);
      stack.push(...children.get(id)!);
    }
    return false;
  });
  return onCycle.sort(byString);
}
