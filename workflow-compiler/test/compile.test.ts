import { describe, expect, it } from 'vitest';
import {
  abBucket,
  checkTypeVersions,
  compile,
  decompile,
  N8N_NODE_TYPES,
  nodeKinds,
  normalizeGraph,
  syntheticGraph,
  uuidV5,
  type CompileResult,
  type FlowGraph,
  type N8nWorkflow,
  type NodeKind,
} from '../src/index';
import { meta, options, mainNodeOf, roleNodeOf, sampleData, singleStepGraph } from './helpers';

function compiled(graph: FlowGraph, opts = options): Extract<CompileResult, { ok: true }> {
  const result = compile(graph, meta, opts);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

/** Names of the nodes each output of `from` connects to. */
function outputs(workflow: N8nWorkflow, from: string): string[][] {
  return (workflow.connections[from]?.main ?? []).map((targets) => targets.map((t) => `${t.node}#${t.index}`));
}

// Keys n8n's public API accepts on a node (packages/cli/.../schemas/node.yml, additionalProperties: false).
const API_NODE_KEYS = new Set([
  'id',
  'name',
  'webhookId',
  'disabled',
  'notesInFlow',
  'notes',
  'type',
  'typeVersion',
  'executeOnce',
  'alwaysOutputData',
  'retryOnFail',
  'maxTries',
  'waitBetweenTries',
  'continueOnFail',
  'onError',
  'position',
  'parameters',
  'credentials',
  'customTelemetryTags',
]);

const ifGraph: FlowGraph = {
  nodes: [
    { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
    { id: 'if', type: 'logic.if', position: { x: 200, y: 0 }, data: sampleData['logic.if'] },
    { id: 'yes', type: 'lead.addTag', position: { x: 400, y: 0 }, data: { tag: 'yes' } },
    { id: 'no', type: 'lead.addTag', position: { x: 400, y: 200 }, data: { tag: 'no' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'if' },
    { id: 'e-no', source: 'if', sourceHandle: 'false', target: 'no' },
    { id: 'e-yes', source: 'if', sourceHandle: 'true', target: 'yes' },
  ],
};

describe('compile: workflow body', () => {
  it('has exactly the keys the public API accepts', () => {
    for (const kind of Object.keys(nodeKinds) as NodeKind[]) {
      const { workflow } = compiled(singleStepGraph(kind));
      expect(Object.keys(workflow).sort()).toEqual(['connections', 'name', 'nodes', 'settings']);
      expect(workflow.settings).toEqual({ executionOrder: 'v1' });
      for (const node of workflow.nodes) {
        for (const key of Object.keys(node)) expect(API_NODE_KEYS.has(key), `${kind}: node key ${key}`).toBe(true);
        expect(node.position).toHaveLength(2);
        expect(Number.isInteger(node.position[0]) && Number.isInteger(node.position[1])).toBe(true);
      }
    }
  });

  it('uses only the type/typeVersion pairs of the table', () => {
    const pairs = new Set(Object.values(N8N_NODE_TYPES).map((t) => `${t.type}@${t.typeVersion}`));
    for (const kind of Object.keys(nodeKinds) as NodeKind[]) {
      for (const node of compiled(singleStepGraph(kind)).workflow.nodes) {
        expect(pairs.has(`${node.type}@${node.typeVersion}`), `${kind}: ${node.type}@${node.typeVersion}`).toBe(true);
      }
    }
  });

  it('gives nodes unique names, deduplicated with " 2", " 3"', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        ...['a', 'b', 'c'].map((id, i) => ({
          id,
          type: 'message.slack',
          position: { x: 200, y: i * 100 },
          data: sampleData['message.slack'],
        })),
      ],
      edges: ['a', 'b', 'c'].map((id) => ({ id: `e-${id}`, source: 'start', target: id })),
    };
    const names = compiled(graph).workflow.nodes.map((n) => n.name);
    expect(names).toEqual([
      'New lead',
      'New lead (events)',
      'Slack message',
      'Slack message 2',
      'Slack message 3',
    ]);
  });

  it('deduplicates names as probing " 2", " 3", … would, also when labels collide with suffixes', () => {
    // Custom labels that look like generated names, mixed with many steps of the same kind.
    const labels = ['', 'If 3', '', '', 'If 2', '', 'If', 'If 3 2', '', 'If 3'];
    const graph: FlowGraph = {
      nodes: [
        { id: 'a', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        ...labels.map((label, i) => ({
          id: `n${String(i).padStart(2, '0')}`,
          type: 'logic.if' as const,
          position: { x: 200, y: i * 100 },
          data: { ...sampleData['logic.if'], ...(label ? { label } : {}) },
        })),
      ],
      edges: labels.map((_, i) => ({ id: `e${i}`, source: 'a', target: `n${String(i).padStart(2, '0')}` })),
    };
    const names = compiled(graph)
      .workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.if')
      .map((n) => n.name);
    // Reference: the straightforward probe from " 2" for every name.
    const taken = new Set<string>(['New lead', 'New lead (events)']);
    const expected = labels.map((label) => {
      const base = label || 'If';
      let name = base;
      for (let i = 2; taken.has(name); i++) name = `${base} ${i}`;
      taken.add(name);
      return name;
    });
    expect(names).toEqual(expected);
    expect(new Set(names).size).toBe(names.length);
  });

  it('derives ids and webhook ids deterministically from tenant, workflow and node', () => {
    const { workflow } = compiled(singleStepGraph('trigger.leadCreated'));
    const webhook = mainNodeOf(workflow.nodes, 'start');
    expect(webhook.id).toBe(uuidV5(`${meta.tenantId}/${meta.workflowId}/start/main`));
    expect(webhook.webhookId).toBe(uuidV5(`webhook:${meta.tenantId}/${meta.workflowId}/start`));
    const other = compiled(singleStepGraph('trigger.leadCreated'));
    expect(other.workflow).toEqual(workflow);
    const otherTenant = compile(singleStepGraph('trigger.leadCreated'), { ...meta, tenantId: 'someone-else' }, options);
    expect(otherTenant.ok && otherTenant.workflow.nodes[0].id).not.toBe(webhook.id);
  });

  it('returns the tenant tag and webhook paths alongside the body', () => {
    const result = compiled(singleStepGraph('trigger.leadCreated'));
    expect(result.tags).toEqual(['tenant:acme']);
    expect(result.webhookPaths).toEqual({ start: 'leadflow/acme/wf-123/start' });
    expect(mainNodeOf(result.workflow.nodes, 'start').parameters.path).toBe('leadflow/acme/wf-123/start');
    const inbound = compiled(singleStepGraph('trigger.webhook'));
    expect(inbound.webhookPaths).toEqual({ start: 'leadflow/acme/wf-123/start/typeform/responses' });
  });

  it('keeps webhook paths URL-safe and unique for odd node ids', () => {
    const graph = singleStepGraph('trigger.leadCreated');
    graph.nodes[0].id = 'dnd node/1';
    const { webhookPaths } = compiled(graph);
    expect(webhookPaths['dnd node/1']).toMatch(/^leadflow\/acme\/wf-123\/dnd-node-1-[0-9a-f]{6}$/);
  });

  it('compiles a 500-node graph', () => {
    const graph = syntheticGraph(500);
    expect(graph.nodes).toHaveLength(500);
    const result = compiled(graph);
    expect(new Set(result.workflow.nodes.map((n) => n.name)).size).toBe(result.workflow.nodes.length);
    expect(result.workflow.nodes.length).toBeGreaterThan(500);
  });
});

describe('compile: determinism', () => {
  function shuffled<T>(items: T[], seed: number): T[] {
    // A fixed permutation (no Math.random): reverse, then rotate by the seed.
    const reversed = [...items].reverse();
    const k = seed % Math.max(items.length, 1);
    return [...reversed.slice(k), ...reversed.slice(0, k)];
  }

  it('gives byte-identical JSON for the same graph, whatever the input order', () => {
    const graph = syntheticGraph(120);
    const first = JSON.stringify(compile(graph, meta, options));
    expect(JSON.stringify(compile(graph, meta, options))).toBe(first);
    for (const seed of [1, 7, 33]) {
      const reordered: FlowGraph = {
        ...graph,
        nodes: shuffled(graph.nodes, seed).map((n) => ({ ...n, data: Object.fromEntries(Object.entries(n.data).reverse()) })),
        edges: shuffled(graph.edges, seed + 1),
      };
      expect(JSON.stringify(compile(reordered, meta, options))).toBe(first);
    }
  });

  it('reports errors in a stable order too', () => {
    const graph = syntheticGraph(30);
    graph.nodes.push({ id: 'zz', type: 'lead.addTag', position: { x: 0, y: 0 }, data: {} });
    graph.nodes.push({ id: 'aa', type: 'message.slack', position: { x: 0, y: 0 }, data: {} });
    const first = JSON.stringify(compile(graph, meta, options));
    const reordered = { ...graph, nodes: shuffled(graph.nodes, 5), edges: shuffled(graph.edges, 3) };
    expect(JSON.stringify(compile(reordered, meta, options))).toBe(first);
  });
});

describe('compile: branch outputs', () => {
  it('connects If true to output 0 and false to output 1', () => {
    const { workflow } = compiled(ifGraph);
    const yes = roleNodeOf(workflow.nodes, 'yes', 'collect')!.name;
    const no = roleNodeOf(workflow.nodes, 'no', 'collect')!.name;
    expect(outputs(workflow, 'If')).toEqual([[`${yes}#0`], [`${no}#0`]]);
  });

  it('routes Switch rule i to output i and fallback to the extra last output', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        {
          id: 'sw',
          type: 'logic.switch',
          position: { x: 200, y: 0 },
          data: { field: 'source', rules: ['ads', 'webinar', 'referral'] },
        },
        { id: 'ads', type: 'lead.addTag', position: { x: 400, y: 0 }, data: { tag: 'ads' } },
        { id: 'ref', type: 'lead.addTag', position: { x: 400, y: 100 }, data: { tag: 'ref' } },
        { id: 'fb', type: 'lead.addTag', position: { x: 400, y: 200 }, data: { tag: 'other' } },
      ],
      edges: [
        { id: 'e0', source: 'start', target: 'sw' },
        { id: 'e1', source: 'sw', sourceHandle: 'rule-0', target: 'ads' },
        { id: 'e2', source: 'sw', sourceHandle: 'rule-2', target: 'ref' },
        { id: 'e3', source: 'sw', sourceHandle: 'fallback', target: 'fb' },
      ],
    };
    const { workflow } = compiled(graph);
    const sw = mainNodeOf(workflow.nodes, 'sw');
    expect(sw.parameters.options).toEqual({ fallbackOutput: 'extra', renameFallbackOutput: 'fallback' });
    const rules = (
      sw.parameters.rules as { values: Array<{ outputKey: string; conditions: { conditions: Array<{ rightValue: unknown }> } }> }
    ).values;
    expect(rules.map((r) => r.outputKey)).toEqual(['ads', 'webinar', 'referral']);
    expect(rules.map((r) => r.conditions.conditions[0].rightValue)).toEqual(['ads', 'webinar', 'referral']);
    expect(outputs(workflow, sw.name)).toEqual([
      [`${mainNodeOf(workflow.nodes, 'ads').name} (collect)#0`],
      [],
      [`${mainNodeOf(workflow.nodes, 'ref').name} (collect)#0`],
      [`${mainNodeOf(workflow.nodes, 'fb').name} (collect)#0`],
    ]);
  });

  it('sends A/B branch a to output 0 and b to output 1 of an If on a stable bucket', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'ab', type: 'logic.abSplit', position: { x: 200, y: 0 }, data: { percentA: 30 } },
        { id: 'b', type: 'lead.addTag', position: { x: 400, y: 100 }, data: { tag: 'b' } },
        { id: 'a', type: 'lead.addTag', position: { x: 400, y: 0 }, data: { tag: 'a' } },
      ],
      edges: [
        { id: 'e0', source: 'start', target: 'ab' },
        { id: 'ea', source: 'ab', sourceHandle: 'a', target: 'a' },
        { id: 'eb', source: 'ab', sourceHandle: 'b', target: 'b' },
      ],
    };
    const { workflow } = compiled(graph);
    const ab = mainNodeOf(workflow.nodes, 'ab');
    expect(ab.type).toBe('n8n-nodes-base.if');
    const condition = (ab.parameters.conditions as { conditions: Array<Record<string, unknown>> }).conditions[0];
    expect(condition.operator).toEqual({ type: 'number', operation: 'lt' });
    expect(condition.rightValue).toBe(30);
    expect(condition.leftValue).toMatch(/^=\{\{ \("[0-9a-f]{8}:" \+ \$json\.lead\.id\)\.split\(""\)\.reduce\(/);
    const a = roleNodeOf(workflow.nodes, 'a', 'collect')!.name;
    const b = roleNodeOf(workflow.nodes, 'b', 'collect')!.name;
    expect(outputs(workflow, ab.name)).toEqual([[`${a}#0`], [`${b}#0`]]);
  });

  it('A/B buckets are stable per lead, spread evenly, and differ between splits', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `lead-${i}`);
    const inA = ids.filter((id) => abBucket('ab', id) < 30).length / ids.length;
    expect(inA).toBeGreaterThan(0.27);
    expect(inA).toBeLessThan(0.33);
    expect(abBucket('ab', 'lead-1')).toBe(abBucket('ab', 'lead-1'));
    const agree = ids.filter((id) => abBucket('ab', id) < 50 === abBucket('other', id) < 50).length / ids.length;
    expect(agree).toBeGreaterThan(0.4);
    expect(agree).toBeLessThan(0.6);
  });

  it('connects merge inputs to the matching n8n input index', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'if', type: 'logic.if', position: { x: 200, y: 0 }, data: sampleData['logic.if'] },
        { id: 'm', type: 'logic.merge', position: { x: 400, y: 0 }, data: { inputs: 3 } },
        { id: 'w', type: 'logic.wait', position: { x: 300, y: 200 }, data: sampleData['logic.wait'] },
      ],
      edges: [
        { id: 'e0', source: 'start', target: 'if' },
        { id: 'e1', source: 'if', sourceHandle: 'false', target: 'm', targetHandle: 'in-2' },
        { id: 'e2', source: 'if', sourceHandle: 'true', target: 'm', targetHandle: 'in-0' },
        { id: 'e3', source: 'start', target: 'w' },
        { id: 'e4', source: 'w', target: 'm', targetHandle: 'in-1' },
      ],
    };
    const { workflow } = compiled(graph);
    expect(mainNodeOf(workflow.nodes, 'm').parameters).toEqual({ mode: 'append', numberInputs: 3 });
    expect(outputs(workflow, 'If')).toEqual([['Merge#0'], ['Merge#2']]);
    expect(outputs(workflow, 'Wait')).toEqual([['Merge#1']]);
  });
});

