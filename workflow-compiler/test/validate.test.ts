import { describe, expect, it } from 'vitest';
import { compile, validate, type FlowGraph } from '../src/index';
import { meta, options, sampleData, singleStepGraph } from './helpers';

const trigger = { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} };

function graph(nodes: FlowGraph['nodes'], edges: FlowGraph['edges']): FlowGraph {
  return { nodes: [trigger, ...nodes], edges };
}

function messages(g: FlowGraph, opts = options) {
  return validate(g, opts).map((e) => ({ nodeId: e.nodeId, message: e.message }));
}

describe('validate', () => {
  it('accepts a valid graph', () => {
    expect(validate(singleStepGraph('message.email'), options)).toEqual([]);
  });

  it('reports a missing trigger at graph level', () => {
    const g: FlowGraph = { nodes: [{ id: 'a', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } }], edges: [] };
    expect(messages(g)).toContainEqual({ nodeId: null, message: 'The workflow needs a trigger: add one to say when it starts' });
  });

  it('reports every trigger when there are several', () => {
    const g = graph(
      [{ id: 'other', type: 'trigger.schedule', position: { x: 0, y: 0 }, data: sampleData['trigger.schedule'] }],
      [],
    );
    const errors = messages(g);
    expect(errors).toContainEqual({ nodeId: 'start', message: 'New lead: a workflow has exactly one trigger, this one has 2' });
    expect(errors).toContainEqual({ nodeId: 'other', message: 'Schedule: a workflow has exactly one trigger, this one has 2' });
  });

  it('reports nodes on a cycle', () => {
    const g = graph(
      [
        { id: 'a', type: 'logic.wait', position: { x: 0, y: 0 }, data: sampleData['logic.wait'] },
        { id: 'b', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
      ],
      [
        { id: 'e1', source: 'start', target: 'a' },
        { id: 'e2', source: 'a', target: 'b' },
        { id: 'e3', source: 'b', target: 'a' },
      ],
    );
    const errors = messages(g);
    expect(errors).toContainEqual({
      nodeId: 'a',
      message: 'Wait is part of a loop: steps must not lead back to an earlier step',
    });
    expect(errors).toContainEqual({
      nodeId: 'b',
      message: 'Add tag is part of a loop: steps must not lead back to an earlier step',
    });
  });

  it('reports a self-loop as a cycle', () => {
    const g = graph(
      [{ id: 'a', type: 'logic.wait', position: { x: 0, y: 0 }, data: sampleData['logic.wait'] }],
      [
        { id: 'e1', source: 'start', target: 'a' },
        { id: 'e2', source: 'a', target: 'a' },
      ],
    );
    expect(messages(g).map((e) => e.nodeId)).toEqual(['a']);
  });

  it('reports a step without an incoming connection', () => {
    const g = graph([{ id: 'lonely', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } }], []);
    expect(messages(g)).toEqual([{ nodeId: 'lonely', message: 'Add tag is not connected: connect a previous step to it' }]);
  });

  it('reports steps that are connected but not reachable from the trigger', () => {
    const g = graph(
      [
        { id: 'a', type: 'logic.wait', position: { x: 0, y: 0 }, data: sampleData['logic.wait'] },
        { id: 'b', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
      ],
      [{ id: 'e1', source: 'a', target: 'b' }],
    );
    expect(messages(g)).toEqual([
      { nodeId: 'a', message: 'Wait is not connected: connect a previous step to it' },
      { nodeId: 'b', message: 'Add tag cannot be reached from the trigger' },
    ]);
  });

  it('reports a missing required parameter in plain words', () => {
    const g = singleStepGraph('message.email', { ...sampleData['message.email'], subject: '' });
    expect(messages(g)).toEqual([{ nodeId: 'step', message: "Send email: 'Subject' is required" }]);
  });

  it("uses the step's own label in messages", () => {
    const g = singleStepGraph('message.email', { ...sampleData['message.email'], label: 'Welcome mail', subject: ' ' });
    expect(messages(g)).toEqual([{ nodeId: 'step', message: "Welcome mail: 'Subject' is required" }]);
  });

  it('requires a field only while it is shown', () => {
    const untilMissing = singleStepGraph('logic.wait', { mode: 'until' });
    expect(messages(untilMissing)).toEqual([{ nodeId: 'step', message: "Wait: 'Until' is required" }]);
    const durationMode = singleStepGraph('logic.wait', { mode: 'duration', duration: { amount: 1, unit: 'days' } });
    expect(messages(durationMode)).toEqual([]);
  });

  it('reports unknown node kinds', () => {
    const g = graph(
      [{ id: 'x', type: 'lead.teleport', position: { x: 0, y: 0 }, data: {} }],
      [{ id: 'e', source: 'start', target: 'x' }],
    );
    expect(messages(g)).toEqual([{ nodeId: 'x', message: 'Unknown step type "lead.teleport"' }]);
  });

  it('reports duplicate node ids', () => {
    const g = graph([{ ...trigger }], []);
    expect(messages(g)).toEqual([{ nodeId: 'start', message: 'Two steps share the id "start"' }]);
  });

  it('reports a source handle that is not an output', () => {
    const g = graph(
      [
        { id: 'if', type: 'logic.if', position: { x: 0, y: 0 }, data: sampleData['logic.if'] },
        { id: 't', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
      ],
      [
        { id: 'e1', source: 'start', target: 'if' },
        { id: 'e2', source: 'if', sourceHandle: 'maybe', target: 't' },
      ],
    );
    const errors = validate(g, options);
    expect(errors).toContainEqual({ nodeId: 'if', edgeId: 'e2', message: 'If has no output "maybe" (it has true, false)' });
  });

  it('reports a missing source handle where a node has several outputs', () => {
    const g = graph(
      [
        { id: 'if', type: 'logic.if', position: { x: 0, y: 0 }, data: sampleData['logic.if'] },
        { id: 't', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
      ],
      [
        { id: 'e1', source: 'start', target: 'if' },
        { id: 'e2', source: 'if', sourceHandle: null, target: 't' },
      ],
    );
    expect(validate(g, options)).toContainEqual({
      nodeId: 'if',
      edgeId: 'e2',
      message: 'If: a connection must leave from one of its outputs (true, false)',
    });
  });

  it('accepts a missing or explicit handle on single-output nodes, and rejects others', () => {
    const ok = graph(
      [{ id: 't', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } }],
      [{ id: 'e', source: 'start', sourceHandle: 'out', target: 't' }],
    );
    expect(validate(ok, options)).toEqual([]);
    const bad = graph(
      [{ id: 't', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } }],
      [{ id: 'e', source: 'start', sourceHandle: 'true', target: 't' }],
    );
    expect(validate(bad, options)[0]).toEqual({
      nodeId: 'start',
      edgeId: 'e',
      message: 'New lead has no output "true" (it has out)',
    });
  });

  it('reports connections into a merge without an input handle, and unconnected merge inputs', () => {
    const g = graph(
      [{ id: 'm', type: 'logic.merge', position: { x: 0, y: 0 }, data: { inputs: 2 } }],
      [{ id: 'e1', source: 'start', target: 'm' }],
    );
    const errors = validate(g, options);
    expect(errors).toContainEqual({
      nodeId: 'm',
      edgeId: 'e1',
      message: 'Merge: a connection must arrive at one of its inputs (in-0, in-1)',
    });
    const half = graph(
      [{ id: 'm', type: 'logic.merge', position: { x: 0, y: 0 }, data: { inputs: 2 } }],
      [{ id: 'e1', source: 'start', target: 'm', targetHandle: 'in-0' }],
    );
    expect(messages(half)).toEqual([{ nodeId: 'm', message: 'Merge: input 2 (in-1) is not connected' }]);
  });

  it('reports edges to and from missing nodes', () => {
    const g = graph(
      [],
      [
        { id: 'to-ghost', source: 'start', target: 'ghost' },
        { id: 'from-ghost', source: 'ghost', target: 'start' },
      ],
    );
    const errors = validate(g, options);
    expect(errors).toContainEqual({
      nodeId: 'start',
      edgeId: 'to-ghost',
      message: 'A connection points to a step that does not exist ("ghost")',
    });
    expect(errors).toContainEqual({
      nodeId: 'start',
      edgeId: 'from-ghost',
      message: 'A connection points to a step that does not exist ("ghost")',
    });
  });

  it('reports connections into a trigger', () => {
    const g: FlowGraph = {
      nodes: [trigger, { id: 'w', type: 'logic.wait', position: { x: 0, y: 0 }, data: sampleData['logic.wait'] }],
      edges: [
        { id: 'e1', source: 'start', target: 'w' },
        { id: 'e2', source: 'w', target: 'start' },
      ],
    };
    expect(validate(g, options)).toContainEqual({
      nodeId: 'start',
      edgeId: 'e2',
      message: 'New lead is a trigger: nothing can connect into it',
    });
  });

  it('reports a credential the workspace does not have', () => {
    const g = singleStepGraph('message.slack');
    expect(messages(g, { ...options, credentials: {} })).toEqual([
      { nodeId: 'step', message: 'Slack message: no Slack connection is set up for this workspace' },
    ]);
  });

  it('refuses code steps unless code nodes are allowed', () => {
    const g = singleStepGraph('integration.code');
    expect(messages(g, { ...options, allowCodeNodes: false })).toEqual([
      { nodeId: 'step', message: 'Code: code steps can only be published by an administrator' },
    ]);
    expect(messages(g)).toEqual([]);
  });

  it('reports unknown or unclosed placeholders', () => {
    const unknown = singleStepGraph('message.slack', { channel: '#x', text: 'Hi {{ process.env.SECRET }}' });
    expect(messages(unknown)).toEqual([
      {
        nodeId: 'step',
        message: `Slack message: 'Message': "{{process.env.SECRET}}" is not a known placeholder (use {{lead.field}}, {{item.field}} or {{now}})`,
      },
    ]);
    const unclosed = singleStepGraph('message.slack', { channel: '#x', text: 'Hi {{lead.first_name' });
    expect(messages(unclosed)).toEqual([{ nodeId: 'step', message: `Slack message: 'Message': "{{" is not closed with "}}"` }]);
  });

  it('reports lead actions and lead placeholders where no lead arrives', () => {
    const g: FlowGraph = {
      nodes: [
        { id: 's', type: 'trigger.schedule', position: { x: 0, y: 0 }, data: sampleData['trigger.schedule'] },
        { id: 'tag', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
        { id: 'msg', type: 'message.slack', position: { x: 0, y: 0 }, data: { channel: '#x', text: '{{lead.email}}' } },
      ],
      edges: [
        { id: 'e1', source: 's', target: 'tag' },
        { id: 'e2', source: 's', target: 'msg' },
      ],
    };
    expect(messages(g)).toEqual([
      {
        nodeId: 'msg',
        message: 'Slack message uses {{lead.…}}, but no lead reaches this step',
      },
      {
        nodeId: 'tag',
        message:
          'Add tag needs a lead, but none reaches it (the trigger is not a lead trigger, or an HTTP response or code replaced the lead)',
      },
    ]);
  });

  it('knows an HTTP response replaces the lead', () => {
    const g = graph(
      [
        {
          id: 'h',
          type: 'integration.http',
          position: { x: 0, y: 0 },
          data: { ...sampleData['integration.http'], output: 'response' },
        },
        { id: 'tag', type: 'lead.addTag', position: { x: 0, y: 0 }, data: { tag: 'x' } },
      ],
      [
        { id: 'e1', source: 'start', target: 'h' },
        { id: 'e2', source: 'h', target: 'tag' },
      ],
    );
    expect(messages(g).map((e) => e.nodeId)).toEqual(['tag']);
  });

  it('checks field types', () => {
    const cases: Array<[Parameters<typeof singleStepGraph>[0], Record<string, unknown>, string]> = [
      ['logic.abSplit', { percentA: 'half' }, "A/B split: 'Share of branch a (%)' must be a number"],
      ['logic.abSplit', { percentA: 120 }, "A/B split: 'Share of branch a (%)' must be between 0 and 100"],
      ['message.email', { ...sampleData['message.email'], format: 'pdf' }, "Send email: 'Format' must be one of: text, html"],
      ['integration.http', { ...sampleData['integration.http'], body: '{nope' }, "HTTP request: 'JSON body' is not valid JSON"],
      [
        'logic.wait',
        { mode: 'duration', duration: { amount: 0, unit: 'days' } },
        "Wait: 'Duration' must be a positive amount of time",
      ],
      [
        'logic.wait',
        { mode: 'duration', duration: { amount: 1, unit: 'years' } },
        "Wait: 'Duration' must be in minutes, hours, days or weeks",
      ],
      [
        'logic.wait',
        { mode: 'until', until: 'next tuesday' },
        "Wait: 'Until' must be a date and time such as 2026-03-01T09:00:00Z",
      ],
      ['logic.if', { conditions: [{ field: 'score', operator: 'gte' }] }, "If: 'Conditions': condition 1 needs a value"],
      [
        'logic.if',
        { conditions: [{ field: 'score', operator: 'gt', value: 'high' }] },
        "If: 'Conditions': condition 1 compares with a number",
      ],
      [
        'logic.if',
        { conditions: [{ field: 'score; drop', operator: 'isEmpty' }] },
        "If: 'Conditions': condition 1 needs a lead field such as score or custom.plan",
      ],
      [
        'logic.if',
        { conditions: [{ field: 'score', operator: 'near', value: 1 }] },
        "If: 'Conditions': condition 1 has an unknown comparison",
      ],
      ['logic.switch', { field: 'source', rules: ['ads', 'ads'] }, "Switch: 'Values' has the same value twice"],
      ['lead.updateFields', { fields: [{ key: '', value: 'x' }] }, "Update fields: 'Fields' has an entry without a name"],
      [
        'trigger.webhook',
        { path: '../etc', method: 'POST' },
        `Inbound webhook: 'Path suffix' may only hold letters, digits, "-", "_" and "/" between words`,
      ],
      [
        'trigger.schedule',
        { mode: 'cron', cron: 'every monday' },
        `Schedule: 'Cron expression' needs five fields, e.g. "0 9 * * 1" for Mondays at 9:00`,
      ],
      [
        'integration.http',
        { method: 'GET', auth: 'leadflow', url: 'https://evil.example/steal' },
        "HTTP request: 'URL' must be a Leadflow API path such as /api/v1/leads",
      ],
      ['integration.http', { method: 'GET', url: 'ftp://x' }, "HTTP request: 'URL' must start with http:// or https://"],
      ['message.teams', { webhookUrl: 'http://x', text: 'hi' }, "Teams message: 'Incoming webhook URL' must start with https://"],
    ];
    for (const [kind, data, message] of cases) {
      expect(messages(singleStepGraph(kind, data)), `${kind} ${JSON.stringify(data)}`).toContainEqual({
        nodeId: kind.startsWith('trigger.') ? 'start' : 'step',
        message,
      });
    }
  });

  it('reports a missing Leadflow API key when compiling lead actions', () => {
    const result = compile(singleStepGraph('lead.addTag'), meta, { ...options, leadflowCredentialId: '' });
    expect(result).toEqual({
      ok: false,
      errors: [{ nodeId: 'step', message: 'Add tag: this workflow has no Leadflow API key yet' }],
    });
  });

  it('reports unusable workflow metadata at graph level', () => {
    const result = compile(singleStepGraph('lead.addTag'), { ...meta, tenantSlug: 'acme corp', workflowId: 'a/b' }, options);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { nodeId: null, message: 'The workflow id may only hold letters, digits, "-" and "_"' },
        { nodeId: null, message: 'The workspace slug may only hold letters, digits, "-" and "_"' },
      ]);
    }
  });
});
