// The node catalogue: one entry per canvas node kind. The canvas inspector renders its forms
// from `fields`, and the compiler validates with the same list, so the two cannot drift.
// Everything here is plain data (no functions) so the app can ship it to the browser as is.

export type FieldType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'select'
  | 'text'
  | 'json'
  | 'duration'
  | 'date'
  | 'keyvalue'
  /** `[{ field, operator, value }]` — conditions on lead fields (If, Filter). */
  | 'conditions'
  /** `string[]` — e.g. the values a Switch routes on, one output each. */
  | 'list';

export interface FieldOption {
  value: string;
  label: string;
}

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  options?: readonly FieldOption[];
  default?: unknown;
  help?: string;
  /**
   * The value may contain placeholders: `{{lead.first_name}}`, `{{item.total}}`, `{{now}}`,
   * `{{now-7d}}`. For keyvalue fields it applies to the values, for json fields to string values.
   */
  placeholders?: boolean;
  /** Only shown (and only required) when another field has one of these values. */
  visibleWhen?: { key: string; equals: readonly (string | number | boolean)[] };
}

export type NodeCategory = 'trigger' | 'logic' | 'lead' | 'message' | 'integration';

export interface NodeKindDef {
  category: NodeCategory;
  label: string;
  description: string;
  /** Output handle ids. Single-output kinds use ['out'] (an edge may also leave it unset). */
  outputs: readonly string[];
  /** Outputs computed from a list field: `${prefix}${i}` per entry, then `extra`. */
  dynamicOutputs?: { listKey: string; prefix: string; extra: readonly string[] };
  /** Number of inputs (0 for triggers). */
  inputs: number;
  /** Inputs computed from a number field: handles `${prefix}${i}`. */
  dynamicInputs?: { countKey: string; prefix: string };
  fields: readonly FieldDef[];
  /** n8n credential type the tenant must have configured (a key of CompileOptions.credentials). */
  credential?: string;
  /** Compiles only when CompileOptions.allowCodeNodes is true. */
  adminOnly?: boolean;
}

/** Fields whose value is an array on a lead (conditions on them use array operators). */
export const ARRAY_LEAD_FIELDS: readonly string[] = ['tags'];

export const CONDITION_OPERATORS: readonly FieldOption[] = [
  { value: 'equals', label: 'is' },
  { value: 'notEquals', label: 'is not' },
  { value: 'contains', label: 'contains' },
  { value: 'gt', label: 'is greater than' },
  { value: 'gte', label: 'is at least' },
  { value: 'lt', label: 'is less than' },
  { value: 'lte', label: 'is at most' },
  { value: 'isEmpty', label: 'is empty' },
  { value: 'isNotEmpty', label: 'is not empty' },
];

const COMBINATOR: FieldDef = {
  key: 'combinator',
  label: 'Match',
  type: 'select',
  options: [
    { value: 'and', label: 'all conditions' },
    { value: 'or', label: 'any condition' },
  ],
  default: 'and',
};

const CONDITIONS: FieldDef = {
  key: 'conditions',
  label: 'Conditions',
  type: 'conditions',
  required: true,
  help: 'Each condition compares a lead field (e.g. score, stage, custom.plan) with a value.',
};

