// Comparing two canvas graphs (a version against the draft, or against the previous version):
// a structural diff for the visual canvas and the change list, and a line diff for the JSON view.
// Pure functions: no React, no I/O.

import type { FlowEdge, FlowGraph, FlowNode } from '@leadflow/workflow-compiler';
import { displayName, isNodeKind, nodeKinds } from '@leadflow/workflow-compiler';

export type NodeDiffStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface FieldChange {
  key: string;
  /** The field's label from the catalogue, or the key for data the catalogue does not know. */
  label: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  id: string;
  before: FlowNode;
  after: FlowNode;
  typeChanged: boolean;
  fields: FieldChange[];
}

export interface GraphDiff {
  added: FlowNode[];
  removed: FlowNode[];
  changed: NodeChange[];
  /** Same content, new position: listed, not highlighted. */
  moved: string[];
  edgesAdded: FlowEdge[];
  edgesRemoved: FlowEdge[];
  /** Status per node id, over the union of both graphs. */
  status: Record<string, NodeDiffStatus>;
}

/** JSON with object keys sorted, so two equal values always print the same. */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function handle(h: string | null | undefined): string {
  return typeof h === 'string' ? h : '';
}

/** A connection's identity: its ends and handles (ids differ between equal connections). */
export function edgeKey(e: FlowEdge): string {
  return [e.source, handle(e.sourceHandle), e.target, handle(e.targetHandle)].join('\u0000');
}

function fieldLabel(type: string, key: string): string {
  if (key === 'label') return 'Name';
  if (!isNodeKind(type)) return key;
  const def = nodeKinds[type].fields.find((f) => f.key === key);
  return def ? def.label : key;
}

/** What changed from `before` to `after`. Nodes are matched by id, connections by their ends. */
export function diffGraphs(before: FlowGraph, after: FlowGraph): GraphDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const diff: GraphDiff = { added: [], removed: [], changed: [], moved: [], edgesAdded: [], edgesRemoved: [], status: {} };

  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    if (!old) {
      diff.added.push(node);
      diff.status[node.id] = 'added';
      continue;
    }
    const keys = [...new Set([...Object.keys(old.data ?? {}), ...Object.keys(node.data ?? {})])].sort();
    const fields: FieldChange[] = [];
    for (const key of keys) {
      const a = old.data?.[key];
      const b = node.data?.[key];
      if (stableStringify(a) !== stableStringify(b)) fields.push({ key, label: fieldLabel(node.type, key), before: a, after: b });
    }
    const typeChanged = old.type !== node.type;
    if (typeChanged || fields.length > 0) {
      diff.changed.push({ id: node.id, before: old, after: node, typeChanged, fields });
      diff.status[node.id] = 'changed';
    } else {
      diff.status[node.id] = 'unchanged';
      if (old.position?.x !== node.position?.x || old.position?.y !== node.position?.y) diff.moved.push(node.id);
    }
  }
  for (const node of before.nodes) {
    if (!afterNodes.has(node.id)) {
      diff.removed.push(node);
      diff.status[node.id] = 'removed';
    }
  }

  const beforeEdges = new Set(before.edges.map(edgeKey));
  const afterEdges = new Set(after.edges.map(edgeKey));
  const seen = new Set<string>();
  for (const e of after.edges) {
    const k = edgeKey(e);
    if (!beforeEdges.has(k) && !seen.has(k)) diff.edgesAdded.push(e);
    seen.add(k);
  }
  seen.clear();
  for (const e of before.edges) {
    const k = edgeKey(e);
    if (!afterEdges.has(k) && !seen.has(k)) diff.edgesRemoved.push(e);
    seen.add(k);
  }
  return diff;
}

export function isEmptyDiff(diff: GraphDiff): boolean {
  return (
    diff.added.length +
      diff.removed.length +
      diff.changed.length +
      diff.moved.length +
      diff.edgesAdded.length +
      diff.edgesRemoved.length ===
    0
  );
}

/**
 * The graph the diff canvas shows: every node of `after`, plus the removed nodes where they were,
 * and every connection of both. Statuses come from `diff.status` and `edgeStatus`.
 */
export function mergedGraph(
  before: FlowGraph,
  after: FlowGraph,
  diff: GraphDiff,
): { graph: FlowGraph; edgeStatus: Record<string, 'added' | 'removed' | 'unchanged'> } {
  const edgeStatus: Record<string, 'added' | 'removed' | 'unchanged'> = {};
  const added = new Set(diff.edgesAdded.map(edgeKey));
  const edges: FlowEdge[] = [];
  const used = new Set<string>();
  for (const e of after.edges) {
    const id = `after:${e.id}`;
    edges.push({ ...e, id });
    used.add(edgeKey(e));
    edgeStatus[id] = added.has(edgeKey(e)) ? 'added' : 'unchanged';
  }
  for (const e of diff.edgesRemoved) {
    if (used.has(edgeKey(e))) continue;
    const id = `before:${e.id}`;
    edges.push({ ...e, id });
    edgeStatus[id] = 'removed';
  }
  return { graph: { nodes: [...after.nodes, ...diff.removed], edges, viewport: after.viewport }, edgeStatus };
}

