// Validation before compiling. Every problem names the canvas node (or edge) it is on and says
// what is wrong in plain words, because the canvas shows these messages to tenants as they edit.

import {
  CONDITION_OPERATORS,
  LEAD_EVENT_TRIGGERS,
  displayName,
  inputsOf,
  isNodeKind,
  nodeKinds,
  outputsOf,
  type FieldDef,
  type NodeKind,
  type NodeKindDef,
} from './catalogue';
import { FIELD_PATH, NUMERIC_OPERATORS, VALUELESS_OPERATORS, isNumeric } from './conditions';
import { byString, cleanHandle, nodesOnCycles, topologicalOrder } from './graph';
import { TemplateError, parseTemplate, type Placeholder } from './template';
import type { CompileError, FlowEdge, FlowGraph, FlowNode, ValidateOptions } from './types';

export interface KnownNode extends FlowNode {
  type: NodeKind;
}

/** An edge that passed validation, with its handles resolved to n8n output/input indexes. */
export interface ResolvedEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle: string;
  outputIndex: number;
  targetHandle: string | null;
  inputIndex: number;
}

export interface Analysis {
  errors: CompileError[];
  nodes: Map<string, KnownNode>;
  edges: ResolvedEdge[];
  /** Topological order of known nodes (ties by id); empty when the graph has a cycle. */
  order: string[];
  trigger: KnownNode | null;
}

const CREDENTIAL_NAMES: Record<string, string> = {
  smtp: 'SMTP (email)',
  twilioApi: 'Twilio',
  slackApi: 'Slack',
  hubspotAppToken: 'HubSpot',
  salesforceOAuth2Api: 'Salesforce',
  pipedriveApi: 'Pipedrive',
  googleApi: 'Google service account',
  airtableTokenApi: 'Airtable',
};

const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks'];

/** A field's effective value: what the node's data says, else the field's default. */
export function fieldValue(node: FlowNode, field: FieldDef): unknown {
  const value = node.data?.[field.key];
  return value === undefined ? field.default : value;
}

export function fieldVisible(node: FlowNode, field: FieldDef, def: NodeKindDef): boolean {
  if (!field.visibleWhen) return true;
  const other = def.fields.find((f) => f.key === field.visibleWhen!.key);
  const value = other ? fieldValue(node, other) : node.data?.[field.visibleWhen.key];
  return field.visibleWhen.equals.includes(value as string | number | boolean);
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Placeholder-capable strings inside a field value (keyvalue values, json strings, text). */
function templatedStrings(field: FieldDef, value: unknown): string[] {
  if (typeof value === 'string') {
    if (field.type !== 'json') return [value];
    try {
      return collectStrings(JSON.parse(value));
    } catch {
      return [];
    }
  }
  if (field.type === 'keyvalue' && Array.isArray(value)) {
    return value.map((pair) => (pair as { value?: unknown })?.value).filter((v): v is string => typeof v === 'string');
  }
  if (field.type === 'json') return collectStrings(value);
  return [];
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

/** Checks one field value against its declared type; returns a problem or null. */
function checkFieldType(field: FieldDef, value: unknown): string | null {
  const name = `'${field.label}'`;
  switch (field.type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? null : `${name} must be text`;
    case 'number':
      return isNumeric(value) ? null : `${name} must be a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${name} must be yes or no`;
    case 'select':
      return field.options?.some((o) => o.value === value)
        ? null
        : `${name} must be one of: ${field.options?.map((o) => o.value).join(', ')}`;
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
        ? null
        : `${name} must be a date and time such as 2026-03-01T09:00:00Z`;
    case 'duration': {
      const d = value as { amount?: unknown; unit?: unknown } | null;
      if (!d || typeof d !== 'object' || !isNumeric(d.amount) || Number(d.amount) <= 0) {
        return `${name} must be a positive amount of time`;
      }
      return DURATION_UNITS.includes(d.unit as string) ? null : `${name} must be in minutes, hours, days or weeks`;
    }
    case 'json': {
      if (typeof value !== 'string') return value !== null && typeof value === 'object' ? null : `${name} must be JSON`;
      try {
        JSON.parse(value);
        return null;
      } catch {
        return `${name} is not valid JSON`;
      }
    }
    case 'keyvalue': {
      if (!Array.isArray(value)) return `${name} must be a list of name/value pairs`;
      const keys = new Set<string>();
      for (const pair of value as { key?: unknown; value?: unknown }[]) {
        if (!pair || typeof pair.key !== 'string' || pair.key.trim() === '') return `${name} has an entry without a name`;
        if (typeof pair.value !== 'string' && typeof pair.value !== 'number' && typeof pair.value !== 'boolean') {
          return `${name}: '${pair.key}' needs a value`;
        }
        if (keys.has(pair.key)) return `${name}: '${pair.key}' appears twice`;
        keys.add(pair.key);
      }
      return null;
    }
    case 'list': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
        return `${name} must be a list of non-empty values`;
      }
      return new Set(value).size === value.length ? null : `${name} has the same value twice`;
    }
    case 'conditions': {
      if (!Array.isArray(value)) return `${name} must be a list of conditions`;
      for (const [i, c] of (value as { field?: unknown; operator?: unknown; value?: unknown }[]).entries()) {
        const n = `condition ${i + 1}`;
        if (!c || typeof c.field !== 'string' || !FIELD_PATH.test(c.field)) {
          return `${name}: ${n} needs a lead field such as score or custom.plan`;
        }
        if (!CONDITION_OPERATORS.some((o) => o.value === c.operator)) return `${name}: ${n} has an unknown comparison`;
        const op = c.operator as (typeof VALUELESS_OPERATORS)[number];
        if (VALUELESS_OPERATORS.includes(op)) continue;
        if (isBlank(c.value)) return `${name}: ${n} needs a value`;
        if (NUMERIC_OPERATORS.includes(op) && !isNumeric(c.value)) return `${name}: ${n} compares with a number`;
      }
      return null;
    }
  }
}

