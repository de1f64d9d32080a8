// Shapes the builder route sends to the builder UI (loader JSON, action JSON, resource routes).

import type { FlowGraph } from '@leadflow/workflow-compiler';

export interface BuilderWorkflow {
  id: string;
  name: string;
  description: string;
  status: 'draft' | 'published' | 'unpublished' | 'archived';
  publishedAt: string | null;
  publishedVersionId: string | null;
  updatedAt: string;
  /** Started by lead events: its published webhook requires a secret (which can be replaced). */
  leadEventTrigger: boolean;
}

export interface VersionSummary {
  id: string;
  version: number;
  note: string;
  createdAt: string;
  createdBy: string | null;
}

export interface VersionDetail extends VersionSummary {
  graph: FlowGraph;
  compiled: unknown;
}

export interface DeployProblem {
  nodeId: string | null;
  message: string;
}

export interface TestRunNodeResult {
  nodeId: string | null;
  name: string;
  input: unknown[];
  output: unknown[][];
  error?: string;
}

export interface TestRunResult {
  executionId: string;
  status: string;
  nodes: TestRunNodeResult[];
}

export interface ExecutionRow {
  id: string;
  status: string;
  startedAt: string;
  stoppedAt: string | null;
  mode: string;
  error?: string;
}

export type BuilderIntent = 'save' | 'publish' | 'unpublish' | 'archive' | 'rollback' | 'testRun' | 'rotateSecret';

/** Every builder action answers with this shape (status 200, or 4xx/5xx with ok: false). */
export interface BuilderActionData {
  intent: BuilderIntent;
  ok: boolean;
  message?: string;
  errors?: DeployProblem[];
  savedAt?: string;
  versionId?: string;
  version?: number;
  /** The draft after a rollback, so the canvas can show it. */
  graph?: FlowGraph;
  run?: TestRunResult;
}

export type VersionLoaderData = { version: VersionDetail; previous: VersionDetail | null };
export type ExecutionsLoaderData = { ok: true; executions: ExecutionRow[] } | { ok: false; message: string };
export type LeadSearchData = { leads: Array<{ id: string; name: string; email: string | null; company: string | null }> };
