// Canvas graph -> n8n workflow JSON.
//
// Each canvas node compiles to a small "fragment" of n8n nodes with declared entry points (per
// canvas input) and exits (per canvas output); canvas edges then become n8n connections between
// fragments. Design rules, each for a reason:
//   - Lead-event triggers receive a BATCH (`{events:[...]}`) per call, because an n8n execution
//     costs ~130-280 ms of CPU: Webhook -> Split Out turns the batch into one item per event, each
//     with `$json.lead`; a Filter follows only when the trigger has options (field, stages, ...).
//   - Every sandboxed expression is evaluated once per item (~0.4 ms each on 2 cores), so the
//     compiled graph adds none that the canvas does not ask for.
//   - Every item that flows between canvas steps keeps `$json.lead`: lead actions re-emit the
//     updated lead, and message/integration steps that have a next step hand the incoming items
//     on (their own output is a vendor response that would otherwise replace the lead).
//   - Lead actions make ONE HTTP call per batch (Aggregate -> bulk POST -> Split Out), not one per
//     lead. The contract is in workflow-compiler/README.md.
//   - Output is deterministic: ids are UUIDv5 of tenant/workflow/node, nodes are ordered
//     topologically with ties broken by id, and nothing reads the clock or randomness.

import { LEAD_EVENT_TRIGGERS, displayName, nodeKinds, outputsOf, type FieldDef, type NodeKind } from './catalogue';
import { filterValue, toFilterCondition, type FilterCondition, type LeadCondition } from './conditions';
import { byString, normalizeGraph } from './graph';
import { FILTER_SCHEMA_VERSION, N8N_NODE_TYPES, type N8nNodeKey } from './n8n-types';
import { jsString, jsonJs, n8nExpression, templateJs, toN8nValue, valueJs } from './template';
import type {
  CompileError,
  CompileOptions,
  CompileResult,
  CredentialRef,
  FlowEdge,
  FlowGraph,
  N8nConnections,
  N8nNode,
  WorkflowMeta,
} from './types';
import { shortHash, uuidV5 } from './uuid';
import { analyze, fieldValue, type KnownNode, type ResolvedEdge } from './validate';

/** Event `type` values Leadflow posts to lead-event triggers (see README). */
export const EVENT_TYPES: Record<string, string> = {
  'trigger.leadCreated': 'lead.created',
  'trigger.leadUpdated': 'lead.updated',
  'trigger.stageChanged': 'lead.stage_changed',
  'trigger.scoreCrossed': 'lead.score_changed',
  'trigger.formSubmitted': 'form.submitted',
};

/** Roles of the n8n nodes a canvas node compiles to; recorded in notes for `decompile`. */
export type NodeRole = 'main' | 'events' | 'filter' | 'collect' | 'results' | 'continue';

/** What `decompile` reads back from an n8n node's `notes`. */
export interface LeadflowNote {
  v: 1;
  /** The canvas node this n8n node belongs to. */
  of: string;
  role: NodeRole;
  /** Only on the 'main' node: the canvas node, its outgoing edges, and (on the trigger) the viewport. */
  node?: { id: string; type: string; position: { x: number; y: number }; data: unknown };
  edges?: FlowEdge[];
  viewport?: FlowGraph['viewport'];
}

interface Port {
  node: string;
  index: number;
}

interface Fragment {
  nodes: N8nNode[];
  internal: Array<{ from: string; output: number; to: string; input: number }>;
  /** n8n node inputs a canvas connection into canvas input `i` must reach. */
  entries: (inputIndex: number) => Port[];
  /** The n8n node output that canvas output `i` leaves from. */
  exit: (outputIndex: number) => Port;
}

// Canvas coordinates are spread out so helper nodes fit between canvas steps in n8n's editor.
const X_SCALE = 2;
const Y_SCALE = 1.5;
const HELPER_DX = 200;