/** Kind-specific rules the generic field types cannot express. */
function checkKindRules(node: KnownNode, value: (key: string) => unknown): string[] {
  const problems: string[] = [];
  switch (node.type) {
    case 'logic.abSplit': {
      const p = Number(value('percentA'));
      if (isNumeric(value('percentA')) && (p < 0 || p > 100)) problems.push(`'Share of branch a (%)' must be between 0 and 100`);
      break;
    }
    case 'logic.merge': {
      const n = Number(value('inputs'));
      if (isNumeric(value('inputs')) && (!Number.isInteger(n) || n < 2 || n > 10)) {
        problems.push(`'Number of inputs' must be a whole number from 2 to 10`);
      }
      break;
    }
    case 'trigger.webhook': {
      const path = value('path');
      if (typeof path === 'string' && path !== '' && !/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(path)) {
        problems.push(`'Path suffix' may only hold letters, digits, "-", "_" and "/" between words`);
      }
      break;
    }
    case 'trigger.schedule': {
      if (value('mode') === 'cron') {
        const cron = value('cron');
        if (typeof cron === 'string' && cron.trim() !== '' && !/^\S+(\s+\S+){4,5}$/.test(cron.trim())) {
          problems.push(`'Cron expression' needs five fields, e.g. "0 9 * * 1" for Mondays at 9:00`);
        }
      } else {
        const every = value('interval') as { unit?: unknown } | undefined;
        if (every && every.unit === 'weeks') problems.push(`'Every' must be in minutes, hours or days`);
      }
      break;
    }
    case 'integration.http': {
      const url = value('url');
      if (typeof url === 'string' && url.trim() !== '') {
        if (value('auth') === 'leadflow') {
          // The tenant API key must only ever travel to Leadflow itself.
          if (!url.startsWith('/api/')) problems.push(`'URL' must be a Leadflow API path such as /api/v1/leads`);
        } else if (!/^(https?:\/\/|\{\{)/.test(url)) {
          problems.push(`'URL' must start with http:// or https://`);
        }
      }
      break;
    }
    case 'message.teams': {
      const url = value('webhookUrl');
      if (typeof url === 'string' && url.trim() !== '' && !/^https:\/\//.test(url)) {
        problems.push(`'Incoming webhook URL' must start with https://`);
      }
      break;
    }
    default:
      break;
  }
  return problems;
}

/** Does the output of this node still carry a lead on each item? */
function outputCarriesLead(node: KnownNode, inputCarriesLead: boolean): boolean {
  if (nodeKinds[node.type].category === 'trigger') return LEAD_EVENT_TRIGGERS.includes(node.type);
  if (node.type === 'integration.code') return false;
  if (node.type === 'integration.http' && node.data?.output === 'response') return false;
  return inputCarriesLead;
}

/** Validates a graph and resolves its edges; `compile` builds on the result. */
export function analyze(graph: FlowGraph, options: ValidateOptions): Analysis {
  const errors: CompileError[] = [];
  const nodes = new Map<string, KnownNode>();
  const allIds = new Set<string>();
  const sortedNodes = [...(graph.nodes ?? [])].sort((a, b) => byString(String(a.id), String(b.id)));

  for (const node of sortedNodes) {
    if (typeof node.id !== 'string' || node.id === '') {
      errors.push({ nodeId: null, message: 'A step has no id' });
      continue;
    }
    if (allIds.has(node.id)) {
      errors.push({ nodeId: node.id, message: `Two steps share the id "${node.id}"` });
      continue;
    }
    allIds.add(node.id);
    if (!isNodeKind(node.type)) {
      errors.push({ nodeId: node.id, message: `Unknown step type "${node.type}"` });
      continue;
    }
    nodes.set(node.id, { ...node, data: node.data ?? {}, type: node.type });
  }

  const label = (id: string) => {
    const n = nodes.get(id);
    return n ? displayName(n) : id;
  };

  // ---- triggers
  const triggers = [...nodes.values()].filter((n) => nodeKinds[n.type].category === 'trigger');
  if (triggers.length === 0) {
    errors.push({ nodeId: null, message: 'The workflow needs a trigger: add one to say when it starts' });
  } else if (triggers.length > 1) {
    for (const t of triggers) {
      errors.push({
        nodeId: t.id,
        message: `${label(t.id)}: a workflow has exactly one trigger, this one has ${triggers.length}`,
      });
    }
  }

  // ---- edges
  const edges: ResolvedEdge[] = [];
  const seen = new Set<string>();
  const sortedEdges = [...(graph.edges ?? [])].sort((a, b) => byString(String(a.id), String(b.id)));
  for (const edge of sortedEdges) {
    const problem = resolveEdge(edge, nodes, allIds, label);
    if (problem === null) continue;
    if ('error' in problem) {
      errors.push(problem.error);
      continue;
    }
    const key = `${problem.source}\u0000${problem.outputIndex}\u0000${problem.target}\u0000${problem.inputIndex}`;
    if (seen.has(key)) continue; // the same connection drawn twice changes nothing
    seen.add(key);
    edges.push(problem);
  }

  // ---- cycles
  const ids = [...nodes.keys()];
  const order = topologicalOrder(ids, edges);
  if (!order) {
    for (const id of nodesOnCycles(ids, edges)) {
      errors.push({ nodeId: id, message: `${label(id)} is part of a loop: steps must not lead back to an earlier step` });
    }
  }

  // ---- connectivity
  const incoming = new Map<string, ResolvedEdge[]>(ids.map((id) => [id, []]));
  const outgoing = new Map<string, ResolvedEdge[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    incoming.get(e.target)!.push(e);
    outgoing.get(e.source)!.push(e);
  }
  const reachable = new Set<string>();
  const stack = triggers.map((t) => t.id);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const e of outgoing.get(id)!) stack.push(e.target);
  }
  for (const node of nodes.values()) {
    if (nodeKinds[node.type].category === 'trigger') continue;
    const into = incoming.get(node.id)!;
    if (into.length === 0) {
      errors.push({ nodeId: node.id, message: `${label(node.id)} is not connected: connect a previous step to it` });
      continue;
    }
    if (triggers.length > 0 && !reachable.has(node.id)) {
      errors.push({ nodeId: node.id, message: `${label(node.id)} cannot be reached from the trigger` });
    }
    const inputs = inputsOf(node.type, node.data);
    if (inputs.length > 1) {
      inputs.forEach((handle, i) => {
        if (!into.some((e) => e.inputIndex === i)) {
          errors.push({ nodeId: node.id, message: `${label(node.id)}: input ${i + 1} (${handle}) is not connected` });
        }
      });
    }
  }

  // ---- which steps receive a lead (only meaningful on an acyclic graph)
  const leadIn = new Map<string, boolean>();
  if (order) {
    const leadOut = new Map<string, boolean>();
    for (const id of order) {
      const node = nodes.get(id)!;
      const into = incoming.get(id)!;
      const inLead = into.length > 0 && into.every((e) => leadOut.get(e.source) === true);
      leadIn.set(id, inLead);
      leadOut.set(id, outputCarriesLead(node, inLead));
    }
  }

  // ---- fields, credentials, admin-only kinds
  for (const node of nodes.values()) {
    const def: NodeKindDef = nodeKinds[node.type];
    const name = label(node.id);
    const value = (key: string) => {
      const field = def.fields.find((f) => f.key === key);
      return field ? fieldValue(node, field) : node.data?.[key];
    };
    const placeholders: Placeholder[] = [];

    for (const field of def.fields) {
      if (!fieldVisible(node, field, def)) continue;
      const v = fieldValue(node, field);
      if (isBlank(v)) {
        if (field.required) errors.push({ nodeId: node.id, message: `${name}: '${field.label}' is required` });
        continue;
      }
      const typeProblem = checkFieldType(field, v);
      if (typeProblem) {
        errors.push({ nodeId: node.id, message: `${name}: ${typeProblem}` });
        continue;
      }
      if (field.placeholders) {
        for (const text of templatedStrings(field, v)) {
          try {
            placeholders.push(...parseTemplate(text).filter((p): p is Placeholder => typeof p !== 'string'));
          } catch (err) {
            if (!(err instanceof TemplateError)) throw err;
            errors.push({ nodeId: node.id, message: `${name}: '${field.label}': ${err.message}` });
          }
        }
      }
    }
    for (const problem of checkKindRules(node, value)) errors.push({ nodeId: node.id, message: `${name}: ${problem}` });

    if (def.credential && !options.credentials?.[def.credential]) {
      const what = CREDENTIAL_NAMES[def.credential] ?? def.credential;
      errors.push({ nodeId: node.id, message: `${name}: no ${what} connection is set up for this workspace` });
    }
    if (def.adminOnly && !options.allowCodeNodes) {
      errors.push({ nodeId: node.id, message: `${name}: code steps can only be published by an administrator` });
    }
    if (def.category === 'lead' && 'leadflowCredentialId' in options && !options.leadflowCredentialId) {
      errors.push({ nodeId: node.id, message: `${name}: this workflow has no Leadflow API key yet` });
    }

    // Only judged on reachable steps: an unconnected step already has its own error.
    if (order && def.category !== 'trigger' && reachable.has(node.id) && leadIn.get(node.id) === false) {
      if (def.category === 'lead') {
        errors.push({
          nodeId: node.id,
          message: `${name} needs a lead, but none reaches it (the trigger is not a lead trigger, or an HTTP response or code replaced the lead)`,
        });
      } else if (placeholders.some((p) => p.kind === 'lead')) {
        errors.push({ nodeId: node.id, message: `${name} uses {{lead.…}}, but no lead reaches this step` });
      }
    }
  }

  return { errors, nodes, edges, order: order ?? [], trigger: triggers.length === 1 ? triggers[0] : null };
}