function show(value: unknown): string {
  if (value === undefined) return '(empty)';
  if (typeof value === 'string') return value.length > 60 ? JSON.stringify(value.slice(0, 57) + '…') : JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

/** The diff in plain sentences, for the list next to the diff canvas. */
export function describeDiff(
  before: FlowGraph,
  after: FlowGraph,
  diff: GraphDiff,
): Array<{ kind: NodeDiffStatus | 'moved' | 'connected' | 'disconnected'; text: string; nodeId?: string }> {
  const nameIn = (graph: FlowGraph) => (id: string) => {
    const node = graph.nodes.find((n) => n.id === id);
    return node ? displayName(node) : id;
  };
  const nameAfter = nameIn(after);
  const nameBefore = nameIn(before);
  const kindLabel = (type: string) => (isNodeKind(type) ? nodeKinds[type].label : type);
  const out: Array<{ kind: NodeDiffStatus | 'moved' | 'connected' | 'disconnected'; text: string; nodeId?: string }> = [];
  for (const n of diff.added) out.push({ kind: 'added', nodeId: n.id, text: `Added "${displayName(n)}" (${kindLabel(n.type)})` });
  for (const n of diff.removed)
    out.push({ kind: 'removed', nodeId: n.id, text: `Removed "${displayName(n)}" (${kindLabel(n.type)})` });
  for (const c of diff.changed) {
    const parts = c.fields.map((f) => `${f.label}: ${show(f.before)} → ${show(f.after)}`);
    if (c.typeChanged) parts.unshift(`type: ${kindLabel(c.before.type)} → ${kindLabel(c.after.type)}`);
    out.push({ kind: 'changed', nodeId: c.id, text: `Changed "${displayName(c.after)}": ${parts.join('; ')}` });
  }
  for (const id of diff.moved) out.push({ kind: 'moved', nodeId: id, text: `Moved "${nameAfter(id)}"` });
  const end = (name: (id: string) => string, id: string, h: string | null | undefined) =>
    h ? `"${name(id)}" (${h})` : `"${name(id)}"`;
  for (const e of diff.edgesAdded) {
    out.push({
      kind: 'connected',
      text: `Connected ${end(nameAfter, e.source, e.sourceHandle)} → ${end(nameAfter, e.target, e.targetHandle)}`,
    });
  }
  for (const e of diff.edgesRemoved) {
    const name = (id: string) => (after.nodes.some((n) => n.id === id) ? nameAfter(id) : nameBefore(id));
    out.push({
      kind: 'disconnected',
      text: `Disconnected ${end(name, e.source, e.sourceHandle)} → ${end(name, e.target, e.targetHandle)}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Line diff (longest common subsequence) for the JSON view

export interface DiffLine {
  op: 'same' | 'add' | 'del';
  text: string;
  /** 1-based line numbers in the old / new text. */
  oldLine?: number;
  newLine?: number;
}

/** Above this many DP cells the middle part is shown as removed-then-added instead. */
const MAX_CELLS = 4_000_000;

/**
 * A line diff of two texts. Common leading and trailing lines are matched first; the middle gets
 * a full LCS, so typical small edits to large JSON stay cheap.
 */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = oldText === '' ? [] : oldText.split('\n');
  const b = newText === '' ? [] : newText.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'same', text: a[i], oldLine: i + 1, newLine: i + 1 });

  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) out.push({ op: 'del', text: a[i], oldLine: i + 1 });
    for (let j = start; j < endB; j++) out.push({ op: 'add', text: b[j], newLine: j + 1 });
  } else {
    // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB), in one flat array.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          a[start + i] === b[start + j]
            ? lcs[(i + 1) * width + j + 1] + 1
            : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (a[start + i] === b[start + j]) {
        out.push({ op: 'same', text: a[start + i], oldLine: start + i + 1, newLine: start + j + 1 });
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
        out.push({ op: 'del', text: a[start + i], oldLine: start + i + 1 });
        i++;
      } else {
        out.push({ op: 'add', text: b[start + j], newLine: start + j + 1 });
        j++;
      }
    }
    for (; i < n; i++) out.push({ op: 'del', text: a[start + i], oldLine: start + i + 1 });
    for (; j < m; j++) out.push({ op: 'add', text: b[start + j], newLine: start + j + 1 });
  }

  for (let k = 0; k < a.length - endA; k++)
    out.push({ op: 'same', text: a[endA + k], oldLine: endA + k + 1, newLine: endB + k + 1 });
  return out;
}

/**
 * Groups a line diff for display: changed lines with `context` unchanged lines around them;
 * longer unchanged runs become `{ skipped: n }`.
 */
export function diffHunks(lines: DiffLine[], context = 3): Array<DiffLine | { skipped: number }> {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, i) => {
    if (line.op === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: Array<DiffLine | { skipped: number }> = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (keep[i]) {
      if (skipped) out.push({ skipped });
      skipped = 0;
      out.push(line);
    } else skipped++;
  });
  if (skipped) out.push({ skipped });
  return out;
}
