/**
 * Workflows as the tenant edits them: a draft graph (autosaved), immutable published versions,
 * and the template library. Deployment to n8n lives in app/lib/workflow-deploy.server.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, desc, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Tx } from '../../db';
import { audit } from './audit.server';
import type { FlowGraph } from '@leadflow/workflow-compiler';

export type Workflow = typeof schema.workflows.$inferSelect;
export type WorkflowVersion = typeof schema.workflowVersions.$inferSelect;

/** The canvas graph as React Flow saves it: plain JSON, validated for shape (not semantics). */
export const flowGraphSchema = z.object({
  nodes: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        type: z.string().min(1).max(100),
        position: z.object({ x: z.number().finite(), y: z.number().finite() }),
        data: z.record(z.string(), z.unknown()),
      }).loose(),
    )
    .max(2000),
  edges: z
    .array(
      z.object({
        id: z.string().min(1).max(200),
        source: z.string().min(1),
        target: z.string().min(1),
        sourceHandle: z.string().nullable().optional(),
        targetHandle: z.string().nullable().optional(),
      }).loose(),
    )
    .max(5000),
  viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number() }).optional(),
});

export const workflowNameSchema = z.string().trim().min(1, 'Give the workflow a name').max(120);

export const EMPTY_GRAPH: FlowGraph = { nodes: [], edges: [], viewport: { x: 0, y: 0, zoom: 1 } } as FlowGraph;

export async function listWorkflows(tx: Tx) {
  return tx
    .select({
      id: schema.workflows.id,
      name: schema.workflows.name,
      description: schema.workflows.description,
      status: schema.workflows.status,
      publishedAt: schema.workflows.publishedAt,
      updatedAt: schema.workflows.updatedAt,
      templateId: schema.workflows.templateId,
    })
    .from(schema.workflows)
    .orderBy(desc(schema.workflows.updatedAt));
}

export async function getWorkflow(tx: Tx, id: string): Promise<Workflow | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const rows = await tx.select().from(schema.workflows).where(eq(schema.workflows.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function createWorkflow(
  tx: Tx,
  tenantId: string,
  input: { name: string; description?: string; graph?: unknown; templateId?: string | null },
  userId: string | null,
): Promise<Workflow> {
  const graph = flowGraphSchema.parse(input.graph ?? EMPTY_GRAPH);
  const [row] = await tx
    .insert(schema.workflows)
    .values({
      tenantId,
      name: workflowNameSchema.parse(input.name),
      description: input.description ?? '',
      graph,
      templateId: input.templateId ?? null,
      createdBy: userId,
    })
    .returning();
  await audit(tx, { tenantId, actorUserId: userId, action: 'workflow.created', target: row.id, data: { templateId: input.templateId ?? null } });
  return row;
}

/** Autosave: replaces the draft graph (published versions are untouched). */
export async function saveDraft(tx: Tx, id: string, graph: unknown, name?: string): Promise<Workflow | null> {
  const parsed = flowGraphSchema.parse(graph);
  const rows = await tx
    .update(schema.workflows)
    .set({ graph: parsed, ...(name ? { name: workflowNameSchema.parse(name) } : {}), updatedAt: new Date() })
    .where(eq(schema.workflows.id, id))
    .returning();
  return rows[0] ?? null;
}

export async function listVersions(tx: Tx, workflowId: string) {
  return tx
    .select({
      id: schema.workflowVersions.id,
      version: schema.workflowVersions.version,
      note: schema.workflowVersions.note,
      createdAt: schema.workflowVersions.createdAt,
      createdBy: schema.workflowVersions.createdBy,
    })
    .from(schema.workflowVersions)
    .where(eq(schema.workflowVersions.workflowId, workflowId))
    .orderBy(desc(schema.workflowVersions.version));
}

export async function getVersion(tx: Tx, workflowId: string, versionId: string): Promise<WorkflowVersion | null> {
  if (!/^[0-9a-f-]{36}$/i.test(versionId)) return null;
  const rows = await tx
    .select()
    .from(schema.workflowVersions)
    .where(and(eq(schema.workflowVersions.workflowId, workflowId), eq(schema.workflowVersions.id, versionId)))
    .limit(1);
  return rows[0] ?? null;
}

export async function createVersion(
  tx: Tx,
  tenantId: string,
  workflowId: string,
  input: { graph: unknown; compiled: unknown; note?: string },
  userId: string | null,
): Promise<WorkflowVersion> {
  const [{ latest }] = await tx
    .select({ latest: max(schema.workflowVersions.version) })
    .from(schema.workflowVersions)
    .where(eq(schema.workflowVersions.workflowId, workflowId));
  const [row] = await tx
    .insert(schema.workflowVersions)
    .values({ tenantId, workflowId, version: (latest ?? 0) + 1, graph: input.graph, compiled: input.compiled, note: input.note ?? '', createdBy: userId })
    .returning();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Template library (workflows/*.json)

export interface WorkflowTemplate {
  id: string;
  name: string;
  description: string;
  graph: FlowGraph;
}

const TEMPLATE_DIR = path.resolve(process.cwd(), 'workflows');

export function listTemplates(): WorkflowTemplate[] {
  if (!fs.existsSync(TEMPLATE_DIR)) return [];
  return fs
    .readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, f), 'utf8')) as WorkflowTemplate);
}

export function getTemplate(id: string): WorkflowTemplate | null {
  return listTemplates().find((t) => t.id === id) ?? null;
}

/** Whether a workflow has a webhook secret to replace: published, and started by lead events. */
export function webhookSecretApplies(wf: { status: string; publishedVersionId: string | null; triggerEvents: string[] }): boolean {
  return wf.status === 'published' && wf.publishedVersionId !== null && wf.triggerEvents.length > 0;
}

export const WEBHOOK_SECRET_NOT_APPLICABLE = 'Only a published workflow started by lead events has a webhook secret.';