/**
 * Sorts object keys recursively, so stashed data serialises the same whatever the key order.
 * Returns the value itself where nothing needs sorting (most canvas data already is), so a
 * compile does not copy every step's data just to serialise it.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const c = canonical(value[i]);
      if (c !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(c);
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = byString(keys[i - 1], keys[i]) < 0;
    let changed = !sorted;
    const children = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      children[i] = canonical(record[keys[i]]);
      if (children[i] !== record[keys[i]]) changed = true;
    }
    if (!changed) return value;
    const order = keys.map((_, i) => i);
    if (!sorted) order.sort((a, b) => byString(keys[a], keys[b]));
    const out: Record<string, unknown> = {};
    for (const i of order) out[keys[i]] = children[i];
    return out;
  }
  return value;
}

function pathSegment(id: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(id)) return id;
  // Keep the path readable but unique: two ids that sanitise alike still differ in the hash.
  return `${id.replace(/[^A-Za-z0-9_-]+/g, '-')}-${shortHash(id, 6)}`;
}

function literal(value: string): string {
  // NOTE: n8n evaluates any string starting with "=" and anything inside "{{ }}"; values that are
  // not meant to hold placeholders are wrapped so they stay literal text.
  if (!value.startsWith('=') && !value.includes('{{')) return value;
  return n8nExpression(jsString(value));
}

function str(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function checkMeta(meta: WorkflowMeta, options: CompileOptions): CompileError[] {
  const errors: CompileError[] = [];
  const safe = /^[A-Za-z0-9_-]+$/;
  if (!safe.test(meta.workflowId ?? ''))
    errors.push({ nodeId: null, message: 'The workflow id may only hold letters, digits, "-" and "_"' });
  if (!safe.test(meta.tenantSlug ?? ''))
    errors.push({ nodeId: null, message: 'The workspace slug may only hold letters, digits, "-" and "_"' });
  if (!meta.tenantId) errors.push({ nodeId: null, message: 'The workspace id is missing' });
  if (!meta.name || meta.name.trim() === '') errors.push({ nodeId: null, message: 'The workflow needs a name' });
  if (!/^https?:\/\/[^\s/]+/.test(options.leadflowApiUrl ?? '')) {
    errors.push({ nodeId: null, message: 'The Leadflow API URL must start with http:// or https://' });
  }
  return errors;
}

export function compile(graph: FlowGraph, meta: WorkflowMeta, options: CompileOptions): CompileResult {
  const analysis = analyze(graph, options);
  const errors = [...checkMeta(meta, options), ...analysis.errors];
  if (errors.length > 0) return { ok: false, errors };

  const ctx = new Context(meta, options, analysis.edges);
  const normalized = normalizeGraph(graph);
  const edgesBySource = new Map<string, FlowEdge[]>();
  for (const e of normalized.edges) {
    if (!edgesBySource.has(e.source)) edgesBySource.set(e.source, []);
    edgesBySource.get(e.source)!.push(e);
  }

  const fragments = new Map<string, Fragment>();
  const webhookPaths: Record<string, string> = {};
  for (const id of analysis.order) {
    const node = analysis.nodes.get(id)!;
    const note: LeadflowNote = {
      v: 1,
      of: node.id,
      role: 'main',
      node: { id: node.id, type: node.type, position: { x: node.position.x, y: node.position.y }, data: node.data },
      edges: edgesBySource.get(node.id) ?? [],
    };
    if (node.id === analysis.trigger?.id && normalized.viewport) note.viewport = normalized.viewport;
    const fragment = buildFragment(ctx, node, note);
    fragments.set(id, fragment);
    const path = webhookPathOf(ctx, node);
    if (path) webhookPaths[node.id] = path;
  }

  const nodes = analysis.order.flatMap((id) => fragments.get(id)!.nodes);
  const links: Array<{ from: string; output: number; to: string; input: number }> = [];
  for (const id of analysis.order) links.push(...fragments.get(id)!.internal);
  for (const edge of analysis.edges) {
    const exit = fragments.get(edge.source)!.exit(edge.outputIndex);
    for (const entry of fragments.get(edge.target)!.entries(edge.inputIndex)) {
      links.push({ from: exit.node, output: exit.index, to: entry.node, input: entry.index });
    }
  }

  return {
    ok: true,
    workflow: {
      name: meta.name,
      nodes,
      connections: buildConnections(nodes, links),
      settings: { executionOrder: 'v1' },
    },
    webhookPaths,
    tags: [`tenant:${meta.tenantSlug}`],
  };
}

function buildConnections(
  nodes: N8nNode[],
  links: Array<{ from: string; output: number; to: string; input: number }>,
): N8nConnections {
  const bySource = new Map<string, Array<{ from: string; output: number; to: string; input: number }>>();
  for (const l of links) {
    const list = bySource.get(l.from);
    if (list) list.push(l);
    else bySource.set(l.from, [l]);
  }
  const connections: N8nConnections = {};
  // Keys in node order and targets sorted by name, so the JSON never depends on edge order.
  for (const node of nodes) {
    const mine = bySource.get(node.name);
    if (!mine) continue;
    let outputs = 0;
    for (const l of mine) if (l.output + 1 > outputs) outputs = l.output + 1;
    const main: Array<Array<{ node: string; type: 'main'; index: number }>> = Array.from({ length: outputs }, () => []);
    const seen = new Set<string>();
    for (const l of mine) {
      const key = `${l.output}\u0000${l.to}\u0000${l.input}`;
      if (seen.has(key)) continue;
      seen.add(key);
      main[l.output].push({ node: l.to, type: 'main', index: l.input });
    }
    for (const targets of main) targets.sort((a, b) => byString(a.node, b.node) || a.index - b.index);
    connections[node.name] = { main };
  }
  return connections;
}

class Context {
  readonly names = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  readonly apiUrl: string;
  readonly leadflowCredential: CredentialRef;
  private readonly outgoing = new Map<string, number>();

  constructor(
    readonly meta: WorkflowMeta,
    readonly options: CompileOptions,
    edges: ResolvedEdge[],
  ) {
    this.apiUrl = options.leadflowApiUrl.replace(/\/+$/, '');
    this.leadflowCredential = { id: options.leadflowCredentialId, name: options.leadflowCredentialName ?? 'Leadflow API' };
    for (const e of edges) this.outgoing.set(e.source, (this.outgoing.get(e.source) ?? 0) + 1);
  }

  hasSuccessors(nodeId: string): boolean {
    return (this.outgoing.get(nodeId) ?? 0) > 0;
  }

  id(nodeId: string, role: string): string {
    return uuidV5(`${this.meta.tenantId}/${this.meta.workflowId}/${nodeId}/${role}`);
  }

  /** Unique human-readable n8n node name ("Send email", "Send email 2", ...). */
  name(base: string): string {
    // Resume from the last suffix given to this base: names only accumulate, so every smaller
    // suffix is still taken. Same names as counting from 2 each time, without the O(n²) scan
    // when hundreds of steps share a label.
    let i = this.nextSuffix.get(base) ?? 1;
    let name = i === 1 ? base : `${base} ${i}`;
    while (this.names.has(name)) name = `${base} ${++i}`;
    this.nextSuffix.set(base, i);
    this.names.add(name);
    return name;
  }

  credential(kind: string): Record<string, CredentialRef> {
    const ref = this.options.credentials[kind];
    return { [kind]: { id: ref.id, name: ref.name } };
  }
}

