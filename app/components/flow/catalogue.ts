// What the canvas needs from the compiler's node catalogue, plus the app's presentation of it
// (category colours, handle labels, defaults for a new step). Pure and browser-safe.

import {
  inputsOf,
  isNodeKind,
  nodeKinds,
  outputsOf,
  type FieldDef,
  type FlowGraph,
  type NodeCategory,
  type NodeKind,
  type NodeKindDef,
} from '@leadflow/workflow-compiler';

export const CATEGORIES: ReadonlyArray<{ id: NodeCategory; label: string; color: string }> = [
  { id: 'trigger', label: 'Triggers', color: '#7a5af8' },
  { id: 'logic', label: 'Logic', color: '#f79009' },
  { id: 'lead', label: 'Lead actions', color: '#3654d6' },
  { id: 'message', label: 'Messages', color: '#0e9384' },
  { id: 'integration', label: 'Integrations', color: '#dd2590' },
];

export function categoryColor(category: NodeCategory): string {
  return CATEGORIES.find((c) => c.id === category)?.color ?? '#667085';
}

export function kindDef(type: string): NodeKindDef | null {
  return isNodeKind(type) ? nodeKinds[type] : null;
}

/** One palette entry; the loader sends these (derived from `nodeKinds`) with availability. */
export interface PaletteItem {
  kind: NodeKind;
  category: NodeCategory;
  label: string;
  description: string;
  adminOnly: boolean;
  /** The credential kind it needs, when the workspace has not set it up. */
  missingCredential: string | null;
}

export function paletteItems(credentialKinds: readonly string[]): PaletteItem[] {
  return (Object.keys(nodeKinds) as NodeKind[]).map((kind) => {
    const def: NodeKindDef = nodeKinds[kind];
    return {
      kind,
      category: def.category,
      label: def.label,
      description: def.description,
      adminOnly: def.adminOnly === true,
      missingCredential: def.credential && !credentialKinds.includes(def.credential) ? def.credential : null,
    };
  });
}

/** Field values a new step starts with: every field's declared default (deep-copied JSON). */
export function defaultData(kind: NodeKind): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of nodeKinds[kind].fields as readonly FieldDef[]) {
    if (field.default !== undefined) data[field.key] = JSON.parse(JSON.stringify(field.default));
  }
  return data;
}

export interface HandleInfo {
  id: string | null;
  label: string | null;
}

/** Output handles with the words shown next to them (Switch outputs show their value). */
export function outputHandles(type: string, data: Record<string, unknown>): HandleInfo[] {
  if (!isNodeKind(type)) return [];
  const outs = outputsOf(type, data);
  const def: NodeKindDef = nodeKinds[type];
  if (outs.length === 1 && outs[0] === 'out') return [{ id: 'out', label: null }];
  return outs.map((id) => {
    if (def.dynamicOutputs && id.startsWith(def.dynamicOutputs.prefix)) {
      const index = Number(id.slice(def.dynamicOutputs.prefix.length));
      const list = data[def.dynamicOutputs.listKey];
      const value = Array.isArray(list) ? list[index] : undefined;
      return { id, label: typeof value === 'string' && value.trim() !== '' ? value : `value ${index + 1}` };
    }
    return { id, label: id };
  });
}

export function inputHandles(type: string, data: Record<string, unknown>): HandleInfo[] {
  if (!isNodeKind(type)) return [{ id: null, label: null }];
  const ins = inputsOf(type, data);
  if (ins.length === 1 && ins[0] === null) return [{ id: null, label: null }];
  return ins.map((id, i) => ({ id, label: id === null ? null : `in ${i + 1}` }));
}

export function isCodeKind(type: string): boolean {
  return kindDef(type)?.adminOnly === true;
}

/** Code steps in a graph: only administrators may add or change them. */
export function codeNodes(graph: Pick<FlowGraph, 'nodes'>): Array<{ id: string; data: Record<string, unknown> }> {
  return graph.nodes.filter((n) => isCodeKind(n.type)).map((n) => ({ id: n.id, data: n.data }));
}

/** Whether a field is shown for these values (fields with `visibleWhen`). Mirrors the compiler. */
export function fieldVisible(def: NodeKindDef, field: FieldDef, data: Record<string, unknown>): boolean {
  if (!field.visibleWhen) return true;
  const other = def.fields.find((f) => f.key === field.visibleWhen!.key);
  const raw = data[field.visibleWhen.key];
  const value = raw === undefined ? other?.default : raw;
  return field.visibleWhen.equals.includes(value as string | number | boolean);
}

/** Lead fields offered in condition editors (any path such as custom.plan is also allowed). */
export const LEAD_FIELD_SUGGESTIONS = [
  'email',
  'first_name',
  'last_name',
  'company',
  'job_title',
  'phone',
  'stage',
  'score',
  'source',
  'owner',
  'tags',
];