describe('compile: triggers', () => {
  it('turns a batch of lead events into one item per event, filtered by the trigger options only', () => {
    const { workflow } = compiled(singleStepGraph('trigger.stageChanged'));
    const [webhook, split, filter] = workflow.nodes;
    expect(webhook.parameters).toEqual({
      httpMethod: 'POST',
      path: 'leadflow/acme/wf-123/start',
      responseMode: 'onReceived',
      options: {},
    });
    expect(split.parameters).toEqual({ fieldToSplitOut: 'body.events', include: 'noOtherFields', options: {} });
    const conditions = filter.parameters.conditions as {
      options: unknown;
      conditions: Array<Record<string, unknown>>;
      combinator: string;
    };
    expect(conditions.options).toEqual({ caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 });
    expect(conditions.combinator).toBe('and');
    expect(conditions.conditions.map(({ leftValue, rightValue, operator }) => ({ leftValue, rightValue, operator }))).toEqual([
      { leftValue: '={{ $json.previous?.stage }}', rightValue: 'MQL', operator: { type: 'string', operation: 'equals' } },
      { leftValue: '={{ $json.lead.stage }}', rightValue: 'SQL', operator: { type: 'string', operation: 'equals' } },
    ]);
    expect(outputs(workflow, webhook.name)).toEqual([[`${split.name}#0`]]);
    expect(outputs(workflow, split.name)).toEqual([[`${filter.name}#0`]]);
  });

  it('adds no Filter to a lead trigger without options (the deliverer sends only its event types)', () => {
    for (const kind of ['trigger.leadCreated', 'trigger.leadUpdated', 'trigger.formSubmitted'] as const) {
      const data = kind === 'trigger.leadCreated' ? {} : kind === 'trigger.leadUpdated' ? { field: '' } : { formId: '' };
      const graph = singleStepGraph('lead.addTag');
      graph.nodes[0] = { ...graph.nodes[0], type: kind, data };
      const { workflow } = compiled(graph);
      expect(workflow.nodes.map((n) => n.name).filter((n) => n.endsWith('(filter)'))).toEqual([]);
      const split = workflow.nodes[1];
      expect(split.parameters).toEqual({ fieldToSplitOut: 'body.events', include: 'noOtherFields', options: {} });
      // The Split Out is the trigger's exit: the next step hangs off it.
      expect(outputs(workflow, split.name)).toEqual([['Add tag (collect)#0']]);
      expect(decompile(workflow)).toEqual(normalizeGraph(graph));
    }
    const withField = compiled(singleStepGraph('trigger.leadUpdated', { field: 'stage' })).workflow;
    expect(withField.nodes.some((n) => n.name.endsWith('(filter)'))).toBe(true);
  });

  it('checks a score crossing in both directions', () => {
    const conditionsOf = (direction: string) => {
      const { workflow } = compiled(singleStepGraph('trigger.scoreCrossed', { threshold: 50, direction }));
      return (
        workflow.nodes[2].parameters.conditions as { conditions: Array<{ leftValue: string; operator: { operation: string } }> }
      ).conditions.map((c) => `${c.leftValue} ${c.operator.operation}`);
    };
    expect(conditionsOf('up')).toEqual(['={{ $json.previous?.score }} lt', '={{ $json.lead.score }} gte']);
    expect(conditionsOf('down')).toEqual(['={{ $json.previous?.score }} gte', '={{ $json.lead.score }} lt']);
  });

  it('protects lead-event webhooks with the inbound credential when one is given', () => {
    const inbound = { id: 'cred-inbound', name: 'Leadflow events' };
    const { workflow } = compiled(singleStepGraph('trigger.leadCreated'), { ...options, inboundWebhookCredential: inbound });
    expect(workflow.nodes[0].parameters.authentication).toBe('headerAuth');
    expect(workflow.nodes[0].credentials).toEqual({ httpHeaderAuth: inbound });
  });

  it('compiles schedules as interval or cron rules', () => {
    const interval = compiled(singleStepGraph('trigger.schedule')).workflow.nodes[0];
    expect(interval.parameters).toEqual({ rule: { interval: [{ field: 'minutes', minutesInterval: 15 }] } });
    const cron = compiled(singleStepGraph('trigger.schedule', { mode: 'cron', cron: ' 0 9 * * 1 ' })).workflow.nodes[0];
    expect(cron.parameters).toEqual({ rule: { interval: [{ field: 'cronExpression', expression: '0 9 * * 1' }] } });
  });
});