interface NodeSpec {
  role: NodeRole;
  key: N8nNodeKey;
  name: string;
  dx: number;
  parameters: Record<string, unknown>;
  credentials?: Record<string, CredentialRef>;
  webhook?: boolean;
  retry?: boolean;
}

function makeNode(ctx: Context, canvas: KnownNode, spec: NodeSpec, note: LeadflowNote): N8nNode {
  const { type, typeVersion } = N8N_NODE_TYPES[spec.key];
  const noteValue: LeadflowNote = spec.role === 'main' ? note : { v: 1, of: canvas.id, role: spec.role };
  const node: N8nNode = {
    id: ctx.id(canvas.id, spec.role),
    name: spec.name,
    type,
    typeVersion,
    position: [Math.round(canvas.position.x * X_SCALE) + spec.dx, Math.round(canvas.position.y * Y_SCALE)],
    parameters: spec.parameters,
  };
  if (spec.credentials) node.credentials = spec.credentials;
  if (spec.webhook) node.webhookId = uuidV5(`webhook:${ctx.meta.tenantId}/${ctx.meta.workflowId}/${canvas.id}`);
  if (spec.retry) {
    // The bulk endpoint de-duplicates by idempotencyKey, so a retried batch is safe.
    node.retryOnFail = true;
    node.maxTries = 3;
    node.waitBetweenTries = 2000;
  }
  node.notes = JSON.stringify({ leadflow: canonical(noteValue) });
  return node;
}

/** A fragment of n8n nodes in a chain: canvas input enters the first, canvas outputs leave the last. */
function chain(ctx: Context, canvas: KnownNode, specs: NodeSpec[], note: LeadflowNote, outputs = 1): Fragment {
  const nodes = specs.map((s) => makeNode(ctx, canvas, s, note));
  const internal = nodes.slice(1).map((n, i) => ({ from: nodes[i].name, output: 0, to: n.name, input: 0 }));
  const first = nodes[0].name;
  const last = nodes[nodes.length - 1].name;
  return {
    nodes,
    internal,
    entries: () => [{ node: first, index: 0 }],
    exit: (o) => ({ node: last, index: Math.min(o, outputs - 1) }),
  };
}

/**
 * A step whose n8n output is a vendor response (email, Slack, CRM...): when a next step exists, a
 * Merge "choose branch" waits for the step and then hands on the items that came IN, so the next
 * step still sees `$json.lead`.
 */
function passThrough(ctx: Context, canvas: KnownNode, spec: NodeSpec, note: LeadflowNote, name: string): Fragment {
  const main = makeNode(ctx, canvas, spec, note);
  if (!ctx.hasSuccessors(canvas.id)) {
    return {
      nodes: [main],
      internal: [],
      entries: () => [{ node: main.name, index: 0 }],
      exit: () => ({ node: main.name, index: 0 }),
    };
  }
  const cont = makeNode(
    ctx,
    canvas,
    {
      role: 'continue',
      key: 'merge',
      name: ctx.name(`${name} (continue)`),
      dx: HELPER_DX,
      parameters: {
        mode: 'chooseBranch',
        numberInputs: 2,
        chooseBranchMode: 'waitForAll',
        output: 'specifiedInput',
        useDataOfInput: 1,
      },
    },
    note,
  );
  return {
    nodes: [main, cont],
    internal: [{ from: main.name, output: 0, to: cont.name, input: 1 }],
    entries: () => [
      { node: main.name, index: 0 },
      { node: cont.name, index: 0 },
    ],
    exit: () => ({ node: cont.name, index: 0 }),
  };
}