function resolveEdge(
  edge: FlowEdge,
  nodes: Map<string, KnownNode>,
  allIds: Set<string>,
  label: (id: string) => string,
): ResolvedEdge | { error: CompileError } | null {
  const fail = (nodeId: string | null, message: string) => ({ error: { nodeId, edgeId: edge.id, message } });
  const sourceExists = allIds.has(edge.source);
  const targetExists = allIds.has(edge.target);
  if (!sourceExists || !targetExists) {
    const missing = !sourceExists ? edge.source : edge.target;
    const other = !sourceExists ? (targetExists ? edge.target : null) : edge.source;
    return fail(other, `A connection points to a step that does not exist ("${missing}")`);
  }
  const source = nodes.get(edge.source);
  const target = nodes.get(edge.target);
  if (!source || !target) return null; // an unknown step type, already reported

  const outputs = outputsOf(source.type, source.data);
  let sourceHandle = cleanHandle(edge.sourceHandle);
  if (outputs.length === 0) return fail(source.id, `${label(source.id)} has no outputs to connect from`);
  if (sourceHandle === undefined) {
    if (outputs.length > 1) {
      return fail(source.id, `${label(source.id)}: a connection must leave from one of its outputs (${outputs.join(', ')})`);
    }
    sourceHandle = outputs[0];
  }
  const outputIndex = outputs.indexOf(sourceHandle);
  if (outputIndex === -1) {
    return fail(source.id, `${label(source.id)} has no output "${sourceHandle}" (it has ${outputs.join(', ')})`);
  }

  const inputs = inputsOf(target.type, target.data);
  if (inputs.length === 0) return fail(target.id, `${label(target.id)} is a trigger: nothing can connect into it`);
  let inputIndex = 0;
  let targetHandle: string | null = null;
  if (inputs.length > 1) {
    const handle = cleanHandle(edge.targetHandle);
    inputIndex = handle === undefined ? -1 : inputs.indexOf(handle);
    if (inputIndex === -1) {
      return fail(target.id, `${label(target.id)}: a connection must arrive at one of its inputs (${inputs.join(', ')})`);
    }
    targetHandle = handle!;
  }
  return { id: edge.id, source: source.id, target: target.id, sourceHandle, outputIndex, targetHandle, inputIndex };
}

/** Checks a canvas graph; an empty list means it compiles. */
export function validate(graph: FlowGraph, options: ValidateOptions): CompileError[] {
  return analyze(graph, options).errors;
}
