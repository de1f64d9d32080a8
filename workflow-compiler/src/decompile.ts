// n8n workflow JSON -> canvas graph, for workflows `compile` produced.
//
// Nodes come back from the canvas node each main n8n node carries in `notes`; edges are rebuilt
// from n8n's connections (what actually runs), and only their ids and exact handle spelling are
// looked up in the stashed edges. A workflow edited by hand in n8n therefore decompiles to what it
// now does, as long as every node still carries Leadflow notes.

import { inputsOf, isNodeKind, outputsOf } from './catalogue';
import { normalizeGraph } from './graph';
import type { LeadflowNote, NodeRole } from './compile';
import type { FlowEdge, FlowGraph, FlowNode, N8nWorkflow } from './types';

export class DecompileError extends Error {}

interface Owner {
  canvasId: string;
  role: NodeRole;
}

function readNote(notes: string | undefined, nodeName: string): LeadflowNote {
  let parsed: unknown;
  try {
    parsed = notes ? JSON.parse(notes) : undefined;
  } catch {
    parsed = undefined;
  }
  const note = (parsed as { leadflow?: LeadflowNote } | undefined)?.leadflow;
  if (!note || note.v !== 1 || typeof note.of !== 'string' || typeof note.role !== 'string') {
    throw new DecompileError(`n8n node "${nodeName}" was not made by Leadflow's compiler`);
  }
  return note;
}

/** The role of the n8n node whose outputs are a canvas node's outputs. */
function exitRole(roles: Set<NodeRole>): NodeRole {
  if (roles.has('filter')) return 'filter'; // lead-event triggers with options
  if (roles.has('events')) return 'events'; // lead-event triggers without
  if (roles.has('results')) return 'results'; // lead actions
  if (roles.has('continue')) return 'continue'; // steps that hand their input on
  return 'main';
}

export function decompile(workflow: N8nWorkflow): FlowGraph {
  const owners = new Map<string, Owner>();
  const canvasNodes = new Map<string, FlowNode>();
  const stashedEdges = new Map<string, FlowEdge[]>();
  const rolesOf = new Map<string, Set<NodeRole>>();
  let viewport: FlowGraph['viewport'];

  for (const n8nNode of workflow.nodes) {
    const note = readNote(n8nNode.notes, n8nNode.name);
    owners.set(n8nNode.name, { canvasId: note.of, role: note.role });
    if (!rolesOf.has(note.of)) rolesOf.set(note.of, new Set());
    rolesOf.get(note.of)!.add(note.role);
    if (note.role === 'main') {
      if (!note.node) throw new DecompileError(`n8n node "${n8nNode.name}" lacks its canvas node`);
      canvasNodes.set(note.of, {
        id: note.node.id,
        type: note.node.type,
        position: { x: note.node.position.x, y: note.node.position.y },
        data: (note.node.data ?? {}) as Record<string, unknown>,
      });
      stashedEdges.set(note.of, note.edges ?? []);
      if (note.viewport) viewport = note.viewport;
    }
  }
  for (const canvasId of rolesOf.keys()) {
    if (!canvasNodes.has(canvasId)) throw new DecompileError(`Canvas node "${canvasId}" has helper nodes but no main node`);
  }

  const edges: FlowEdge[] = [];
  const seen = new Set<string>();
  for (const [fromName, { main }] of Object.entries(workflow.connections)) {
    const from = owners.get(fromName);
    if (!from) throw new DecompileError(`A connection leaves "${fromName}", which is not in the workflow`);
    const source = canvasNodes.get(from.canvasId)!;
    const sourceKind = source.type;
    if (!isNodeKind(sourceKind)) throw new DecompileError(`Unknown step type "${sourceKind}"`);
    const isExit = from.role === exitRole(rolesOf.get(from.canvasId)!);
    main.forEach((targets, outputIndex) => {
      for (const t of targets ?? []) {
        const to = owners.get(t.node);
        if (!to) throw new DecompileError(`A connection points to "${t.node}", which is not in the workflow`);
        if (to.canvasId === from.canvasId) continue; // inside one canvas node's fragment
        if (!isExit) throw new DecompileError(`"${fromName}" connects to another step but is not an exit`);
        const target = canvasNodes.get(to.canvasId)!;
        if (!isNodeKind(target.type)) throw new DecompileError(`Unknown step type "${target.type}"`);
        const outputs = outputsOf(sourceKind, source.data);
        const sourceHandle = outputs[outputIndex];
        if (sourceHandle === undefined) throw new DecompileError(`"${fromName}" has no output ${outputIndex} on the canvas`);
        const inputs = inputsOf(target.type, target.data);
        const targetHandle = inputs.length > 1 ? inputs[t.index] : null;
        const key = `${source.id}\u0000${sourceHandle}\u0000${target.id}\u0000${targetHandle}`;
        if (seen.has(key)) continue; // a pass-through step is entered twice for one canvas edge
        seen.add(key);
        edges.push(matchStashed(stashedEdges.get(source.id)!, source, target.id, sourceHandle, targetHandle, outputs.length));
      }
    });
  }

  return normalizeGraph({ nodes: [...canvasNodes.values()], edges, viewport });
}

/** Finds the stashed edge for a rebuilt connection, to give back its id and handle spelling. */
function matchStashed(
  stashed: FlowEdge[],
  source: FlowNode,
  target: string,
  sourceHandle: string,
  targetHandle: string | null,
  outputCount: number,
): FlowEdge {
  const found = stashed.find((e) => {
    if (e.target !== target) return false;
    // A single-output node's edge may have left its handle unset.
    const handle = e.sourceHandle ?? (outputCount === 1 ? sourceHandle : undefined);
    return handle === sourceHandle && (targetHandle === null || e.targetHandle === targetHandle);
  });
  if (found) return { ...found };
  const edge: FlowEdge = { id: `e-${source.id}-${sourceHandle}-${target}`, source: source.id, target };
  if (outputCount > 1) edge.sourceHandle = sourceHandle;
  if (targetHandle !== null) edge.targetHandle = targetHandle;
  return edge;
}