function conditionsOf(canvas: KnownNode): LeadCondition[] {
  return (Array.isArray(canvas.data.conditions) ? canvas.data.conditions : []) as LeadCondition[];
}

function combinatorOf(canvas: KnownNode): 'and' | 'or' {
  return canvas.data.combinator === 'or' ? 'or' : 'and';
}

function buildFragment(ctx: Context, canvas: KnownNode, note: LeadflowNote): Fragment {
  // The main node takes the canvas label; helpers are named after it ("New lead (events)").
  const name = ctx.name(displayName(canvas));
  const fields = nodeKinds[canvas.type].fields as readonly FieldDef[];
  const v = (key: string): unknown => {
    const field = fields.find((f) => f.key === key);
    return field ? fieldValue(canvas, field) : canvas.data[key];
  };
  const condId = (role: string, i: number) => ctx.id(canvas.id, `${role}/condition/${i}`);

  if (LEAD_EVENT_TRIGGERS.includes(canvas.type)) return leadTrigger(ctx, canvas, note, name, v, condId);

  switch (canvas.type as NodeKind) {
    case 'trigger.schedule': {
      const rule =
        v('mode') === 'cron'
          ? { field: 'cronExpression', expression: str(v('cron')).trim() }
          : scheduleInterval(v('interval') as { amount: number; unit: string });
      return chain(
        ctx,
        canvas,
        [{ role: 'main', key: 'scheduleTrigger', name, dx: 0, parameters: { rule: { interval: [rule] } } }],
        note,
      );
    }
    case 'trigger.webhook': {
      const path = webhookPathOf(ctx, canvas)!;
      return chain(
        ctx,
        canvas,
        [
          {
            role: 'main',
            key: 'webhook',
            name,
            dx: 0,
            webhook: true,
            parameters: { httpMethod: str(v('method')), path, responseMode: 'onReceived', options: {} },
          },
        ],
        note,
      );
    }
    case 'logic.if':
    case 'logic.filter': {
      const key = canvas.type === 'logic.if' ? 'if' : 'filter';
      const conditions = conditionsOf(canvas).map((c, i) => toFilterCondition(c, condId('main', i)));
      return chain(
        ctx,
        canvas,
        [
          {
            role: 'main',
            key,
            name,
            dx: 0,
            parameters: {
              conditions: filterValue(conditions, combinatorOf(canvas), FILTER_SCHEMA_VERSION[key]),
              looseTypeValidation: true,
              options: {},
            },
          },
        ],
        note,
        key === 'if' ? 2 : 1,
      );
    }
    case 'logic.switch': {
      const field = str(v('field'));
      const rules = (v('rules') as string[]) ?? [];
      const values = rules.map((value, i) => ({
        conditions: filterValue(
          [toFilterCondition({ field, operator: 'equals', value }, condId('main', i))],
          'and',
          FILTER_SCHEMA_VERSION.switch,
        ),
        renameOutput: true,
        outputKey: value,
      }));
      return chain(
        ctx,
        canvas,
        [
          {
            role: 'main',
            key: 'switch',
            name,
            dx: 0,
            // Fallback as an extra output: its index is rules.length, matching handle "fallback".
            parameters: {
              mode: 'rules',
              rules: { values },
              looseTypeValidation: true,
              options: { fallbackOutput: 'extra', renameFallbackOutput: 'fallback' },
            },
          },
        ],
        note,
        outputsOf(canvas.type, canvas.data).length,
      );
    }
    case 'logic.wait': {
      let parameters: Record<string, unknown>;
      if (v('mode') === 'until') {
        parameters = { resume: 'specificTime', dateTime: str(v('until')) };
      } else {
        const d = v('duration') as { amount: number; unit: string };
        const weeks = d.unit === 'weeks';
        parameters = { resume: 'timeInterval', amount: Number(d.amount) * (weeks ? 7 : 1), unit: weeks ? 'days' : d.unit };
      }
      // n8n's editor gives every Wait node a webhookId (it can resume by webhook); do the same.
      return chain(ctx, canvas, [{ role: 'main', key: 'wait', name, dx: 0, webhook: true, parameters }], note);
    }
    case 'logic.abSplit': {
      const condition: FilterCondition = {
        id: condId('main', 0),
        leftValue: n8nExpression(abBucketJs(canvas.id)),
        rightValue: Number(v('percentA')),
        operator: { type: 'number', operation: 'lt' },
      };
      return chain(
        ctx,
        canvas,
        [
          {
            role: 'main',
            key: 'if',
            name,
            dx: 0,
            parameters: {
              conditions: filterValue([condition], 'and', FILTER_SCHEMA_VERSION.if),
              looseTypeValidation: true,
              options: {},
            },
          },
        ],
        note,
        2,
      );
    }
    case 'logic.merge': {
      const count = Number(v('inputs')) || 2;
      const frag = chain(
        ctx,
        canvas,
        [{ role: 'main', key: 'merge', name, dx: 0, parameters: { mode: 'append', numberInputs: count } }],
        note,
      );
      const only = frag.nodes[0].name;
      return { ...frag, entries: (i) => [{ node: only, index: i }] };
    }
    case 'lead.updateFields':
    case 'lead.changeStage':
    case 'lead.assignOwner':
    case 'lead.addTag':
    case 'lead.removeTag':
    case 'lead.addNote':
    case 'lead.enrolSequence':
      return leadAction(ctx, canvas, note, name, v);
    case 'message.email': {
      const html = v('format') === 'html';
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'emailSend',
          name,
          dx: 0,
          credentials: ctx.credential('smtp'),
          parameters: {
            resource: 'email',
            operation: 'send',
            fromEmail: literal(str(v('from'))),
            toEmail: toN8nValue(str(v('to'))),
            subject: toN8nValue(str(v('subject'))),
            emailFormat: html ? 'html' : 'text',
            [html ? 'html' : 'text']: toN8nValue(str(v('body'))),
            options: { appendAttribution: false },
          },
        },
        note,
        name,
      );
    }
    case 'message.sms':
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'twilio',
          name,
          dx: 0,
          credentials: ctx.credential('twilioApi'),
          parameters: {
            resource: 'sms',
            operation: 'send',
            from: literal(str(v('from'))),
            to: toN8nValue(str(v('to'))),
            toWhatsapp: false,
            message: toN8nValue(str(v('message'))),
            options: {},
          },
        },
        note,
        name,
      );
    case 'message.slack':
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'slack',
          name,
          dx: 0,
          credentials: ctx.credential('slackApi'),
          parameters: {
            authentication: 'accessToken',
            resource: 'message',
            operation: 'post',
            select: 'channel',
            channelId: slackChannel(str(v('channel')).trim()),
            messageType: 'text',
            text: toN8nValue(str(v('text'))),
            otherOptions: { includeLinkToWorkflow: false },
          },
        },
        note,
        name,
      );
    case 'message.teams': {
      // An incoming-webhook POST needs no credential, unlike n8n's Teams node (Graph OAuth2 and
      // team/channel ids). The Adaptive Card envelope is what both the legacy connectors and the
      // Workflows ("Power Automate") webhooks accept.
      const title = str(v('title'));
      const body: unknown[] = [];
      if (title.trim() !== '') body.push({ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true });
      body.push({ type: 'TextBlock', text: str(v('text')), wrap: true });
      const card = {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: { type: 'AdaptiveCard', version: '1.4', body },
          },
        ],
      };
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'httpRequest',
          name,
          dx: 0,
          parameters: {
            method: 'POST',
            url: literal(str(v('webhookUrl')).trim()),
            sendBody: true,
            specifyBody: 'json',
            jsonBody: n8nExpression(`JSON.stringify(${jsonJs(card, '$json', false)})`),
            options: {},
          },
        },
        note,
        name,
      );
    }
    case 'integration.hubspot':
      return passThrough(ctx, canvas, hubspotSpec(ctx, canvas, name, v), note, name);
    case 'integration.salesforce':
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'salesforce',
          name,
          dx: 0,
          credentials: ctx.credential('salesforceOAuth2Api'),
          parameters: {
            authentication: 'oAuth2',
            resource: 'lead',
            operation: 'create',
            company: toN8nValue(str(v('company'))),
            lastname: toN8nValue(str(v('lastName'))),
            additionalFields: optionalFields({ firstname: v('firstName'), email: v('email'), phone: v('phone') }),
          },
        },
        note,
        name,
      );
    case 'integration.pipedrive': {
      const extra: Record<string, unknown> = {};
      // Pipedrive takes several emails/phones per person: both are lists in n8n's node.
      if (str(v('email')).trim() !== '') extra.email = [toN8nValue(str(v('email')))];
      if (str(v('phone')).trim() !== '') extra.phone = [toN8nValue(str(v('phone')))];
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'pipedrive',
          name,
          dx: 0,
          credentials: ctx.credential('pipedriveApi'),
          parameters: {
            authentication: 'apiToken',
            resource: 'person',
            operation: 'create',
            name: toN8nValue(str(v('name'))),
            additionalFields: extra,
          },
        },
        note,
        name,
      );
    }
    case 'integration.googleSheets': {
      const columns = pairs(v('columns'));
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'googleSheets',
          name,
          dx: 0,
          credentials: ctx.credential('googleApi'),
          parameters: {
            authentication: 'serviceAccount',
            resource: 'sheet',
            operation: 'append',
            documentId: { __rl: true, mode: 'id', value: literal(str(v('documentId')).trim()) },
            sheetName: { __rl: true, mode: 'name', value: literal(str(v('sheetName')).trim()) },
            columns: resourceMapper(columns),
            options: {},
          },
        },
        note,
        name,
      );
    }
    case 'integration.airtable': {
      const fields = pairs(v('fields'));
      return passThrough(
        ctx,
        canvas,
        {
          role: 'main',
          key: 'airtable',
          name,
          dx: 0,
          credentials: ctx.credential('airtableTokenApi'),
          parameters: {
            authentication: 'airtableTokenApi',
            resource: 'record',
            operation: 'create',
            base: { __rl: true, mode: 'id', value: literal(str(v('baseId')).trim()) },
            table: { __rl: true, mode: 'id', value: literal(str(v('tableId')).trim()) },
            columns: resourceMapper(fields),
            options: {},
          },
        },
        note,
        name,
      );
    }
    case 'integration.http': {
      const spec = httpSpec(ctx, canvas, name, v);
      if (v('output') === 'response') return chain(ctx, canvas, [spec], note);
      return passThrough(ctx, canvas, spec, note, name);
    }
    case 'integration.code':
      return chain(
        ctx,
        canvas,
        [
          {
            role: 'main',
            key: 'code',
            name,
            dx: 0,
            parameters: { language: 'javaScript', mode: 'runOnceForAllItems', jsCode: str(v('code')) },
          },
        ],
        note,
      );
    default:
      throw new Error(`internal: no compiler for ${canvas.type}`);
  }
}

