// Public surface of the workflow compiler: pure functions, no I/O, no n8n import.

export { compile, abBucket, EVENT_TYPES } from './compile';
export type { LeadflowNote, NodeRole } from './compile';
export { validate } from './validate';
export { decompile, DecompileError } from './decompile';
export { nodeKinds, isNodeKind, outputsOf, inputsOf, displayName, CONDITION_OPERATORS, LEAD_EVENT_TRIGGERS } from './catalogue';
export type { FieldDef, FieldType, FieldOption, NodeCategory, NodeKind, NodeKindDef } from './catalogue';
export { checkTypeVersions, N8N_NODE_TYPES } from './n8n-types';
export type { CatalogueEntry, TypeVersionMismatch } from './n8n-types';
export { normalizeGraph } from './graph';
export { parseTemplate, TemplateError } from './template';
export { uuidV5 } from './uuid';
export { syntheticGraph } from './synthetic';
export { benchCompile } from './bench';
export type { BenchResult } from './bench';
export type {
  FlowGraph,
  FlowNode,
  FlowEdge,
  FlowViewport,
  WorkflowMeta,
  CompileOptions,
  ValidateOptions,
  CompileError,
  CompileResult,
  CredentialRef,
  N8nWorkflow,
  N8nNode,
  N8nConnections,
} from './types';
