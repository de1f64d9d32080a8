// Shapes shared by the canvas (React Flow), the compiler and n8n's public API.
// Only the small subset of n8n's types the compiler needs is copied here: the app must not
// depend on n8n's internals.

/** A canvas node as React Flow saves it. `data` is plain JSON: field values keyed by field key. */
export interface FlowNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  data: Record<string, unknown>;
}

/** A canvas edge. Handles are React Flow handle ids; `null` and absent mean the same. */
export interface FlowEdge {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface FlowViewport {
  x: number;
  y: number;
  zoom: number;
}

export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  viewport?: FlowViewport;
}

export interface WorkflowMeta {
  workflowId: string;
  name: string;
  tenantId: string;
  tenantSlug: string;
}

/** An n8n credential reference as nodes carry it: n8n resolves by id, the name is informational. */
export interface CredentialRef {
  id: string;
  name: string;
}

export interface CompileOptions {
  /** Base URL n8n uses to call Leadflow back, e.g. http://127.0.0.1:3000 (no trailing slash needed). */
  leadflowApiUrl: string;
  /** n8n id of the httpHeaderAuth credential that carries this workflow's tenant API key. */
  leadflowCredentialId: string;
  /** Display name of that credential in n8n; defaults to "Leadflow API". */
  leadflowCredentialName?: string;
  /** Per-tenant credentials by n8n credential type (smtp, twilioApi, slackApi, ...). */
  credentials: Record<string, CredentialRef>;
  /** Code nodes run tenant JavaScript inside n8n: only admins may get them compiled. */
  allowCodeNodes: boolean;
  /**
   * Optional httpHeaderAuth credential that Leadflow's event dispatcher also sends. When given, the
   * lead-event webhooks reject calls without it, so nobody who guesses a path can inject events.
   */
  inboundWebhookCredential?: CredentialRef;
}

/** What `validate` needs; the rest of CompileOptions only matters when emitting nodes. */
export type ValidateOptions = Pick<CompileOptions, 'credentials' | 'allowCodeNodes'> &
  Partial<Pick<CompileOptions, 'leadflowCredentialId'>>;

export interface CompileError {
  /** The canvas node the problem is on, or null for graph-level problems. */
  nodeId: string | null;
  /** Set when the problem is an edge. */
  edgeId?: string;
  /** Plain words, e.g. "Send email: 'Subject' is required". */
  message: string;
}

// ---------------------------------------------------------------------------------------------
// n8n workflow JSON (the body of POST /api/v1/workflows)
// ---------------------------------------------------------------------------------------------

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, CredentialRef>;
  webhookId?: string;
  /** Leadflow stashes the canvas node here (JSON) so `decompile` can restore the graph. */
  notes?: string;
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTries?: number;
}

export interface N8nConnectionTarget {
  node: string;
  type: 'main';
  index: number;
}

/** connections[sourceName].main[outputIndex] = targets. Keyed by node NAME, as n8n does. */
export type N8nConnections = Record<string, { main: N8nConnectionTarget[][] }>;

/** Exactly the keys n8n's public API accepts on create: extra keys are rejected with 400. */
export interface N8nWorkflow {
  name: string;
  nodes: N8nNode[];
  connections: N8nConnections;
  settings: { executionOrder: 'v1' };
}

export type CompileResult =
  | {
      ok: true;
      workflow: N8nWorkflow;
      /** Canvas trigger node id -> n8n webhook path (production URL is `<n8n>/webhook/<path>`). */
      webhookPaths: Record<string, string>;
      /** Set with a separate API call (PUT /workflows/{id}/tags); never part of the body. */
      tags: string[];
    }
  | { ok: false; errors: CompileError[] };