/** Slack's node takes a channel "By ID" (C0122KQ70S7) or "By Name" (#general). */
function slackChannel(channel: string): Record<string, unknown> {
  return { __rl: true, mode: channel.startsWith('#') ? 'name' : 'id', value: literal(channel) };
}

/**
 * The n8n webhook path of a trigger, or null for triggers without one. Tenant slug, workflow id and
 * canvas node id make it unique across tenants and workflows, and stable across recompiles.
 */
function webhookPathOf(ctx: Context, canvas: KnownNode): string | null {
  const base = `leadflow/${ctx.meta.tenantSlug}/${ctx.meta.workflowId}/${pathSegment(canvas.id)}`;
  if (LEAD_EVENT_TRIGGERS.includes(canvas.type)) return base;
  if (canvas.type !== 'trigger.webhook') return null;
  const suffix = str(canvas.data.path).trim();
  return suffix ? `${base}/${suffix}` : base;
}

function scheduleInterval(every: { amount: number; unit: string }): Record<string, unknown> {
  const amount = Number(every.amount);
  switch (every.unit) {
    case 'minutes':
      return { field: 'minutes', minutesInterval: amount };
    case 'hours':
      return { field: 'hours', hoursInterval: amount };
    default:
      return { field: 'days', daysInterval: amount };
  }
}