export const nodeKinds = {
  // -------------------------------------------------------------------------------- triggers
  'trigger.leadCreated': {
    category: 'trigger',
    label: 'New lead',
    description: 'Starts when a lead is created.',
    outputs: ['out'],
    inputs: 0,
    fields: [],
  },
  'trigger.leadUpdated': {
    category: 'trigger',
    label: 'Lead updated',
    description: 'Starts when a lead changes.',
    outputs: ['out'],
    inputs: 0,
    fields: [
      {
        key: 'field',
        label: 'Only when this field changed',
        type: 'string',
        help: 'Leave empty to start on any change.',
      },
    ],
  },
  'trigger.stageChanged': {
    category: 'trigger',
    label: 'Stage changed',
    description: 'Starts when a lead moves to another stage.',
    outputs: ['out'],
    inputs: 0,
    fields: [
      { key: 'fromStage', label: 'From stage', type: 'string', help: 'Leave empty for any stage.' },
      { key: 'toStage', label: 'To stage', type: 'string', help: 'Leave empty for any stage.' },
    ],
  },
  'trigger.scoreCrossed': {
    category: 'trigger',
    label: 'Score crossed',
    description: 'Starts when a lead score crosses a threshold.',
    outputs: ['out'],
    inputs: 0,
    fields: [
      { key: 'threshold', label: 'Threshold', type: 'number', required: true, default: 70 },
      {
        key: 'direction',
        label: 'Direction',
        type: 'select',
        required: true,
        default: 'up',
        options: [
          { value: 'up', label: 'rises to or above' },
          { value: 'down', label: 'falls below' },
        ],
      },
    ],
  },
  'trigger.formSubmitted': {
    category: 'trigger',
    label: 'Form submitted',
    description: 'Starts when a lead submits a form.',
    outputs: ['out'],
    inputs: 0,
    fields: [{ key: 'formId', label: 'Form', type: 'string', help: 'Leave empty for any form.' }],
  },
  'trigger.schedule': {
    category: 'trigger',
    label: 'Schedule',
    description: 'Starts on a schedule (no lead attached).',
    outputs: ['out'],
    inputs: 0,
    fields: [
      {
        key: 'mode',
        label: 'Run',
        type: 'select',
        required: true,
        default: 'interval',
        options: [
          { value: 'interval', label: 'every …' },
          { value: 'cron', label: 'on a cron schedule' },
        ],
      },
      {
        key: 'interval',
        label: 'Every',
        type: 'duration',
        required: true,
        default: { amount: 1, unit: 'hours' },
        visibleWhen: { key: 'mode', equals: ['interval'] },
        help: 'Minutes, hours or days.',
      },
      {
        key: 'cron',
        label: 'Cron expression',
        type: 'string',
        required: true,
        default: '0 9 * * 1',
        visibleWhen: { key: 'mode', equals: ['cron'] },
        help: 'Five fields: minute hour day-of-month month day-of-week, in the n8n server time zone.',
      },
    ],
  },
  'trigger.webhook': {
    category: 'trigger',
    label: 'Inbound webhook',
    description: 'Starts when another system calls this workflow’s URL (no lead attached).',
    outputs: ['out'],
    inputs: 0,
    fields: [
      {
        key: 'path',
        label: 'Path suffix',
        type: 'string',
        help: 'Letters, digits, "-", "_" and "/". Appended to the workflow’s own URL.',
      },
      {
        key: 'method',
        label: 'HTTP method',
        type: 'select',
        required: true,
        default: 'POST',
        options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({ value: m, label: m })),
      },
    ],
  },

  // ----------------------------------------------------------------------------------- logic
  'logic.if': {
    category: 'logic',
    label: 'If',
    description: 'Sends each lead down "true" or "false".',
    outputs: ['true', 'false'],
    inputs: 1,
    fields: [CONDITIONS, COMBINATOR],
  },
  'logic.switch': {
    category: 'logic',
    label: 'Switch',
    description: 'Routes each lead by the value of one field.',
    outputs: [],
    dynamicOutputs: { listKey: 'rules', prefix: 'rule-', extra: ['fallback'] },
    inputs: 1,
    fields: [
      { key: 'field', label: 'Lead field', type: 'string', required: true, default: 'stage' },
      {
        key: 'rules',
        label: 'Values',
        type: 'list',
        required: true,
        help: 'One output per value; leads matching none go to "fallback".',
      },
    ],
  },
  'logic.wait': {
    category: 'logic',
    label: 'Wait',
    description: 'Pauses before the next step.',
    outputs: ['out'],
    inputs: 1,
    fields: [
      {
        key: 'mode',
        label: 'Wait',
        type: 'select',
        required: true,
        default: 'duration',
        options: [
          { value: 'duration', label: 'for a while' },
          { value: 'until', label: 'until a date and time' },
        ],
      },
      {
        key: 'duration',
        label: 'Duration',
        type: 'duration',
        required: true,
        default: { amount: 1, unit: 'days' },
        visibleWhen: { key: 'mode', equals: ['duration'] },
      },
      {
        key: 'until',
        label: 'Until',
        type: 'date',
        required: true,
        visibleWhen: { key: 'mode', equals: ['until'] },
        help: 'ISO date and time, e.g. 2026-03-01T09:00:00Z.',
      },
    ],
  },
  'logic.abSplit': {
    category: 'logic',
    label: 'A/B split',
    description: 'Splits leads between branch a and branch b; a lead always lands on the same side.',
    outputs: ['a', 'b'],
    inputs: 1,
    fields: [{ key: 'percentA', label: 'Share of branch a (%)', type: 'number', required: true, default: 50 }],
  },
  'logic.merge': {
    category: 'logic',
    label: 'Merge',
    description: 'Joins several branches back into one.',
    outputs: ['out'],
    inputs: 2,
    dynamicInputs: { countKey: 'inputs', prefix: 'in-' },
    fields: [{ key: 'inputs', label: 'Number of inputs', type: 'number', default: 2 }],
  },
  'logic.filter': {
    category: 'logic',
    label: 'Filter',
    description: 'Keeps only the leads that match; the others stop here.',
    outputs: ['out'],
    inputs: 1,
    fields: [CONDITIONS, COMBINATOR],
  },

  // ---------------------------------------------------------------------------- lead actions
  'lead.updateFields': {
    category: 'lead',
    label: 'Update fields',
    description: 'Sets fields on the lead.',
    outputs: ['out'],
    inputs: 1,
    fields: [
      {
        key: 'fields',
        label: 'Fields',
        type: 'keyvalue',
        required: true,
        placeholders: true,
        help: 'Field name → new value.',
      },
    ],
  },
  'lead.changeStage': {
    category: 'lead',
    label: 'Change stage',
    description: 'Moves the lead to a stage.',
    outputs: ['out'],
    inputs: 1,
    fields: [{ key: 'stage', label: 'Stage', type: 'string', required: true }],
  },
  'lead.assignOwner': {
    category: 'lead',
    label: 'Assign owner',
    description: 'Gives the lead an owner.',
    outputs: ['out'],
    inputs: 1,
    fields: [
      {
        key: 'owner',
        label: 'Owner',
        type: 'string',
        required: true,
        default: 'round_robin',
        help: 'A user’s email or id, or "round_robin" to rotate through the team.',
      },
    ],
  },
  'lead.addTag': {
    category: 'lead',
    label: 'Add tag',
    description: 'Adds a tag to the lead.',
    outputs: ['out'],
    inputs: 1,
    fields: [{ key: 'tag', label: 'Tag', type: 'string', required: true }],
  },
  'lead.removeTag': {
    category: 'lead',
    label: 'Remove tag',
    description: 'Removes a tag from the lead.',
    outputs: ['out'],
    inputs: 1,
    fields: [{ key: 'tag', label: 'Tag', type: 'string', required: true }],
  },
  'lead.addNote': {
    category: 'lead',
    label: 'Add note',
    description: 'Adds a note to the lead’s timeline.',
    outputs: ['out'],
    inputs: 1,
    fields: [{ key: 'note', label: 'Note', type: 'text', required: true, placeholders: true }],
  },
  'lead.enrolSequence': {
    category: 'lead',
    label: 'Enrol in sequence',
    description: 'Enrols the lead in an outreach sequence.',
    outputs: ['out'],
    inputs: 1,
    fields: [{ key: 'sequenceId', label: 'Sequence', type: 'string', required: true }],
  },

  // -------------------------------------------------------------------------------- messages
  'message.email': {
    category: 'message',
    label: 'Send email',
    description: 'Sends an email through the workspace’s SMTP server.',
    outputs: ['out'],
    inputs: 1,
    credential: 'smtp',
    fields: [
      { key: 'from', label: 'From', type: 'string', required: true, help: 'e.g. Ana <ana@acme.com>' },
      { key: 'to', label: 'To', type: 'string', required: true, default: '{{lead.email}}', placeholders: true },
      { key: 'subject', label: 'Subject', type: 'string', required: true, placeholders: true },
      {
        key: 'format',
        label: 'Format',
        type: 'select',
        default: 'text',
        options: [
          { value: 'text', label: 'Plain text' },
          { value: 'html', label: 'HTML' },
        ],
      },
      { key: 'body', label: 'Message', type: 'text', required: true, placeholders: true },
    ],
  },
  'message.sms': {
    category: 'message',
    label: 'Send SMS',
    description: 'Sends a text message through Twilio.',
    outputs: ['out'],
    inputs: 1,
    credential: 'twilioApi',
    fields: [
      { key: 'from', label: 'From number', type: 'string', required: true, help: 'E.164, e.g. +14155550100' },
      { key: 'to', label: 'To number', type: 'string', required: true, default: '{{lead.phone}}', placeholders: true },
      { key: 'message', label: 'Message', type: 'text', required: true, placeholders: true },
    ],
  },
  'message.slack': {
    category: 'message',
    label: 'Slack message',
    description: 'Posts a message to a Slack channel.',
    outputs: ['out'],
    inputs: 1,
    credential: 'slackApi',
    fields: [
      {
        key: 'channel',
        label: 'Channel',
        type: 'string',
        required: true,
        help: 'Channel id (C0122KQ70S7) or #name; the Slack app must be in the channel.',
      },
      { key: 'text', label: 'Message', type: 'text', required: true, placeholders: true },
    ],
  },
  'message.teams': {
    category: 'message',
    label: 'Teams message',
    description: 'Posts a card to a Microsoft Teams channel through an incoming webhook.',
    outputs: ['out'],
    inputs: 1,
    fields: [
      {
        key: 'webhookUrl',
        label: 'Incoming webhook URL',
        type: 'string',
        required: true,
        help: 'From the channel’s Workflows “Post to a channel when a webhook request is received”.',
      },
      { key: 'title', label: 'Title', type: 'string', placeholders: true },
      { key: 'text', label: 'Message', type: 'text', required: true, placeholders: true },
    ],
  },

  // ---------------------------------------------------------------------------- integrations
  'integration.hubspot': {
    category: 'integration',
    label: 'HubSpot',
    description: 'Creates or updates a HubSpot contact, or creates a deal.',
    outputs: ['out'],
    inputs: 1,
    credential: 'hubspotAppToken',
    fields: [
      {
        key: 'object',
        label: 'Action',
        type: 'select',
        required: true,
        default: 'contact',
        options: [
          { value: 'contact', label: 'Create or update contact' },
          { value: 'deal', label: 'Create deal' },
        ],
      },
      {
        key: 'email',
        label: 'Email',
        type: 'string',
        required: true,
        default: '{{lead.email}}',
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['contact'] },
      },
      {
        key: 'firstName',
        label: 'First name',
        type: 'string',
        default: '{{lead.first_name}}',
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['contact'] },
      },
      {
        key: 'lastName',
        label: 'Last name',
        type: 'string',
        default: '{{lead.last_name}}',
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['contact'] },
      },
      {
        key: 'company',
        label: 'Company',
        type: 'string',
        default: '{{lead.company}}',
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['contact'] },
      },
      { key: 'phone', label: 'Phone', type: 'string', placeholders: true, visibleWhen: { key: 'object', equals: ['contact'] } },
      {
        key: 'jobTitle',
        label: 'Job title',
        type: 'string',
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['contact'] },
      },
      {
        key: 'dealName',
        label: 'Deal name',
        type: 'string',
        required: true,
        placeholders: true,
        visibleWhen: { key: 'object', equals: ['deal'] },
      },
      {
        key: 'dealStage',
        label: 'Deal stage id',
        type: 'string',
        required: true,
        visibleWhen: { key: 'object', equals: ['deal'] },
        help: 'e.g. appointmentscheduled',
      },
      { key: 'amount', label: 'Amount', type: 'string', placeholders: true, visibleWhen: { key: 'object', equals: ['deal'] } },
      { key: 'pipeline', label: 'Pipeline id', type: 'string', visibleWhen: { key: 'object', equals: ['deal'] } },
    ],
  },
  'integration.salesforce': {
    category: 'integration',
    label: 'Salesforce',
    description: 'Creates a Salesforce lead.',
    outputs: ['out'],
    inputs: 1,
    credential: 'salesforceOAuth2Api',
    fields: [
      { key: 'company', label: 'Company', type: 'string', required: true, default: '{{lead.company}}', placeholders: true },
      { key: 'lastName', label: 'Last name', type: 'string', required: true, default: '{{lead.last_name}}', placeholders: true },
      { key: 'firstName', label: 'First name', type: 'string', default: '{{lead.first_name}}', placeholders: true },
      { key: 'email', label: 'Email', type: 'string', default: '{{lead.email}}', placeholders: true },
      { key: 'phone', label: 'Phone', type: 'string', placeholders: true },
    ],
  },
  'integration.pipedrive': {
    category: 'integration',
    label: 'Pipedrive',
    description: 'Creates a Pipedrive person.',
    outputs: ['out'],
    inputs: 1,
    credential: 'pipedriveApi',
    fields: [
      {
        key: 'name',
        label: 'Name',
        type: 'string',
        required: true,
        default: '{{lead.first_name}} {{lead.last_name}}',
        placeholders: true,
      },
      { key: 'email', label: 'Email', type: 'string', default: '{{lead.email}}', placeholders: true },
      { key: 'phone', label: 'Phone', type: 'string', placeholders: true },
    ],
  },
  'integration.googleSheets': {
    category: 'integration',
    label: 'Google Sheets',
    description: 'Appends a row to a sheet.',
    outputs: ['out'],
    inputs: 1,
    credential: 'googleApi',
    fields: [
      { key: 'documentId', label: 'Spreadsheet id', type: 'string', required: true, help: 'The long id in the sheet’s URL.' },
      { key: 'sheetName', label: 'Sheet', type: 'string', required: true, default: 'Sheet1' },
      { key: 'columns', label: 'Columns', type: 'keyvalue', required: true, placeholders: true, help: 'Column header → value.' },
    ],
  },
  'integration.airtable': {
    category: 'integration',
    label: 'Airtable',
    description: 'Creates a record in an Airtable table.',
    outputs: ['out'],
    inputs: 1,
    credential: 'airtableTokenApi',
    fields: [
      { key: 'baseId', label: 'Base id', type: 'string', required: true, help: 'Starts with "app".' },
      { key: 'tableId', label: 'Table id or name', type: 'string', required: true },
      { key: 'fields', label: 'Fields', type: 'keyvalue', required: true, placeholders: true, help: 'Field name → value.' },
    ],
  },
  'integration.http': {
    category: 'integration',
    label: 'HTTP request',
    description: 'Calls any HTTP API.',
    outputs: ['out'],
    inputs: 1,
    fields: [
      {
        key: 'method',
        label: 'Method',
        type: 'select',
        required: true,
        default: 'POST',
        options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({ value: m, label: m })),
      },
      {
        key: 'auth',
        label: 'Authentication',
        type: 'select',
        default: 'none',
        options: [
          { value: 'none', label: 'None (put any token in a header)' },
          { value: 'leadflow', label: 'This workspace’s Leadflow API' },
        ],
        help: 'With the Leadflow API the URL is a path such as /api/v1/leads.',
      },
      { key: 'url', label: 'URL', type: 'string', required: true, placeholders: true },
      { key: 'query', label: 'Query parameters', type: 'keyvalue', placeholders: true },
      { key: 'headers', label: 'Headers', type: 'keyvalue', placeholders: true },
      {
        key: 'body',
        label: 'JSON body',
        type: 'json',
        placeholders: true,
        visibleWhen: { key: 'method', equals: ['POST', 'PUT', 'PATCH'] },
      },
      {
        key: 'output',
        label: 'Continue with',
        type: 'select',
        default: 'passThrough',
        options: [
          { value: 'passThrough', label: 'the same lead' },
          { value: 'response', label: 'the response' },
        ],
      },
    ],
  },
  'integration.code': {
    category: 'integration',
    label: 'Code',
    description: 'Runs JavaScript over all items (administrators only).',
    outputs: ['out'],
    inputs: 1,
    adminOnly: true,
    fields: [
      {
        key: 'code',
        label: 'JavaScript',
        type: 'text',
        required: true,
        default: 'return $input.all();',
        help: 'n8n Code node, "run once for all items": return an array of items.',
      },
    ],
  },
} as const satisfies Record<string, NodeKindDef>;

