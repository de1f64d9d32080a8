/**
 * Deploys canvas workflows to n8n and runs them: publish (compile → create/update → tag →
 * publish → immutable version), unpublish, archive, rollback, test runs and execution history.
 *
 * Tenant separation inside n8n: every workflow is tagged `tenant:<slug>`; credentials are created
 * per tenant and only the tenant's own credential ids (read under RLS) reach the compiler; lead
 * actions call back with a per-workflow API key of that tenant, so a workflow can only ever act on
 * its own tenant's leads.
 *
 * Inbound: a published workflow's lead-event webhook is guarded by its own n8n httpHeaderAuth
 * credential holding a random secret (kept encrypted in `workflows.inbound_secret`); the deliverer
 * and test runs send it in INBOUND_WEBHOOK_HEADER, and n8n refuses (403) anything without it, so
 * knowing a webhook URL is not enough to inject events. Unpublish and archive delete it in n8n; the
 * next publish makes a fresh one.
 */
import { eq, sql } from 'drizzle-orm';
import { compile, EVENT_TYPES, type CompileError, type CredentialRef, type FlowGraph, type N8nWorkflow as CompiledWorkflow } from '@leadflow/workflow-compiler';
import { schema, type Tx } from '../../db';
import type { Role } from '../../db/schema';
import { audit } from '../models/audit.server';
import { createApiKey, revokeApiKey } from '../models/api-key.server';
import { getLead } from '../models/lead.server';
import { createVersion, getVersion, getWorkflow, saveDraft, WEBHOOK_SECRET_NOT_APPLICABLE, webhookSecretApplies } from '../models/workflow.server';
import { roleAtLeast } from '../models/tenant.server';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './crypto.server';
import { database } from './db.server';
import { env } from './env.server';
import { logger } from './logger.server';
import { leadflowInternalUrl, n8nClient } from './n8n/connection.server';
import { N8nApiError, type N8nClient, type N8nExecution } from './n8n/client.server';
import crypto from 'node:crypto';

export interface DeployContext {
  tenantId: string;
  tenantSlug: string;
  userId: string | null;
  role: Role;
}

export type PublishResult = { ok: true; versionId: string; version: number } | { ok: false; errors: CompileError[] };

export class WorkflowNotFoundError extends Error {
  constructor() {
    super('Workflow not found');
    this.name = 'WorkflowNotFoundError';
  }
}

const inTenant = <T>(ctx: DeployContext, fn: (tx: Tx) => Promise<T>) => database().withTenant({ tenantId: ctx.tenantId, userId: ctx.userId }, fn);

async function tenantResources(ctx: DeployContext): Promise<{ tagId: string | null; credentials: Record<string, CredentialRef> }> {
  const rows = await inTenant(ctx, (tx) => tx.select().from(schema.n8nTenantResources).where(eq(schema.n8nTenantResources.tenantId, ctx.tenantId)));
  return { tagId: rows[0]?.tagId ?? null, credentials: (rows[0]?.credentials ?? {}) as Record<string, CredentialRef> };
}

async function saveResources(ctx: DeployContext, patch: { tagId?: string; credentials?: Record<string, CredentialRef> }) {
  await inTenant(ctx, async (tx) => {
    const current = await tx.select().from(schema.n8nTenantResources).where(eq(schema.n8nTenantResources.tenantId, ctx.tenantId));
    const credentials = { ...((current[0]?.credentials ?? {}) as Record<string, CredentialRef>), ...(patch.credentials ?? {}) };
    await tx
      .insert(schema.n8nTenantResources)
      .values({ tenantId: ctx.tenantId, tagId: patch.tagId ?? current[0]?.tagId ?? null, credentials })
      .onConflictDoUpdate({
        target: schema.n8nTenantResources.tenantId,
        set: { tagId: patch.tagId ?? current[0]?.tagId ?? null, credentials, updatedAt: new Date() },
      });
  });
}

