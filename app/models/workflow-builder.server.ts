/**
 * Checks the builder's actions run on what the browser sends: the graph field (JSON, then shape),
 * the name, and the rule that only administrators add or change code steps.
 */
import type { FlowGraph } from '@leadflow/workflow-compiler';
import { codeNodes } from '../components/flow/catalogue';
import { stableStringify } from '../components/flow/graph-diff';
import { flowGraphSchema, workflowNameSchema } from './workflow.server';

/** Far above any real canvas (2,000 nodes), low enough to refuse junk before parsing it. */
const MAX_GRAPH_CHARS = 5_000_000;

export function parseGraphField(raw: FormDataEntryValue | null): { ok: true; graph: FlowGraph } | { ok: false; message: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, message: 'The graph is missing.' };
  if (raw.length > MAX_GRAPH_CHARS) return { ok: false, message: 'The graph is too large to save.' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'The graph is not valid JSON.' };
  }
  const parsed = flowGraphSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, message: `The graph has the wrong shape${where}: ${issue?.message ?? 'invalid'}.` };
  }
  return { ok: true, graph: parsed.data as FlowGraph };
}

/** An optional new name: absent means "keep the name". */
export function parseNameField(
  raw: FormDataEntryValue | null,
): { ok: true; name: string | undefined } | { ok: false; message: string } {
  if (raw === null) return { ok: true, name: undefined };
  const parsed = workflowNameSchema.safeParse(String(raw));
  return parsed.success
    ? { ok: true, name: parsed.data }
    : { ok: false, message: parsed.error.issues[0]?.message ?? 'Check the name.' };
}

function asGraph(graph: unknown): Pick<FlowGraph, 'nodes'> {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  return { nodes: Array.isArray(nodes) ? (nodes as FlowGraph['nodes']) : [] };
}

/** True when `after` has a code step that `before` did not have with exactly the same settings. */
export function codeChangedWithoutAdmin(before: unknown, after: unknown): boolean {
  const known = new Map(codeNodes(asGraph(before)).map((n) => [n.id, stableStringify(n.data)]));
  return codeNodes(asGraph(after)).some((n) => known.get(n.id) !== stableStringify(n.data));
}

/** One problem per code step, for users who may not deploy them. */
export function codeProblems(graph: unknown): Array<{ nodeId: string; message: string }> {
  return codeNodes(asGraph(graph)).map((n) => ({ nodeId: n.id, message: 'Only administrators can publish or run code steps.' }));
}
