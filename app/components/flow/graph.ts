// Between React Flow's runtime objects (which carry `selected`, `measured`, ...) and the plain
// graph that is saved, validated and compiled.

import type { Edge, Viewport } from '@xyflow/react';
import { inputsOf, isNodeKind, outputsOf, type FlowEdge, type FlowGraph, type FlowNode } from '@leadflow/workflow-compiler';
import type { StepNode } from './step-node';

/** Only the keys the compiler reads; data deep-copied so later edits cannot alias a snapshot. */
export function toFlowGraph(nodes: readonly StepNode[], edges: readonly Edge[], viewport?: Viewport): FlowGraph {
  const graph: FlowGraph = {
    nodes: nodes.map(toFlowNode),
    edges: edges.map(toFlowEdge),
  };
  if (viewport) graph.viewport = { x: viewport.x, y: viewport.y, zoom: viewport.zoom };
  return graph;
}

export function toFlowNode(n: StepNode): FlowNode {
  return {
    id: n.id,
    type: n.type,
    position: { x: Math.round(n.position.x * 10) / 10, y: Math.round(n.position.y * 10) / 10 },
    data: JSON.parse(JSON.stringify(n.data ?? {})) as Record<string, unknown>,
  };
}

export function toFlowEdge(e: Edge): FlowEdge {
  const edge: FlowEdge = { id: e.id, source: e.source, target: e.target };
  if (e.sourceHandle) edge.sourceHandle = e.sourceHandle;
  if (e.targetHandle) edge.targetHandle = e.targetHandle;
  return edge;
}

export function fromFlowGraph(graph: FlowGraph): { nodes: StepNode[]; edges: Edge[] } {
  return {
    nodes: graph.nodes.map(
      (n) => ({ id: n.id, type: n.type, position: { ...n.position }, data: { ...(n.data ?? {}) } }) as StepNode,
    ),
    edges: graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.sourceHandle ?? null,
      targetHandle: e.targetHandle ?? null,
    })),
  };
}

/** A short id, unique within the graph: "addTag-x7k2q9". */
export function newNodeId(kind: string, taken: ReadonlySet<string>): string {
  const base = kind.split('.').pop() ?? 'step';
  for (;;) {
    const id = `${base}-${Math.random().toString(36).slice(2, 8)}`;
    if (!taken.has(id)) return id;
  }
}

export function newEdgeId(): string {
  return `e-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Drops connections that leave from or arrive at a handle the node no longer has (a Switch value
 * removed, a Merge with fewer inputs). Unnamed handles on single-handle nodes are left alone.
 */
export function pruneEdgesForHandles(edges: Edge[], node: { id: string; type: string; data: Record<string, unknown> }): Edge[] {
  if (!isNodeKind(node.type)) return edges;
  const outs = outputsOf(node.type, node.data);
  const ins = inputsOf(node.type, node.data);
  const named = ins.filter((h): h is string => h !== null);
  const next = edges.filter((e) => {
    if (e.source === node.id && e.sourceHandle && !outs.includes(e.sourceHandle)) return false;
    if (e.target === node.id && e.targetHandle && named.length > 0 && !named.includes(e.targetHandle)) return false;
    return true;
  });
  return next.length === edges.length ? edges : next;
}