/** Channel/integration credentials a tenant configures (SMTP, Slack, Twilio, …), stored in n8n. */
export async function setTenantCredential(ctx: DeployContext, type: string, data: Record<string, unknown>): Promise<CredentialRef> {
  const client = await n8nClient();
  const { credentials } = await tenantResources(ctx);
  const created = await client.createCredential({ name: `${ctx.tenantSlug} · ${type}`, type, data });
  const ref = { id: created.id, name: created.name };
  await saveResources(ctx, { credentials: { [type]: ref } });
  const previous = credentials[type];
  if (previous) await client.deleteCredential(previous.id).catch((err: unknown) => logger().warn({ err }, 'could not delete replaced n8n credential'));
  await inTenant(ctx, (tx) => audit(tx, { tenantId: ctx.tenantId, actorUserId: ctx.userId, action: 'integration.credential_set', target: type }));
  return ref;
}

/** Tenant credential kinds available to the compiler (the per-workflow Leadflow keys excluded). */
export async function tenantCredentialKinds(ctx: DeployContext): Promise<Record<string, CredentialRef>> {
  const { credentials } = await tenantResources(ctx);
  return Object.fromEntries(Object.entries(credentials).filter(([k]) => !k.startsWith('leadflow:')));
}

/** The workflow's own tenant-scoped API key, stored in n8n as an httpHeaderAuth credential. */
async function ensureWorkflowCredential(ctx: DeployContext, client: N8nClient, workflowId: string): Promise<CredentialRef> {
  const { credentials } = await tenantResources(ctx);
  const existing = credentials[`leadflow:${workflowId}`];
  if (existing) return existing;
  const key = await inTenant(ctx, (tx) => createApiKey(tx, ctx.tenantId, { name: `workflow:${workflowId}`, scopes: ['read', 'write'], createdBy: ctx.userId }));
  const created = await client.createCredential({
    name: `${ctx.tenantSlug} · Leadflow API · ${workflowId.slice(0, 8)}`,
    type: 'httpHeaderAuth',
    data: { name: 'Authorization', value: `Bearer ${key.key}` },
  });
  const ref = { id: created.id, name: created.name };
  await saveResources(ctx, { credentials: { [`leadflow:${workflowId}`]: ref } });
  await inTenant(ctx, (tx) => tx.update(schema.workflows).set({ apiKeyId: key.id }).where(eq(schema.workflows.id, workflowId)));
  return ref;
}

/** The header carrying a workflow's inbound webhook secret (n8n lower-cases header names). */
export const INBOUND_WEBHOOK_HEADER = 'X-Leadflow-Webhook-Secret';

function encryptionKey(): string {
  const key = env().LEADFLOW_ENCRYPTION_KEY;
  if (!key) throw new Error('LEADFLOW_ENCRYPTION_KEY is required to keep workflow webhook secrets');
  return key;
}

function inboundCredentialName(ctx: DeployContext, workflowId: string): string {
  return `${ctx.tenantSlug} · Leadflow events · ${workflowId.slice(0, 8)}`;
}

/**
 * Headers that authenticate a call to a workflow's lead-event webhook, from the stored (encrypted)
 * secret; none for a workflow published before webhooks were guarded.
 */
export function inboundWebhookHeaders(inboundSecret: string | null | undefined): Record<string, string> {
  if (!inboundSecret) return {};
  return { [INBOUND_WEBHOOK_HEADER]: decryptSecret(inboundSecret, encryptionKey()) };
}

/**
 * The workflow's inbound httpHeaderAuth credential: reused while it exists (republishing keeps the
 * secret, so deliveries in flight stay valid), else created with a fresh 256-bit secret; none when
 * the graph has no lead-event trigger. `replaced` is a previous credential to delete once n8n runs
 * the version that no longer uses it.
 */