describe('compile: lead actions', () => {
  it('make one bulk call per batch: collect, POST /api/v1/leads/bulk, split the results', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'note', type: 'lead.addNote', position: { x: 200, y: 0 }, data: { note: 'Plan: {{lead.custom.plan}}' } },
        { id: 'mail', type: 'message.email', position: { x: 400, y: 0 }, data: sampleData['message.email'] },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'note' },
        { id: 'e2', source: 'note', target: 'mail' },
      ],
    };
    const { workflow } = compiled(graph);
    const collect = roleNodeOf(workflow.nodes, 'note', 'collect')!;
    const http = mainNodeOf(workflow.nodes, 'note');
    const results = roleNodeOf(workflow.nodes, 'note', 'results')!;
    expect(collect.parameters).toEqual({
      aggregate: 'aggregateAllItemData',
      destinationFieldName: 'items',
      include: 'allFields',
      options: {},
    });
    expect(http.parameters).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:3000/api/v1/leads/bulk',
      authentication: 'genericCredentialType',
      genericAuthType: 'httpHeaderAuth',
      sendBody: true,
      specifyBody: 'json',
      jsonBody:
        '={{ JSON.stringify({ "operations": $json.items.map(e => ({ "op": "note", "leadId": e.lead.id, "eventId": e.eventId ?? e.id, ' +
        '"idempotencyKey": String(e.eventId ?? e.id) + ":note", "body": "Plan: " + String(e.lead.custom?.plan ?? "") })) }) }}',
      options: {},
    });
    expect(http.credentials).toEqual({ httpHeaderAuth: { id: 'cred-leadflow', name: 'Leadflow API' } });
    expect([http.retryOnFail, http.maxTries]).toEqual([true, 3]);
    expect(results.parameters).toEqual({ fieldToSplitOut: 'results', include: 'noOtherFields', options: {} });
    expect(outputs(workflow, collect.name)).toEqual([[`${http.name}#0`]]);
    expect(outputs(workflow, http.name)).toEqual([[`${results.name}#0`]]);
    expect(outputs(workflow, results.name)).toEqual([['Send email#0']]);
  });

  it('skip the results split when nothing follows', () => {
    const { workflow } = compiled(singleStepGraph('lead.addTag'));
    expect(roleNodeOf(workflow.nodes, 'step', 'results')).toBeUndefined();
  });

  it('send one operation shape per action', () => {
    const body = (kind: NodeKind, data?: Record<string, unknown>) => {
      const http = mainNodeOf(compiled(singleStepGraph(kind, data)).workflow.nodes, 'step');
      return String(http.parameters.jsonBody)
        .replace(/^.*"eventId": e\.eventId \?\? e\.id, /, '')
        .replace(/ \}\)\) \}\) \}\}$/, '');
    };
    // Only operations that are not naturally idempotent carry a key (stored by Leadflow per key).
    const key = '"idempotencyKey": String(e.eventId ?? e.id) + ":step", ';
    expect(body('lead.updateFields')).toBe('"fields": { "status": "contacted" }');
    expect(body('lead.changeStage')).toBe('"stage": "SQL"');
    expect(body('lead.assignOwner')).toBe(`${key}"owner": "round_robin"`);
    expect(body('lead.assignOwner', { owner: 'ana@acme.test' })).toBe('"owner": "ana@acme.test"');
    expect(body('lead.addTag')).toBe('"tag": "hot"');
    expect(body('lead.removeTag')).toBe('"tag": "cold"');
    expect(body('lead.addNote')).toBe(`${key}"body": "Scored " + String(e.lead.score ?? "")`);
    expect(body('lead.enrolSequence')).toBe(`${key}"sequenceId": "seq-welcome"`);
  });

  it('never lets tenant text end the expression early', () => {
    const { workflow } = compiled(singleStepGraph('lead.addTag', { tag: 'a}}b{{c' }));
    const jsonBody = String(mainNodeOf(workflow.nodes, 'step').parameters.jsonBody);
    expect(jsonBody.slice(3, -3)).not.toContain('}}');
    expect(jsonBody).toContain('"tag": "a\\u007d\\u007db\\u007b\\u007bc"');
  });
});