/**
 * JavaScript for a stable 0-99 bucket of the lead id: FNV-1a (32-bit) over "<salt>:<lead id>".
 * The salt is per A/B node so two splits in one workflow are independent; FNV's multiply-after-xor
 * mixes the salt in non-linearly (a plain polynomial hash would only shift every bucket alike).
 * No Code node needed: n8n expressions run plain JavaScript.
 */
export function abBucketJs(nodeId: string): string {
  return `(${jsString(`${abSalt(nodeId)}:`)} + $json.lead.id).split("").reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261) % 100`;
}

function abSalt(nodeId: string): string {
  return shortHash(`ab:${nodeId}`, 8);
}

/** The same bucket computed in TypeScript (tests check the split without running n8n). */
export function abBucket(nodeId: string, leadId: string): number {
  let h = 2166136261;
  for (const ch of `${abSalt(nodeId)}:${leadId}`.split('')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h % 100;
}

function leadTrigger(
  ctx: Context,
  canvas: KnownNode,
  note: LeadflowNote,
  name: string,
  v: (key: string) => unknown,
  condId: (role: string, i: number) => string,
): Fragment {
  const path = webhookPathOf(ctx, canvas)!;
  // NOTE: no condition on the event type. Leadflow's deliverer posts a workflow only the event
  // types its trigger listens to (workflows.trigger_events), and every condition here is one more
  // sandboxed expression evaluated per event: a Filter checking only the type cost about as much
  // as the If after it. The trigger's own options still become conditions, and without any the
  // Filter is left out.
  const conditions: Array<Omit<FilterCondition, 'id'>> = [];
  const text = (key: string) => str(v(key)).trim();
  switch (canvas.type) {
    case 'trigger.leadUpdated':
      if (text('field')) {
        conditions.push({
          leftValue: '={{ $json.changes }}',
          rightValue: text('field'),
          operator: { type: 'array', operation: 'contains', rightType: 'any' },
        });
      }
      break;
    case 'trigger.stageChanged':
      if (text('fromStage'))
        conditions.push({
          leftValue: '={{ $json.previous?.stage }}',
          rightValue: text('fromStage'),
          operator: { type: 'string', operation: 'equals' },
        });
      if (text('toStage'))
        conditions.push({
          leftValue: '={{ $json.lead.stage }}',
          rightValue: text('toStage'),
          operator: { type: 'string', operation: 'equals' },
        });
      break;
    case 'trigger.scoreCrossed': {
      const threshold = Number(v('threshold'));
      const up = v('direction') !== 'down';
      conditions.push(
        {
          leftValue: '={{ $json.previous?.score }}',
          rightValue: threshold,
          operator: { type: 'number', operation: up ? 'lt' : 'gte' },
        },
        {
          leftValue: '={{ $json.lead.score }}',
          rightValue: threshold,
          operator: { type: 'number', operation: up ? 'gte' : 'lt' },
        },
      );
      break;
    }
    case 'trigger.formSubmitted':
      if (text('formId'))
        conditions.push({
          leftValue: '={{ $json.form?.id }}',
          rightValue: text('formId'),
          operator: { type: 'string', operation: 'equals' },
        });
      break;
    default:
      break;
  }
  const inbound = ctx.options.inboundWebhookCredential;
  const webhookParameters: Record<string, unknown> = { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} };
  if (inbound) webhookParameters.authentication = 'headerAuth';
  const specs: NodeSpec[] = [
    {
      role: 'main',
      key: 'webhook',
      name,
      dx: 0,
      webhook: true,
      parameters: webhookParameters,
      credentials: inbound ? { httpHeaderAuth: { id: inbound.id, name: inbound.name } } : undefined,
    },
    {
      role: 'events',
      key: 'splitOut',
      name: ctx.name(`${name} (events)`),
      dx: HELPER_DX,
      parameters: { fieldToSplitOut: 'body.events', include: 'noOtherFields', options: {} },
    },
  ];
  if (conditions.length > 0) {
    specs.push({
      role: 'filter',
      key: 'filter',
      name: ctx.name(`${name} (filter)`),
      dx: HELPER_DX * 2,
      parameters: {
        conditions: filterValue(
          conditions.map((c, i) => ({ id: condId('filter', i), ...c })),
          'and',
          FILTER_SCHEMA_VERSION.filter,
        ),
        looseTypeValidation: true,
        options: {},
      },
    });
  }
  return chain(ctx, canvas, specs, note);
}

