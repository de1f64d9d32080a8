// Shared test data: options with every credential kind, and a valid sample of every node kind.

import type { CompileOptions, FlowGraph, NodeKind, WorkflowMeta } from '../src/index';

export const meta: WorkflowMeta = {
  workflowId: 'wf-123',
  name: 'Test workflow',
  tenantId: '7b0c9c1e-2f7a-4e4e-9d7c-3c1d2b3a4f50',
  tenantSlug: 'acme',
};

export const options: CompileOptions = {
  leadflowApiUrl: 'http://127.0.0.1:3000/',
  leadflowCredentialId: 'cred-leadflow',
  credentials: {
    smtp: { id: 'cred-smtp', name: 'Acme SMTP' },
    twilioApi: { id: 'cred-twilio', name: 'Acme Twilio' },
    slackApi: { id: 'cred-slack', name: 'Acme Slack' },
    hubspotAppToken: { id: 'cred-hubspot', name: 'Acme HubSpot' },
    salesforceOAuth2Api: { id: 'cred-salesforce', name: 'Acme Salesforce' },
    pipedriveApi: { id: 'cred-pipedrive', name: 'Acme Pipedrive' },
    googleApi: { id: 'cred-google', name: 'Acme Google' },
    airtableTokenApi: { id: 'cred-airtable', name: 'Acme Airtable' },
  },
  allowCodeNodes: true,
};

/** A valid `data` for every kind (what the inspector would save). */
export const sampleData: Record<NodeKind, Record<string, unknown>> = {
  'trigger.leadCreated': {},
  'trigger.leadUpdated': { field: 'stage' },
  'trigger.stageChanged': { fromStage: 'MQL', toStage: 'SQL' },
  'trigger.scoreCrossed': { threshold: 70, direction: 'up' },
  'trigger.formSubmitted': { formId: 'form-demo' },
  'trigger.schedule': { mode: 'interval', interval: { amount: 15, unit: 'minutes' } },
  'trigger.webhook': { path: 'typeform/responses', method: 'POST' },
  'logic.if': { conditions: [{ field: 'score', operator: 'gte', value: 70 }], combinator: 'and' },
  'logic.switch': { field: 'source', rules: ['ads', 'webinar'] },
  'logic.wait': { mode: 'duration', duration: { amount: 2, unit: 'hours' } },
  'logic.abSplit': { percentA: 30 },
  'logic.merge': { inputs: 2 },
  'logic.filter': { conditions: [{ field: 'tags', operator: 'contains', value: 'vip' }], combinator: 'and' },
  'lead.updateFields': { fields: [{ key: 'status', value: 'contacted' }] },
  'lead.changeStage': { stage: 'SQL' },
  'lead.assignOwner': { owner: 'round_robin' },
  'lead.addTag': { tag: 'hot' },
  'lead.removeTag': { tag: 'cold' },
  'lead.addNote': { note: 'Scored {{lead.score}}' },
  'lead.enrolSequence': { sequenceId: 'seq-welcome' },
  'message.email': {
    from: 'Ana <ana@acme.test>',
    to: '{{lead.email}}',
    subject: 'Hi {{lead.first_name}}',
    format: 'text',
    body: 'Hello!',
  },
  'message.sms': { from: '+14155550100', to: '{{lead.phone}}', message: 'Hi {{lead.first_name}}' },
  'message.slack': { channel: '#sales', text: 'New lead {{lead.email}}' },
  'message.teams': { webhookUrl: 'https://acme.webhook.office.com/x', title: 'New lead', text: '{{lead.email}}' },
  'integration.hubspot': { object: 'contact', email: '{{lead.email}}', firstName: '{{lead.first_name}}' },
  'integration.salesforce': { company: '{{lead.company}}', lastName: '{{lead.last_name}}', email: '{{lead.email}}' },
  'integration.pipedrive': { name: '{{lead.first_name}} {{lead.last_name}}', email: '{{lead.email}}' },
  'integration.googleSheets': { documentId: '1AbC', sheetName: 'Leads', columns: [{ key: 'Email', value: '{{lead.email}}' }] },
  'integration.airtable': { baseId: 'appXYZ', tableId: 'tblLeads', fields: [{ key: 'Email', value: '{{lead.email}}' }] },
  'integration.http': {
    method: 'POST',
    url: 'https://hooks.example.com/lead',
    body: '{"email":"{{lead.email}}"}',
    output: 'passThrough',
  },
  'integration.code': { code: 'return $input.all();' },
};

/** Trigger -> one step of `kind` (or the trigger alone when `kind` is a trigger). */
export function singleStepGraph(kind: NodeKind, data: Record<string, unknown> = sampleData[kind]): FlowGraph {
  if (kind.startsWith('trigger.')) {
    return { nodes: [{ id: 'start', type: kind, position: { x: 0, y: 0 }, data }], edges: [] };
  }
  const graph: FlowGraph = {
    nodes: [
      { id: 'start', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
      { id: 'step', type: kind, position: { x: 250, y: 0 }, data },
    ],
    edges: [{ id: 'e-start-step', source: 'start', target: 'step' }],
  };
  if (kind === 'logic.merge') {
    graph.edges = [
      { id: 'e-start-step-0', source: 'start', target: 'step', targetHandle: 'in-0' },
      { id: 'e-start-step-1', source: 'start', target: 'step', targetHandle: 'in-1' },
    ];
  }
  return graph;
}

/** The n8n node compiled for a canvas node (its main node), found through the stashed notes. */
export function mainNodeOf<T extends { notes?: string }>(nodes: T[], canvasId: string): T {
  const node = nodes.find((n) => {
    const note = JSON.parse(n.notes ?? '{}').leadflow;
    return note?.of === canvasId && note.role === 'main';
  });
  if (!node) throw new Error(`no main node for ${canvasId}`);
  return node;
}

export function roleNodeOf<T extends { notes?: string }>(nodes: T[], canvasId: string, role: string): T | undefined {
  return nodes.find((n) => {
    const note = JSON.parse(n.notes ?? '{}').leadflow;
    return note?.of === canvasId && note.role === role;
  });
}