describe('compile: messages and integrations', () => {
  it('translates placeholders into n8n expressions', () => {
    const email = mainNodeOf(compiled(singleStepGraph('message.email')).workflow.nodes, 'step');
    expect(email.parameters).toEqual({
      resource: 'email',
      operation: 'send',
      fromEmail: 'Ana <ana@acme.test>',
      toEmail: '={{ $json.lead.email }}',
      subject: '=Hi {{ $json.lead.first_name }}',
      emailFormat: 'text',
      text: 'Hello!',
      options: { appendAttribution: false },
    });
    expect(email.credentials).toEqual({ smtp: { id: 'cred-smtp', name: 'Acme SMTP' } });
  });

  it('keeps literal text literal', () => {
    const slack = mainNodeOf(
      compiled(singleStepGraph('message.slack', { channel: 'C0122KQ70S7', text: '=)' })).workflow.nodes,
      'step',
    );
    expect(slack.parameters.text).toBe('==)');
    expect(slack.parameters.channelId).toEqual({ __rl: true, mode: 'id', value: 'C0122KQ70S7' });
    const named = mainNodeOf(compiled(singleStepGraph('message.slack')).workflow.nodes, 'step');
    expect(named.parameters.channelId).toEqual({ __rl: true, mode: 'name', value: '#sales' });
  });

  it('hands the incoming items on when a message step has a next step', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'sms', type: 'message.sms', position: { x: 200, y: 0 }, data: sampleData['message.sms'] },
        { id: 'tag', type: 'lead.addTag', position: { x: 400, y: 0 }, data: { tag: 'texted' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'sms' },
        { id: 'e2', source: 'sms', target: 'tag' },
      ],
    };
    const { workflow } = compiled(graph);
    const cont = roleNodeOf(workflow.nodes, 'sms', 'continue')!;
    expect(cont.parameters).toEqual({
      mode: 'chooseBranch',
      numberInputs: 2,
      chooseBranchMode: 'waitForAll',
      output: 'specifiedInput',
      useDataOfInput: 1,
    });
    expect(outputs(workflow, 'New lead (events)')).toEqual([['Send SMS#0', 'Send SMS (continue)#0']]);
    expect(outputs(workflow, 'Send SMS')).toEqual([['Send SMS (continue)#1']]);
    expect(outputs(workflow, 'Send SMS (continue)')).toEqual([['Add tag (collect)#0']]);
    // Without a next step there is nothing to hand on.
    expect(roleNodeOf(compiled(singleStepGraph('message.sms')).workflow.nodes, 'step', 'continue')).toBeUndefined();
  });

  it('lets an HTTP response replace the items when asked to', () => {
    const graph: FlowGraph = {
      nodes: [
        { id: 'start', type: 'trigger.schedule', position: { x: 0, y: 0 }, data: sampleData['trigger.schedule'] },
        {
          id: 'get',
          type: 'integration.http',
          position: { x: 200, y: 0 },
          data: {
            method: 'GET',
            auth: 'leadflow',
            url: '/api/v1/leads',
            query: [{ key: 'created_after', value: '{{now-7d}}' }],
            output: 'response',
          },
        },
        { id: 'post', type: 'message.slack', position: { x: 400, y: 0 }, data: { channel: '#x', text: '{{item.total}} leads' } },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'get' },
        { id: 'e2', source: 'get', target: 'post' },
      ],
    };
    const { workflow } = compiled(graph);
    const get = mainNodeOf(workflow.nodes, 'get');
    expect(get.parameters).toEqual({
      method: 'GET',
      url: 'http://127.0.0.1:3000/api/v1/leads',
      authentication: 'genericCredentialType',
      genericAuthType: 'httpHeaderAuth',
      sendQuery: true,
      queryParameters: { parameters: [{ name: 'created_after', value: '={{ $now.minus({ days: 7 }).toUTC().toISO() }}' }] },
      options: {},
    });
    expect(get.credentials).toEqual({ httpHeaderAuth: { id: 'cred-leadflow', name: 'Leadflow API' } });
    expect(roleNodeOf(workflow.nodes, 'get', 'continue')).toBeUndefined();
    expect(mainNodeOf(workflow.nodes, 'post').parameters.text).toBe('={{ $json.total }} leads');
  });

  it('posts an Adaptive Card to a Teams incoming webhook without a credential', () => {
    const teams = mainNodeOf(compiled(singleStepGraph('message.teams')).workflow.nodes, 'step');
    expect(teams.type).toBe('n8n-nodes-base.httpRequest');
    expect(teams.credentials).toBeUndefined();
    expect(teams.parameters.url).toBe('https://acme.webhook.office.com/x');
    expect(teams.parameters.jsonBody).toContain('"contentType": "application/vnd.microsoft.card.adaptive"');
    expect(teams.parameters.jsonBody).toContain('"text": String($json.lead.email ?? "")');
  });

  it('maps CRM fields to the n8n node parameters', () => {
    const hubspot = mainNodeOf(compiled(singleStepGraph('integration.hubspot')).workflow.nodes, 'step');
    expect(hubspot.parameters).toEqual({
      authentication: 'appToken',
      resource: 'contact',
      operation: 'upsert',
      email: '={{ $json.lead.email }}',
      additionalFields: {
        firstName: '={{ $json.lead.first_name }}',
        lastName: '={{ $json.lead.last_name }}',
        companyName: '={{ $json.lead.company }}',
      },
      options: {},
    });
    const deal = mainNodeOf(
      compiled(
        singleStepGraph('integration.hubspot', {
          object: 'deal',
          dealName: 'Deal for {{lead.company}}',
          dealStage: 'appointmentscheduled',
        }),
      ).workflow.nodes,
      'step',
    );
    expect(deal.parameters).toEqual({
      authentication: 'appToken',
      resource: 'deal',
      operation: 'create',
      stage: 'appointmentscheduled',
      additionalFields: { dealName: '=Deal for {{ $json.lead.company }}' },
    });
    const pipedrive = mainNodeOf(compiled(singleStepGraph('integration.pipedrive')).workflow.nodes, 'step');
    expect(pipedrive.parameters.additionalFields).toEqual({ email: ['={{ $json.lead.email }}'] });
    const sheets = mainNodeOf(compiled(singleStepGraph('integration.googleSheets')).workflow.nodes, 'step');
    expect(sheets.parameters.authentication).toBe('serviceAccount');
    expect((sheets.parameters.columns as { value: unknown }).value).toEqual({ Email: '={{ $json.lead.email }}' });
  });

  it('compiles code steps for administrators', () => {
    const code = mainNodeOf(compiled(singleStepGraph('integration.code')).workflow.nodes, 'step');
    expect(code.parameters).toEqual({ language: 'javaScript', mode: 'runOnceForAllItems', jsCode: 'return $input.all();' });
  });
});

describe('checkTypeVersions', () => {
  it('reports types that are missing or lack the expected version', () => {
    const catalogue = Object.values(N8N_NODE_TYPES).map((t) => ({
      name: t.type.replace('n8n-nodes-base.', ''),
      version: [1, t.typeVersion],
    }));
    expect(checkTypeVersions(catalogue)).toEqual([]);
    const withoutIf = catalogue.filter((c) => c.name !== 'if');
    const oldSlack = withoutIf.map((c) => (c.name === 'slack' ? { name: 'n8n-nodes-base.slack', version: 2.2 } : c));
    expect(checkTypeVersions(oldSlack)).toEqual([
      { type: 'n8n-nodes-base.if', expected: 2.3, available: [] },
      { type: 'n8n-nodes-base.slack', expected: 2.4, available: [2.2] },
    ]);
  });
});