/** The JavaScript object for one bulk operation, built from item `e` (see README). */
function bulkOperationJs(canvas: KnownNode, v: (key: string) => unknown): string {
  // Events carry their id as `id`; items re-emitted by an earlier lead action carry `eventId`.
  const eventId = 'e.eventId ?? e.id';
  const common = [`"op": ${jsString(OPS[canvas.type])}`, `"leadId": e.lead.id`, `"eventId": ${eventId}`];
  // Same event + same step => same key, so a retried batch does not add a note twice. Only the
  // operations that are not naturally idempotent carry one: Leadflow stores a result row per key,
  // which for a batch of stage changes or tags was a third of the callback's work for nothing.
  const repeatable =
    canvas.type === 'lead.addNote' || canvas.type === 'lead.enrolSequence' || (canvas.type === 'lead.assignOwner' && str(v('owner')).trim() === 'round_robin');
  if (repeatable) common.push(`"idempotencyKey": String(${eventId}) + ${jsString(`:${canvas.id}`)}`);
  const text = (key: string) => jsString(str(v(key)));
  let specific: string[];
  switch (canvas.type) {
    case 'lead.updateFields':
      specific = [`"fields": ${pairsJs(v('fields'))}`];
      break;
    case 'lead.changeStage':
      specific = [`"stage": ${text('stage')}`];
      break;
    case 'lead.assignOwner':
      specific = [`"owner": ${text('owner')}`];
      break;
    case 'lead.addTag':
    case 'lead.removeTag':
      specific = [`"tag": ${text('tag')}`];
      break;
    case 'lead.addNote':
      specific = [`"body": ${templateJs(str(v('note')), 'e')}`];
      break;
    case 'lead.enrolSequence':
      specific = [`"sequenceId": ${text('sequenceId')}`];
      break;
    default:
      throw new Error(`internal: ${canvas.type} is not a lead action`);
  }
  return `{ ${[...common, ...specific].join(', ')} }`;
}

const OPS: Record<string, string> = {
  'lead.updateFields': 'update',
  'lead.changeStage': 'stage',
  'lead.assignOwner': 'assign',
  'lead.addTag': 'addTag',
  'lead.removeTag': 'removeTag',
  'lead.addNote': 'note',
  'lead.enrolSequence': 'enrol',
};