export type NodeKind = keyof typeof nodeKinds;

export function isNodeKind(type: string): type is NodeKind {
  return Object.prototype.hasOwnProperty.call(nodeKinds, type);
}

export function kindDef(type: NodeKind): NodeKindDef {
  return nodeKinds[type];
}

/** Output handle ids of a node, resolving dynamic outputs (Switch) from its data. */
export function outputsOf(type: NodeKind, data: Record<string, unknown>): string[] {
  const def: NodeKindDef = nodeKinds[type];
  if (!def.dynamicOutputs) return [...def.outputs];
  const { listKey, prefix, extra } = def.dynamicOutputs;
  const list = Array.isArray(data[listKey]) ? (data[listKey] as unknown[]) : [];
  return [...list.map((_, i) => `${prefix}${i}`), ...extra];
}

/** Input handle ids of a node: [] for triggers, [null] for a single unnamed input. */
export function inputsOf(type: NodeKind, data: Record<string, unknown>): (string | null)[] {
  const def: NodeKindDef = nodeKinds[type];
  if (def.inputs === 0) return [];
  if (!def.dynamicInputs) return [null];
  const raw = data[def.dynamicInputs.countKey];
  const count = typeof raw === 'number' && Number.isInteger(raw) && raw >= 2 && raw <= 10 ? raw : def.inputs;
  return Array.from({ length: count }, (_, i) => `${def.dynamicInputs!.prefix}${i}`);
}

/** Lead-event triggers receive batches of lead events; the others carry no lead. */
export const LEAD_EVENT_TRIGGERS: readonly NodeKind[] = [
  'trigger.leadCreated',
  'trigger.leadUpdated',
  'trigger.stageChanged',
  'trigger.scoreCrossed',
  'trigger.formSubmitted',
];

/** The label a node shows: the user's own `data.label`, else the kind's label. */
export function displayName(node: { type: string; data: Record<string, unknown> }): string {
  const custom = typeof node.data?.label === 'string' ? node.data.label.trim() : '';
  if (custom) return custom;
  return isNodeKind(node.type) ? nodeKinds[node.type].label : node.type;
}