async function ensureInboundCredential(
  ctx: DeployContext,
  client: N8nClient,
  wf: { id: string; inboundCredentialId: string | null; inboundSecret: string | null },
  needed: boolean,
  rotate = false,
): Promise<{ ref: CredentialRef | undefined; replaced: string | null }> {
  const name = inboundCredentialName(ctx, wf.id);
  if (!needed) {
    if (wf.inboundCredentialId || wf.inboundSecret) {
      await inTenant(ctx, (tx) => tx.update(schema.workflows).set({ inboundCredentialId: null, inboundSecret: null }).where(eq(schema.workflows.id, wf.id)));
    }
    return { ref: undefined, replaced: wf.inboundCredentialId };
  }
  if (wf.inboundCredentialId && wf.inboundSecret && !rotate) {
    try {
      decryptSecret(wf.inboundSecret, encryptionKey());
      return { ref: { id: wf.inboundCredentialId, name }, replaced: null };
    } catch (err) {
      // Unreadable (the encryption key changed): replace it rather than publish a secret no sender knows.
      if (!(err instanceof SecretDecryptionError)) throw err;
      logger().warn({ workflowId: wf.id }, 'inbound webhook secret unreadable; rotating it');
    }
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  const created = await client.createCredential({ name, type: 'httpHeaderAuth', data: { name: INBOUND_WEBHOOK_HEADER, value: secret } });
  try {
    await inTenant(ctx, (tx) =>
      tx
        .update(schema.workflows)
        .set({ inboundCredentialId: created.id, inboundSecret: encryptSecret(secret, encryptionKey()) })
        .where(eq(schema.workflows.id, wf.id)),
    );
  } catch (err) {
    await client.deleteCredential(created.id).catch(() => undefined);
    throw err;
  }
  return { ref: { id: created.id, name }, replaced: wf.inboundCredentialId };
}

/** Deletes an inbound credential in n8n (already gone is fine; other failures throw so the caller can retry). */
async function deleteInboundCredential(client: N8nClient, credentialId: string | null): Promise<void> {
  if (credentialId) await client.deleteCredential(credentialId);
}

function triggerEventsOf(graph: FlowGraph): string[] {
  return [...new Set(graph.nodes.map((n) => EVENT_TYPES[n.type]).filter((t): t is string => Boolean(t)))];
}

export function hasCodeNode(graph: FlowGraph): boolean {
  return graph.nodes.some((n) => n.type === 'integration.code');
}

/** Compile → create or update in n8n → tag → publish → record an immutable version. */
export async function publishWorkflow(
  ctx: DeployContext,
  workflowId: string,
  note = '',
  graphOverride?: FlowGraph,
  options: { keepDraft?: boolean; rotateSecret?: boolean } = {},
): Promise<PublishResult> {
  const wf = await inTenant(ctx, (tx) => getWorkflow(tx, workflowId));
  if (!wf || wf.status === 'archived') throw new WorkflowNotFoundError();
  const graph = (graphOverride ?? wf.graph) as FlowGraph;
  const allowCode = roleAtLeast(ctx.role, 'admin');
  const client = await n8nClient();
  const credentials = await tenantCredentialKinds(ctx);
  // Validate before touching n8n (a placeholder credential id: the real one is made only if valid).
  const dry = compile(graph, { workflowId, name: wf.name, tenantId: ctx.tenantId, tenantSlug: ctx.tenantSlug }, {
    leadflowApiUrl: leadflowInternalUrl(),
    leadflowCredentialId: 'pending',
    credentials,
    allowCodeNodes: allowCode,
  });
  if (!dry.ok) return { ok: false, errors: dry.errors };
  const leadflowCredential = await ensureWorkflowCredential(ctx, client, workflowId);
  const inbound = await ensureInboundCredential(ctx, client, wf, triggerEventsOf(graph).length > 0, options.rotateSecret);
  const result = compile(graph, { workflowId, name: `${wf.name} [${ctx.tenantSlug}]`, tenantId: ctx.tenantId, tenantSlug: ctx.tenantSlug }, {
    leadflowApiUrl: leadflowInternalUrl(),
    leadflowCredentialId: leadflowCredential.id,
    leadflowCredentialName: leadflowCredential.name,
    credentials,
    allowCodeNodes: allowCode,
    inboundWebhookCredential: inbound.ref,
  });
  if (!result.ok) return { ok: false, errors: result.errors };
  const body = result.workflow;
  let n8nId = wf.n8nWorkflowId;
  try {
    if (n8nId) await client.updateWorkflow(n8nId, body as never);
    else n8nId = (await client.createWorkflow(body as never)).id;
  } catch (err) {
    if (err instanceof N8nApiError && err.status === 404 && n8nId) n8nId = (await client.createWorkflow(body as never)).id;
    else throw err;
  }
  const tag = await client.ensureTag(`tenant:${ctx.tenantSlug}`);
  await client.setWorkflowTags(n8nId, [tag.id]);
  await client.publishWorkflow(n8nId);
  if (inbound.replaced) {
    await deleteInboundCredential(client, inbound.replaced).catch((err: unknown) => logger().warn({ err }, 'could not delete a replaced inbound webhook credential'));
  }
  const triggerId = graph.nodes.find((n) => EVENT_TYPES[n.type] || n.type === 'trigger.webhook')?.id;
  const webhookPath = triggerId ? (result.webhookPaths[triggerId] ?? null) : null;
  if (webhookPath) await client.waitForWebhook(client.webhookUrl(webhookPath), { method: 'POST', timeoutMs: 10_000 });
  const version = await inTenant(ctx, async (tx) => {
    const v = await createVersion(tx, ctx.tenantId, workflowId, { graph, compiled: body, note }, ctx.userId);
    await tx
      .update(schema.workflows)
      .set({
        status: 'published',
        n8nWorkflowId: n8nId,
        publishedVersionId: v.id,
        publishedAt: new Date(),
        triggerEvents: triggerEventsOf(graph),
        webhookPath,
        ...(graphOverride && !options.keepDraft ? { graph: graphOverride } : {}),
        updatedAt: new Date(),
      })
      .where(eq(schema.workflows.id, workflowId));
    await audit(tx, { tenantId: ctx.tenantId, actorUserId: ctx.userId, action: 'workflow.published', target: workflowId, data: { version: v.version } });
    return v;
  });
  await saveResources(ctx, { tagId: tag.id });
  return { ok: true, versionId: version.id, version: version.version };
}

export async function unpublishWorkflow(ctx: DeployContext, workflowId: string): Promise<void> {
  const wf = await inTenant(ctx, (tx) => getWorkflow(tx, workflowId));
  if (!wf) throw new WorkflowNotFoundError();
  if (wf.n8nWorkflowId) {
    const client = await n8nClient();
    await client.unpublishWorkflow(wf.n8nWorkflowId).catch((err: unknown) => {
      if (!(err instanceof N8nApiError && err.status === 404)) throw err;
    });
  }
  // The webhook is off: its secret goes too (the next publish makes a new one).
  if (wf.inboundCredentialId) await deleteInboundCredential(await n8nClient(), wf.inboundCredentialId);
  await inTenant(ctx, async (tx) => {
    await tx
      .update(schema.workflows)
      .set({ status: 'unpublished', inboundCredentialId: null, inboundSecret: null, updatedAt: new Date() })
      .where(eq(schema.workflows.id, workflowId));
    await audit(tx, { tenantId: ctx.tenantId, actorUserId: ctx.userId, action: 'workflow.unpublished', target: workflowId });
  });
}

/** Archive: removes it from n8n, revokes its API key and credential; versions stay for the record. */
export async function archiveWorkflow(ctx: DeployContext, workflowId: string): Promise<void> {
  const wf = await inTenant(ctx, (tx) => getWorkflow(tx, workflowId));
  if (!wf) throw new WorkflowNotFoundError();
  const client = await n8nClient();
  if (wf.n8nWorkflowId) await client.deleteWorkflow(wf.n8nWorkflowId);
  const { credentials } = await tenantResources(ctx);
  const cred = credentials[`leadflow:${workflowId}`];
  if (cred) await client.deleteCredential(cred.id);
  await deleteInboundCredential(client, wf.inboundCredentialId);
  await inTenant(ctx, async (tx) => {
    if (wf.apiKeyId) await revokeApiKey(tx, ctx.tenantId, wf.apiKeyId, ctx.userId);
    const res = await tx.select().from(schema.n8nTenantResources).where(eq(schema.n8nTenantResources.tenantId, ctx.tenantId));
    if (res[0]) {
      const next = { ...(res[0].credentials as Record<string, CredentialRef>) };
      delete next[`leadflow:${workflowId}`];
      await tx.update(schema.n8nTenantResources).set({ credentials: next }).where(eq(schema.n8nTenantResources.tenantId, ctx.tenantId));
    }
    await tx.update(schema.workflows).set({ status: 'archived', n8nWorkflowId: null, webhookPath: null, inboundCredentialId: null, inboundSecret: null, updatedAt: new Date() }).where(eq(schema.workflows.id, workflowId));
    await audit(tx, { tenantId: ctx.tenantId, actorUserId: ctx.userId, action: 'workflow.archived', target: workflowId });
  });
}

/**
 * Published workflows whose lead-event webhook takes calls without a secret (published before
 * migration 0013 gave every lead-event webhook one) are republished with the graph they run — the
 * user's draft is left as it is — which creates their secret and makes n8n require it. Each one
 * becomes a new version with a note saying why. `invalid`: the published graph no longer deploys
 * (e.g. a connection it uses was removed) — only the user can fix that by publishing again;
 * `failed`: deployment broke (n8n down) — worth retrying.
 */
export async function secureUnprotectedWebhooks(tenantId: string): Promise<{
  secured: string[];
  invalid: Array<{ id: string; name: string; error: string }>;
  failed: Array<{ id: string; name: string; error: string }>;
}> {
  const rows = await database().withTenant({ tenantId, userId: null }, (tx) =>
    tx.execute<{ id: string; name: string; graph: FlowGraph; slug: string }>(sql`
      select w.id, w.name, v.graph, t.slug
      from workflows w join workflow_versions v on v.id = w.published_version_id join tenants t on t.id = w.tenant_id
      where w.status = 'published' and cardinality(w.trigger_events) > 0 and (w.inbound_secret is null or w.inbound_credential_id is null)
      order by w.id`),
  );
  // A system change, not a user's: no user, and the owner's right to redeploy what is already live.
  const ctx: DeployContext = { tenantId, tenantSlug: rows.rows[0]?.slug ?? '', userId: null, role: 'owner' };
  const secured: string[] = [];
  const invalid: Array<{ id: string; name: string; error: string }> = [];
  const failed: Array<{ id: string; name: string; error: string }> = [];
  for (const row of rows.rows) {
    try {
      const result = await publishWorkflow(ctx, row.id, UNPROTECTED_WEBHOOK_NOTE, row.graph, { keepDraft: true });
      if (result.ok) secured.push(row.id);
      else invalid.push({ id: row.id, name: row.name, error: result.errors.map((e) => e.message).join('; ') });
    } catch (err) {
      failed.push({ id: row.id, name: row.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { secured, invalid, failed };
}

/**
 * A new secret for a published workflow's lead-event webhook (e.g. after it leaked): the graph it
 * runs is republished with a fresh credential (the draft is kept; a version notes it), n8n requires
 * the new secret from then on and the old credential is deleted. Deliveries signed with the old
 * secret in that moment are refused and retried by the deliverer with the new one.
 */
export async function rotateWebhookSecret(ctx: DeployContext, workflowId: string): Promise<PublishResult> {
  const wf = await inTenant(ctx, (tx) => getWorkflow(tx, workflowId));
  if (!wf || !webhookSecretApplies(wf)) throw new WebhookSecretNotApplicableError();
  const version = await inTenant(ctx, (tx) => getVersion(tx, workflowId, wf.publishedVersionId!));
  if (!version) throw new WorkflowNotFoundError();
  return publishWorkflow(ctx, workflowId, ROTATED_SECRET_NOTE, version.graph as FlowGraph, { keepDraft: true, rotateSecret: true });
}

export const ROTATED_SECRET_NOTE = 'Republished with a new webhook secret (the draft is unchanged)';

export class WebhookSecretNotApplicableError extends Error {
  constructor() {
    super(WEBHOOK_SECRET_NOT_APPLICABLE);
    this.name = 'WebhookSecretNotApplicableError';
  }
}

export const UNPROTECTED_WEBHOOK_NOTE = 'Republished with a webhook secret (security upgrade; the draft is unchanged)';

/** Rollback: that version's graph becomes the draft and is published as a new version. */
export async function rollbackWorkflow(ctx: DeployContext, workflowId: string, versionId: string): Promise<PublishResult> {
  const version = await inTenant(ctx, (tx) => getVersion(tx, workflowId, versionId));
  if (!version) throw new WorkflowNotFoundError();
  const result = await publishWorkflow(ctx, workflowId, `Rollback to version ${version.version}`, version.graph as FlowGraph);
  if (result.ok) await inTenant(ctx, (tx) => saveDraft(tx, workflowId, version.graph));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Event delivery (called by the deliver_workflow_events task)

export const DELIVERY_BATCH = 500;

/**
 * Delivers the tenant's pending outbox events to each published workflow listening to them, in
 * batches of up to DELIVERY_BATCH events per n8n execution. At-least-once: deliveries are recorded
 * after n8n accepted the batch; each event id is recorded once per workflow.
 */
export async function deliverPendingEvents(
  tenantId: string,
  opts: { post?: (url: string, body: unknown, headers: Record<string, string>) => Promise<number> } = {},
): Promise<{ delivered: number; batches: number }> {
  const client = await n8nClient();
  const post =
    opts.post ??
    (async (url: string, body: unknown, headers: Record<string, string>) => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      return res.status;
    });
  const db = database();
  const targets = await db.withTenant(tenantId, (tx) =>
    tx.execute<{ id: string; webhook_path: string; trigger_events: string[]; published_at: Date; inbound_secret: string | null }>(
      sql`select id, webhook_path, trigger_events, published_at, inbound_secret from workflows where status = 'published' and webhook_path is not null and cardinality(trigger_events) > 0`,
    ),
  );
  let delivered = 0;
  let batches = 0;
  for (const wf of targets.rows) {
    const headers = inboundWebhookHeaders(wf.inbound_secret);
    for (;;) {
      const events = await db.withTenant(tenantId, async (tx) => {
        // NOTE: the outbox and the delivery log grow by hundreds of rows a second during an import,
        // faster than autovacuum re-analyses them; with stale statistics the planner chose a nested
        // loop that scanned every delivery of the workflow for every pending event (1.3 s a batch
        // at 3,000 events, quadratic over an import). A hash anti-join is linear: 9 ms at 3,000,
        // 21 ms at 20,000. Transaction-local, this statement only.
        await tx.execute(sql`set local enable_nestloop = off`);
        return tx.execute<{ id: string; payload: Record<string, unknown> }>(sql`
          select o.id, o.payload from lead_outbox o
          where o.type = any(${`{${wf.trigger_events.join(',')}}`}::text[]) and o.created_at >= ${wf.published_at}
            and not exists (select 1 from workflow_deliveries d where d.workflow_id = ${wf.id} and d.event_id = o.id)
          order by o.created_at, o.id
          limit ${DELIVERY_BATCH}`);
      });
      if (events.rows.length === 0) break;
      const status = await post(client.webhookUrl(wf.webhook_path), { events: events.rows.map((e) => ({ id: e.id, ...e.payload })) }, headers);
      if (status < 200 || status >= 300) throw new Error(`n8n answered ${status} for workflow ${wf.id}; will retry`);
      await db.withTenant(tenantId, (tx) =>
        tx.execute(sql`
          insert into workflow_deliveries (tenant_id, workflow_id, event_id)
          select ${tenantId}::uuid, ${wf.id}::uuid, t.id::uuid
          from jsonb_array_elements_text(${JSON.stringify(events.rows.map((e) => e.id))}::jsonb) as t(id)
          on conflict do nothing`),
      );
      delivered += events.rows.length;
      batches++;
      if (events.rows.length < DELIVERY_BATCH) break;
    }
  }
  return { delivered, batches };
}

// ---------------------------------------------------------------------------------------------
// Test runs and execution history

export interface NodeRunView {
  nodeId: string | null;
  name: string;
  input: unknown[];
  output: unknown[][];
  error?: string;
}

function canvasIdOf(compiled: CompiledWorkflow, nodeName: string): string | null {
  const node = compiled.nodes.find((n) => n.name === nodeName) as { notes?: string } | undefined;
  if (!node?.notes) return null;
  try {
    return (JSON.parse(node.notes) as { leadflow?: { of?: string } }).leadflow?.of ?? null;
  } catch {
    return null;
  }
}

const INBOUND_HEADER_KEY = INBOUND_WEBHOOK_HEADER.toLowerCase();

/** A webhook item shows request headers: never the inbound secret (n8n 2.x hides it too; 1.x did not). */
function withoutInboundSecret(json: Record<string, unknown>): Record<string, unknown> {
  const headers = json.headers;
  if (!headers || typeof headers !== 'object' || !(INBOUND_HEADER_KEY in headers)) return json;
  return { ...json, headers: { ...(headers as Record<string, unknown>), [INBOUND_HEADER_KEY]: '**hidden**' } };
}

export function executionToNodeRuns(execution: N8nExecution, compiled: CompiledWorkflow): NodeRunView[] {
  const runData = execution.data?.resultData.runData ?? {};
  const outputs = new Map<string, unknown[][]>();
  for (const [name, runs] of Object.entries(runData)) {
    outputs.set(name, (runs[0]?.data?.main ?? []).map((items) => (items ?? []).map((i) => withoutInboundSecret(i.json))));
  }
  return Object.entries(runData).map(([name, runs]) => {
    const run = runs[0];
    const source = (run?.source?.[0] ?? null) as { previousNode?: string; previousNodeOutput?: number } | null;
    const input = source?.previousNode ? (outputs.get(source.previousNode)?.[source.previousNodeOutput ?? 0] ?? []) : [];
    return {
      nodeId: canvasIdOf(compiled, name),
      name,
      input,
      output: outputs.get(name) ?? [],
      ...(run?.error ? { error: run.error.message } : {}),
    };
  });
}

/**
 * Runs the published workflow for one lead now, for real (lead actions apply), and returns what
 * each node received and produced, from n8n's execution data.
 */
export async function testRunWorkflow(ctx: DeployContext, workflowId: string, leadId: string) {
  const { wf, lead, version } = await inTenant(ctx, async (tx) => {
    const w = await getWorkflow(tx, workflowId);
    const l = await getLead(tx, leadId);
    const v = w?.publishedVersionId ? await getVersion(tx, workflowId, w.publishedVersionId) : null;
    return { wf: w, lead: l, version: v };
  });
  if (!wf || !lead) throw new WorkflowNotFoundError();
  if (wf.status !== 'published' || !wf.n8nWorkflowId || !wf.webhookPath || !version) {
    throw new Error('Publish the workflow before a test run (test runs use the published version).');
  }
  const client = await n8nClient();
  const before = await client.listExecutions({ workflowId: wf.n8nWorkflowId, limit: 1 });
  const previousId = before.data[0]?.id ?? null;
  const leadJson = await inTenant(ctx, async (tx) => {
    const r = await tx.execute<{ j: Record<string, unknown> }>(sql`select leadflow_lead_json(l) as j from leads l where id = ${leadId}`);
    return r.rows[0].j;
  });
  const type = wf.triggerEvents[0] ?? 'lead.created';
  const event = { id: crypto.randomUUID(), type, occurredAt: new Date().toISOString(), tenantId: ctx.tenantId, lead: leadJson, previous: leadJson, changes: [], test: true };
  const res = await fetch(client.webhookUrl(wf.webhookPath), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...inboundWebhookHeaders(wf.inboundSecret) },
    body: JSON.stringify({ events: [event] }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`n8n refused the test event (${res.status})`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await client.listExecutions({ workflowId: wf.n8nWorkflowId, limit: 1 });
    const latest = page.data[0];
    if (latest && latest.id !== previousId && latest.status !== 'running' && latest.status !== 'new') {
      const full = await client.getExecution(latest.id, { includeData: true });
      return { executionId: full.id, status: full.status, nodes: executionToNodeRuns(full, version.compiled as CompiledWorkflow) };
    }
    if (Date.now() > deadline) throw new Error('The test run did not finish within 30 seconds.');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function listExecutions(ctx: DeployContext, workflowId: string, limit = 20) {
  const wf = await inTenant(ctx, (tx) => getWorkflow(tx, workflowId));
  if (!wf) throw new WorkflowNotFoundError();
  if (!wf.n8nWorkflowId) return [];
  const client = await n8nClient();
  const page = await client.listExecutions({ workflowId: wf.n8nWorkflowId, limit, includeData: true });
  return page.data.map((e) => ({
    id: e.id,
    status: e.status,
    startedAt: e.startedAt,
    stoppedAt: e.stoppedAt,
    mode: e.mode,
    ...(e.data?.resultData.error ? { error: e.data.resultData.error.message } : {}),
  }));
}