function leadAction(ctx: Context, canvas: KnownNode, note: LeadflowNote, name: string, v: (key: string) => unknown): Fragment {
  const body = `JSON.stringify({ "operations": $json.items.map(e => (${bulkOperationJs(canvas, v)})) })`;
  const specs: NodeSpec[] = [
    {
      role: 'collect',
      key: 'aggregate',
      name: ctx.name(`${name} (collect)`),
      dx: 0,
      parameters: { aggregate: 'aggregateAllItemData', destinationFieldName: 'items', include: 'allFields', options: {} },
    },
    {
      role: 'main',
      key: 'httpRequest',
      name,
      dx: HELPER_DX,
      retry: true,
      credentials: { httpHeaderAuth: { ...ctx.leadflowCredential } },
      parameters: {
        method: 'POST',
        url: `${ctx.apiUrl}/api/v1/leads/bulk`,
        authentication: 'genericCredentialType',
        genericAuthType: 'httpHeaderAuth',
        sendBody: true,
        specifyBody: 'json',
        jsonBody: n8nExpression(body),
        options: {},
      },
    },
  ];
  // The response only matters when a next step needs the updated leads back as items.
  if (ctx.hasSuccessors(canvas.id)) {
    specs.push({
      role: 'results',
      key: 'splitOut',
      name: ctx.name(`${name} (results)`),
      dx: HELPER_DX * 2,
      parameters: { fieldToSplitOut: 'results', include: 'noOtherFields', options: {} },
    });
  }
  return chain(ctx, canvas, specs, note);
}

function pairs(value: unknown): Array<{ key: string; value: unknown }> {
  return Array.isArray(value) ? (value as Array<{ key: string; value: unknown }>) : [];
}

/** Key/value pairs as a JavaScript object literal whose string values may hold placeholders. */
function pairsJs(value: unknown): string {
  const entries = pairs(value).map(
    (p) => `${jsString(p.key)}: ${typeof p.value === 'string' ? valueJs(p.value, 'e') : JSON.stringify(p.value)}`,
  );
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** n8n's resourceMapper value ("columns") for Sheets/Airtable: every column as a string. */
function resourceMapper(columns: Array<{ key: string; value: unknown }>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const c of columns) value[c.key] = typeof c.value === 'string' ? toN8nValue(c.value) : c.value;
  return {
    mappingMode: 'defineBelow',
    value,
    matchingColumns: [],
    schema: columns.map((c) => ({
      id: c.key,
      displayName: c.key,
      required: false,
      defaultMatch: false,
      display: true,
      type: 'string',
      canBeUsedToMatch: true,
    })),
  };
}

/** Only the fields that have a value, each as an n8n value (placeholders become expressions). */
function optionalFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (str(value).trim() !== '') out[key] = toN8nValue(str(value));
  }
  return out;
}

function hubspotSpec(ctx: Context, canvas: KnownNode, name: string, v: (key: string) => unknown): NodeSpec {
  const base = { role: 'main' as const, key: 'hubspot' as const, name, dx: 0, credentials: ctx.credential('hubspotAppToken') };
  if (v('object') === 'deal') {
    return {
      ...base,
      parameters: {
        authentication: 'appToken',
        resource: 'deal',
        operation: 'create',
        stage: literal(str(v('dealStage')).trim()),
        additionalFields: optionalFields({ dealName: v('dealName'), amount: v('amount'), pipeline: v('pipeline') }),
      },
    };
  }
  return {
    ...base,
    parameters: {
      authentication: 'appToken',
      resource: 'contact',
      operation: 'upsert',
      email: toN8nValue(str(v('email'))),
      additionalFields: optionalFields({
        firstName: v('firstName'),
        lastName: v('lastName'),
        companyName: v('company'),
        phoneNumber: v('phone'),
        jobTitle: v('jobTitle'),
      }),
      options: {},
    },
  };
}

function httpSpec(ctx: Context, canvas: KnownNode, name: string, v: (key: string) => unknown): NodeSpec {
  const method = str(v('method')) || 'POST';
  const leadflow = v('auth') === 'leadflow';
  const url = leadflow ? `${ctx.apiUrl}${str(v('url')).trim()}` : str(v('url')).trim();
  const parameters: Record<string, unknown> = { method, url: toN8nValue(url) };
  if (leadflow) {
    parameters.authentication = 'genericCredentialType';
    parameters.genericAuthType = 'httpHeaderAuth';
  }
  const query = pairs(v('query'));
  if (query.length > 0) {
    parameters.sendQuery = true;
    parameters.queryParameters = { parameters: query.map((p) => ({ name: p.key, value: toN8nValue(str(p.value)) })) };
  }
  const headers = pairs(v('headers'));
  if (headers.length > 0) {
    parameters.sendHeaders = true;
    parameters.headerParameters = { parameters: headers.map((p) => ({ name: p.key, value: toN8nValue(str(p.value)) })) };
  }
  const body = v('body');
  if (['POST', 'PUT', 'PATCH'].includes(method) && body !== undefined && str(body).trim() !== '') {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    parameters.sendBody = true;
    parameters.specifyBody = 'json';
    parameters.jsonBody = n8nExpression(`JSON.stringify(${jsonJs(parsed, '$json')})`);
  }
  parameters.options = {};
  return {
    role: 'main',
    key: 'httpRequest',
    name,
    dx: 0,
    parameters,
    credentials: leadflow ? { httpHeaderAuth: { ...ctx.leadflowCredential } } : undefined,
  };
}
