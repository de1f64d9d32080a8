/**
 * Workflows end to end against a real n8n 2.41.1: publish compiles and deploys; lead changes go
 * through the transactional outbox and Graphile Worker to n8n in batches; lead actions call back
 * into Leadflow's real HTTP app; an HTTP step reaches a local listener; an email step reaches a
 * local SMTP server. Every template imports and activates. No mocks of n8n.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import { sql } from 'drizzle-orm';
import express from 'express';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowGraph } from '@leadflow/workflow-compiler';
import { appDatabase, uniqueSlug } from '../../test/helpers';
import { inCi, n8nAvailable, startTestN8n, type TestN8n } from '../../test/n8n';
import { startWorker, type WorkerHandle } from '../../worker/index';
import { createTenant } from '../models/tenant.server';
import { upsertLead } from '../models/lead.server';
import { createVersion, createWorkflow, getWorkflow, listTemplates, listVersions } from '../models/workflow.server';
import type { DeployContext } from './workflow-deploy.server';
import { findFreePort } from './n8n/supervisor.server';

const skip = !n8nAvailable && !inCi;


async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip)('workflows on a real n8n', () => {
  let n8n: TestN8n;
  let app: http.Server;
  let worker: WorkerHandle;
  let smtp: SMTPServer;
  const mails: Array<{ to: string[]; data: string }> = [];
  let listener: http.Server;
  const received: Array<{ body: unknown }> = [];
  let listenerUrl: string;
  let ctx: DeployContext;
  let deploy: typeof import('./workflow-deploy.server');
  const db = appDatabase();

  beforeAll(async () => {
    const appPort = await findFreePort();
    process.env.LEADFLOW_INTERNAL_URL = `http://127.0.0.1:${appPort}`;
    n8n = await startTestN8n();
    // Leadflow's real HTTP app (the built Remix server), for the workflows' callbacks.
    const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as ServerBuild;
    const web = express();
    web.all('*', createRequestHandler({ build, mode: 'production' }));
    app = await new Promise((resolve) => {
      const s = web.listen(appPort, '127.0.0.1', () => resolve(s));
    });
    // A local SMTP server and an HTTP listener standing in for the outside world.
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
          done();
        });
      },
    });
    const smtpPort = await findFreePort();
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));
    listener = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
    listenerUrl = `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}/hook`;
    worker = await startWorker(pino({ level: 'silent' }));
    deploy = await import('./workflow-deploy.server');
    const tenant = await createTenant(db, { slug: uniqueSlug('wf'), name: 'Workflow Co' });
    ctx = { tenantId: tenant.id, tenantSlug: tenant.slug, userId: null, role: 'owner' };
    await deploy.setTenantCredential(ctx, 'smtp', { host: '127.0.0.1', port: smtpPort, secure: false, disableStartTls: true, user: '', password: '' });
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await new Promise((r) => app?.close(r));
    await new Promise((r) => listener?.close(r));
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await n8n?.stop();
  }, 120_000);

  const welcomeGraph = (): FlowGraph =>
    ({
      nodes: [
        { id: 'new', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'has-email', type: 'logic.if', position: { x: 250, y: 0 }, data: { conditions: [{ field: 'email', operator: 'isNotEmpty' }], combinator: 'and' } },
        { id: 'tag', type: 'lead.addTag', position: { x: 500, y: -100 }, data: { tag: 'welcomed' } },
        { id: 'stage', type: 'lead.changeStage', position: { x: 750, y: -100 }, data: { stage: 'working' } },
        { id: 'crm', type: 'integration.http', position: { x: 250, y: 200 }, data: { method: 'POST', url: listenerUrl, body: '{"email":"{{lead.email}}","company":"{{lead.company}}"}' } },
        { id: 'mail', type: 'message.email', position: { x: 250, y: 400 }, data: { from: 'Leadflow <hello@leadflow.test>', to: '{{lead.email}}', subject: 'Welcome {{lead.first_name}}', format: 'text', body: 'Hi {{lead.first_name}}, thanks!' } },
      ],
      edges: [
        { id: 'e1', source: 'new', target: 'has-email' },
        { id: 'e2', source: 'has-email', target: 'tag', sourceHandle: 'true' },
        { id: 'e3', source: 'tag', target: 'stage' },
        { id: 'e4', source: 'new', target: 'crm' },
        { id: 'e5', source: 'new', target: 'mail' },
      ],
      viewport: { x: 0, y: 0, zoom: 1 },
    }) as FlowGraph;

  let workflowId: string;

  it('publishes: compiled, created in n8n under the tenant tag, active, version 1 recorded', async () => {
    const wf = await db.withTenant(ctx.tenantId, (tx) => createWorkflow(tx, ctx.tenantId, { name: 'Welcome', graph: welcomeGraph() }, null));
    workflowId = wf.id;
    const started = performance.now();
    const result = await deploy.publishWorkflow(ctx, wf.id, 'first');
    const publishMs = performance.now() - started;
    expect(result).toMatchObject({ ok: true, version: 1 });
    const saved = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, wf.id));
    expect(saved).toMatchObject({ status: 'published', triggerEvents: ['lead.created'] });
    const remote = await n8n.client.getWorkflow(saved!.n8nWorkflowId!);
    expect(remote.active).toBe(true);
    const tags = await n8n.client.getWorkflowTags(saved!.n8nWorkflowId!);
    expect(tags.map((t) => t.name)).toEqual([`tenant:${ctx.tenantSlug}`]);
    process.stdout.write(`[figures] publish (compile + create + publish): ${publishMs.toFixed(0)} ms\n`);
  });

  it('a created lead flows outbox → worker → n8n → callback: tagged, staged, HTTP and email received', async () => {
    const started = performance.now();
    const lead = await db.withTenant(ctx.tenantId, (tx) =>
      upsertLead(tx, ctx.tenantId, { email: 'ada@welcome.example', firstName: 'Ada', companyName: 'Engines' }, { type: 'api' }),
    );
    const done = await until('the workflow to update the lead', async () => {
      const r = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ tags: string[]; stage: string }>(sql`select tags, stage from leads where id = ${lead.lead.id}`));
      const row = r.rows[0];
      return row.tags.includes('welcomed') && row.stage === 'working' ? row : null;
    });
    process.stdout.write(`[figures] lead event → workflow effect: ${(performance.now() - started).toFixed(0)} ms\n`);
    expect(done).toEqual({ tags: ['welcomed'], stage: 'working' });
    await until('the HTTP request', async () => received.find((r) => (r.body as { email?: string })?.email === 'ada@welcome.example'));
    expect(received.find((r) => (r.body as { email?: string }).email === 'ada@welcome.example')!.body).toEqual({ email: 'ada@welcome.example', company: 'Engines' });
    const mail = await until('the email', async () => mails.find((m) => m.to.includes('ada@welcome.example')));
    expect(mail.data).toMatch(/Subject: Welcome Ada/);
    expect(mail.data).toMatch(/Hi Ada, thanks!/);
    // The history shows who did it.
    const events = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ type: string; actor_type: string }>(sql`select type, actor_type from lead_events where lead_id = ${lead.lead.id} order by occurred_at`));
    expect(events.rows).toEqual(expect.arrayContaining([{ type: 'stage_changed', actor_type: 'workflow' }]));
  });

  it('the lead-event webhook refuses calls without the workflow’s secret, and nothing runs', async () => {
    const wf = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
    // Stored encrypted; n8n holds it in an httpHeaderAuth credential the webhook node requires.
    expect(wf.inboundCredentialId).toBeTruthy();
    expect(wf.inboundSecret).toMatch(/^v1:/);
    const secret = deploy.inboundWebhookHeaders(wf.inboundSecret)[deploy.INBOUND_WEBHOOK_HEADER];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(wf.inboundSecret).not.toContain(secret);
    const remote = await n8n.client.getWorkflow(wf.n8nWorkflowId!);
    const hook = remote.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
    expect(hook.parameters.authentication).toBe('headerAuth');
    expect(hook.credentials?.httpHeaderAuth?.id).toBe(wf.inboundCredentialId);

    const url = n8n.client.webhookUrl(wf.webhookPath!);
    const executions = async () => (await n8n.client.listExecutions({ workflowId: wf.n8nWorkflowId!, limit: 250 })).data.length;
    const before = await executions();
    const victim = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ id: string }>(sql`select id from leads where email = 'ada@welcome.example'`));
    const forged = {
      events: [{ id: crypto.randomUUID(), type: 'lead.created', tenantId: ctx.tenantId, lead: { id: victim.rows[0].id, email: 'forged@intruder.example', first_name: 'Mallory' } }],
    };
    const attempts: Array<Record<string, string>> = [
      {},
      { [deploy.INBOUND_WEBHOOK_HEADER]: 'guess' },
      { [deploy.INBOUND_WEBHOOK_HEADER]: `${secret}x` },
      { [deploy.INBOUND_WEBHOOK_HEADER]: secret.slice(0, -1) },
      { Authorization: `Bearer ${secret}` },
    ];
    for (const headers of attempts) {
      const res = await n8n.client.callWebhook(url, { body: forged, headers, notRegisteredRetryMs: 0 });
      expect(res.status, JSON.stringify(Object.keys(headers))).toBe(403);
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(await executions()).toBe(before);
    expect(received.some((r) => (r.body as { email?: string } | null)?.email === 'forged@intruder.example')).toBe(false);
    expect(mails.some((m) => m.to.includes('forged@intruder.example'))).toBe(false);
  });

  it('a webhook published without a secret (before migration 0013) is given one by the worker task, and a secret can be replaced; the draft stays', async () => {
    const legacyGraph = (tag: string): FlowGraph =>
      ({
        nodes: [
          { id: 'new', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
          { id: 'tag', type: 'lead.addTag', position: { x: 250, y: 0 }, data: { tag } },
        ],
        edges: [{ id: 'e1', source: 'new', target: 'tag' }],
        viewport: { x: 0, y: 0, zoom: 1 },
      }) as FlowGraph;
    const created = await db.withTenant(ctx.tenantId, (tx) => createWorkflow(tx, ctx.tenantId, { name: 'Legacy', graph: legacyGraph('legacy') }, null));
    const workflowId = created.id;
    expect(await deploy.publishWorkflow(ctx, workflowId)).toMatchObject({ ok: true, version: 1 });
    try {
      const before = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
      const published = await db.withTenant(ctx.tenantId, (tx) =>
        tx.execute<{ graph: FlowGraph; compiled: { nodes: Array<Record<string, unknown>> } & Record<string, unknown> }>(
          sql`select graph, compiled from workflow_versions where id = ${before.publishedVersionId}`,
        ),
      );
      // The state an older Leadflow left: the same workflow live in n8n with an open webhook, no
      // credential, no secret in the database.
      const legacy = {
        ...published.rows[0].compiled,
        nodes: published.rows[0].compiled.nodes.map((n) =>
          n.type === 'n8n-nodes-base.webhook' ? { ...n, parameters: { ...(n.parameters as object), authentication: 'none' }, credentials: undefined } : n,
        ),
      };
      await n8n.client.updateWorkflow(before.n8nWorkflowId!, legacy as never);
      await n8n.client.publishWorkflow(before.n8nWorkflowId!);
      await n8n.client.deleteCredential(before.inboundCredentialId!);
      await db.withTenant(ctx.tenantId, (tx) => tx.execute(sql`update workflows set inbound_credential_id = null, inbound_secret = null where id = ${workflowId}`));
      const open = (await n8n.client.getWorkflow(before.n8nWorkflowId!)).nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
      expect(open.parameters.authentication).toBe('none');
      // Unpublished edits in the builder must survive the upgrade.
      const draft = legacyGraph('draft-only');
      await db.withTenant(ctx.tenantId, (tx) => tx.execute(sql`update workflows set graph = ${JSON.stringify(draft)}::jsonb where id = ${workflowId}`));

      const task = (await import('../../worker/tasks/secure_workflow_webhooks')).default;
      const helpers = {
        job: { id: '1', attempts: 1, max_attempts: 10 },
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
      };
      await expect(task({ tenantId: 'not-a-uuid' }, helpers as never)).rejects.toThrow();
      // Only this workspace: other test files' tenants share the database.
      await task({ tenantId: ctx.tenantId }, helpers as never);
      const runs = await db.withTenant(ctx.tenantId, (tx) =>
        tx.execute<{ status: string; summary: { secured: number } }>(sql`select status, summary from job_runs where task = 'secure_workflow_webhooks'`),
      );
      expect(runs.rows).toEqual([{ status: 'succeeded', summary: { secured: 1, needPublishing: [], failed: 0 } }]);

      const after = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
      expect(after.inboundSecret).toMatch(/^v1:/);
      expect(after.inboundCredentialId).toBeTruthy();
      expect(after.graph).toEqual(draft);
      expect(after.status).toBe('published');
      const versions = await db.withTenant(ctx.tenantId, (tx) => listVersions(tx, workflowId));
      expect(versions[0].note).toBe(deploy.UNPROTECTED_WEBHOOK_NOTE);
      const latest = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ graph: FlowGraph }>(sql`select graph from workflow_versions where id = ${after.publishedVersionId}`));
      expect(latest.rows[0].graph).toEqual(published.rows[0].graph);
      const hook = (await n8n.client.getWorkflow(after.n8nWorkflowId!)).nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
      expect(hook.parameters.authentication).toBe('headerAuth');
      expect(hook.credentials?.httpHeaderAuth?.id).toBe(after.inboundCredentialId);
      const res = await n8n.client.callWebhook(n8n.client.webhookUrl(after.webhookPath!), { body: { events: [] }, notRegisteredRetryMs: 0 });
      expect(res.status).toBe(403);
      // Nothing left to secure: a second run changes nothing.
      expect(await deploy.secureUnprotectedWebhooks(ctx.tenantId)).toEqual({ secured: [], invalid: [], failed: [] });
      expect(versions.map((v) => v.version)).toEqual([2, 1]);
      expect((await db.withTenant(ctx.tenantId, (tx) => listVersions(tx, workflowId))).length).toBe(2);

      // Replacing the secret (e.g. after a leak): the old one is refused, the new one accepted.
      const oldSecret = deploy.inboundWebhookHeaders(after.inboundSecret)[deploy.INBOUND_WEBHOOK_HEADER];
      expect(await deploy.rotateWebhookSecret(ctx, workflowId)).toMatchObject({ ok: true, version: 3 });
      const rotated = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
      const newSecret = deploy.inboundWebhookHeaders(rotated.inboundSecret)[deploy.INBOUND_WEBHOOK_HEADER];
      expect(newSecret).not.toBe(oldSecret);
      expect(rotated.inboundCredentialId).not.toBe(after.inboundCredentialId);
      expect(rotated.graph).toEqual(draft);
      expect((await db.withTenant(ctx.tenantId, (tx) => listVersions(tx, workflowId)))[0].note).toBe(deploy.ROTATED_SECRET_NOTE);
      const url = n8n.client.webhookUrl(rotated.webhookPath!);
      const call = (secret: string) =>
        n8n.client.callWebhook(url, { body: { events: [] }, headers: { [deploy.INBOUND_WEBHOOK_HEADER]: secret }, notRegisteredRetryMs: 0 });
      expect((await call(oldSecret)).status).toBe(403);
      expect((await call(newSecret)).status).toBe(200);
      expect(await n8n.client.deleteCredential(after.inboundCredentialId!)).toBe(false); // already deleted
      await deploy.archiveWorkflow(ctx, workflowId);
      await expect(deploy.rotateWebhookSecret(ctx, workflowId)).rejects.toThrow(/published workflow started by lead events/);
    } finally {
      // Never leave it live for the tests after this one (it would receive their lead events).
      await deploy.archiveWorkflow(ctx, workflowId).catch(() => undefined);
    }
  });

  it('a legacy workflow whose published graph no longer deploys is reported in the tenant’s jobs, not retried', async () => {
    const other = await createTenant(db, { slug: uniqueSlug('wfl'), name: 'Legacy Co' });
    const graph = {
      nodes: [
        { id: 'new', type: 'trigger.leadCreated', position: { x: 0, y: 0 }, data: {} },
        { id: 'tell', type: 'message.slack', position: { x: 250, y: 0 }, data: { channel: '#sales', text: 'New lead {{lead.email}}' } },
      ],
      edges: [{ id: 'e1', source: 'new', target: 'tell' }],
      viewport: { x: 0, y: 0, zoom: 1 },
    } as FlowGraph;
    const wf = await db.withTenant(other.id, (tx) => createWorkflow(tx, other.id, { name: 'Tell sales', graph }, null));
    await db.withTenant(other.id, async (tx) => {
      // Published long ago with a Slack connection this workspace no longer has.
      const v = await createVersion(tx, other.id, wf.id, { graph, compiled: {}, note: 'old' }, null);
      await tx.execute(sql`update workflows set status = 'published', published_version_id = ${v.id}, trigger_events = '{lead.created}' where id = ${wf.id}`);
    });
    const task = (await import('../../worker/tasks/secure_workflow_webhooks')).default;
    const helpers = { job: { id: '2', attempts: 1, max_attempts: 10 }, logger: { info: () => undefined, warn: () => undefined } };
    await task({ tenantId: other.id }, helpers as never); // resolves: retrying cannot fix it
    const runs = await db.withTenant(other.id, (tx) =>
      tx.execute<{ status: string; error: string; summary: { needPublishing: string[] } }>(
        sql`select status, error, summary from job_runs where task = 'secure_workflow_webhooks'`,
      ),
    );
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0]).toMatchObject({ status: 'failed', summary: { secured: 0, needPublishing: [wf.id], failed: 0 } });
    expect(runs.rows[0].error).toMatch(/"Tell sales": .*Slack/);
    expect((await db.withTenant(other.id, (tx) => getWorkflow(tx, wf.id)))!.inboundSecret).toBeNull();
  });

  it('delivers many events in few executions, each event once', async () => {
    const before = (await n8n.client.listExecutions({ workflowId: (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!.n8nWorkflowId!, limit: 250 })).data.length;
    const emails = Array.from({ length: 300 }, (_, i) => `bulk${i}@batch.example`);
    await db.withTenant(ctx.tenantId, (tx) =>
      tx.execute(sql`insert into leads (tenant_id, id, email) select ${ctx.tenantId}::uuid, gen_random_uuid(), e from jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb) as t(e)`),
    );
    await until(
      'all 300 leads to be tagged',
      async () => {
        const r = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from leads where email like 'bulk%@batch.example' and 'welcomed' = any(tags)`));
        return r.rows[0].n === 300;
      },
      90_000,
    );
    const deliveries = await db.withTenant(ctx.tenantId, (tx) =>
      tx.execute<{ n: number; distinct_events: number }>(sql`select count(*)::int as n, count(distinct event_id)::int as distinct_events from workflow_deliveries where workflow_id = ${workflowId}`),
    );
    expect(deliveries.rows[0].n).toBe(deliveries.rows[0].distinct_events);
    expect(deliveries.rows[0].n).toBeGreaterThanOrEqual(301);
    const wf = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId));
    const after = (await n8n.client.listExecutions({ workflowId: wf!.n8nWorkflowId!, limit: 250 })).data.length;
    // One statement's 300 events: a handful of executions, not 300.
    expect(after - before).toBeLessThanOrEqual(5);
    // The email branch runs beside the lead actions: every lead gets exactly one email.
    await until('300 emails', async () => mails.filter((m) => m.to[0].endsWith('@batch.example')).length >= 300, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(new Set(mails.filter((m) => m.to[0].endsWith('@batch.example')).map((m) => m.to[0])).size).toBe(300);
    expect(mails.filter((m) => m.to[0].endsWith('@batch.example'))).toHaveLength(300);
  }, 120_000);

  it('test run shows each node’s input and output from n8n; executions are listed', async () => {
    const lead = await db.withTenant(ctx.tenantId, (tx) => upsertLead(tx, ctx.tenantId, { email: 'test-run@example.com', firstName: 'Tess' }, { type: 'api' }));
    const run = await deploy.testRunWorkflow(ctx, workflowId, lead.lead.id);
    expect(run.status, JSON.stringify(run.nodes.filter((n) => n.error))).toBe('success');
    // The test run authenticated itself, and the secret does not show in the node data.
    const wf = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
    expect(JSON.stringify(run)).not.toContain(deploy.inboundWebhookHeaders(wf.inboundSecret)[deploy.INBOUND_WEBHOOK_HEADER]);
    const ifNode = run.nodes.find((n) => n.nodeId === 'has-email' && n.output.length === 2);
    expect(ifNode, JSON.stringify(run.nodes.map((n) => [n.nodeId, n.name]))).toBeDefined();
    expect((ifNode!.output[0][0] as { lead: { email: string } }).lead.email).toBe('test-run@example.com');
    expect(ifNode!.input.length).toBeGreaterThan(0);
    const executions = await deploy.listExecutions(ctx, workflowId, 5);
    expect(executions.length).toBeGreaterThan(0);
    expect(executions[0]).toMatchObject({ status: expect.any(String), startedAt: expect.any(String) });
  });

  it('versions are immutable; rollback publishes an old graph as a new version', async () => {
    const changed = welcomeGraph();
    (changed.nodes.find((n) => n.id === 'tag')!.data as { tag: string }).tag = 'welcomed-v2';
    await db.withTenant(ctx.tenantId, (tx) => tx.execute(sql`update workflows set graph = ${JSON.stringify(changed)}::jsonb where id = ${workflowId}`));
    const inboundBefore = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!.inboundCredentialId;
    expect(await deploy.publishWorkflow(ctx, workflowId)).toMatchObject({ ok: true, version: 2 });
    // Republishing keeps the webhook's credential (and secret): deliveries in flight stay valid.
    expect((await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!.inboundCredentialId).toBe(inboundBefore);
    const versions = await db.withTenant(ctx.tenantId, (tx) => listVersions(tx, workflowId));
    const v1 = versions.find((v) => v.version === 1)!;
    expect(await deploy.rollbackWorkflow(ctx, workflowId, v1.id)).toMatchObject({ ok: true, version: 3 });
    const wf = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId));
    expect(JSON.stringify(wf!.graph)).toContain('"welcomed"');
    const err = await db.withTenant(ctx.tenantId, (tx) => tx.execute(sql`update workflow_versions set note = 'x'`)).catch((e: { cause?: { message: string } }) => e.cause?.message);
    expect(err).toMatch(/permission denied/);
  });

  it('refuses to publish an invalid graph, naming the node, and changes nothing', async () => {
    const bad = welcomeGraph();
    (bad.nodes.find((n) => n.id === 'mail')!.data as Record<string, unknown>).subject = '';
    const wf = await db.withTenant(ctx.tenantId, (tx) => createWorkflow(tx, ctx.tenantId, { name: 'Broken', graph: bad }, null));
    const result = await deploy.publishWorkflow(ctx, wf.id);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual(expect.objectContaining({ nodeId: 'mail' }));
    const after = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, wf.id));
    expect(after).toMatchObject({ status: 'draft', n8nWorkflowId: null });
  });

  it('after unpublish no events are delivered and the webhook credential is gone; archive removes it from n8n', async () => {
    const published = (await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId)))!;
    expect(published.inboundCredentialId).toBeTruthy();
    await deploy.unpublishWorkflow(ctx, workflowId);
    const wf = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, workflowId));
    expect(wf).toMatchObject({ status: 'unpublished', inboundCredentialId: null, inboundSecret: null });
    expect(await n8n.client.deleteCredential(published.inboundCredentialId!)).toBe(false); // already deleted
    const count = async () => (await n8n.client.listExecutions({ workflowId: wf!.n8nWorkflowId!, limit: 250 })).data.length;
    const before = await count();
    await db.withTenant(ctx.tenantId, (tx) => upsertLead(tx, ctx.tenantId, { email: 'after-unpublish@example.com' }, { type: 'api' }));
    await new Promise((r) => setTimeout(r, 2500));
    expect(await count()).toBe(before);
    const outbox = await db.withTenant(ctx.tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from lead_outbox where payload->'lead'->>'email' = 'after-unpublish@example.com'`));
    expect(outbox.rows[0].n).toBe(0);
    await deploy.archiveWorkflow(ctx, workflowId);
    await expect(n8n.client.getWorkflow(wf!.n8nWorkflowId!)).rejects.toMatchObject({ status: 404 });
  });

  it('every template imports and activates in n8n (SaaS nodes with placeholder credentials)', async () => {
    await deploy.setTenantCredential(ctx, 'slackApi', { accessToken: 'xoxb-test', notice: '' });
    await deploy.setTenantCredential(ctx, 'hubspotAppToken', { appToken: 'pat-test' });
    await deploy.setTenantCredential(ctx, 'twilioApi', { authType: 'authToken', accountSid: 'AC123', authToken: 'x', apiKeySid: '', apiKeySecret: '' });
    const templates = listTemplates();
    expect(templates.length).toBeGreaterThanOrEqual(4);
    for (const t of templates) {
      const wf = await db.withTenant(ctx.tenantId, (tx) => createWorkflow(tx, ctx.tenantId, { name: t.name, graph: t.graph, templateId: t.id }, null));
      const result = await deploy.publishWorkflow(ctx, wf.id);
      expect(result, t.id).toMatchObject({ ok: true });
      const saved = await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, wf.id));
      const remote = await n8n.client.getWorkflow(saved!.n8nWorkflowId!);
      expect(remote.active, t.id).toBe(true);
      // Lead-event triggers are guarded by the workflow's own credential; other triggers get none.
      const leadTriggered = saved!.triggerEvents.length > 0;
      expect(Boolean(saved!.inboundCredentialId), t.id).toBe(leadTriggered);
      if (leadTriggered) {
        const hook = remote.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
        expect(hook.credentials?.httpHeaderAuth?.id, t.id).toBe(saved!.inboundCredentialId);
      }
      await deploy.archiveWorkflow(ctx, wf.id);
      if (leadTriggered) expect(await n8n.client.deleteCredential(saved!.inboundCredentialId!), t.id).toBe(false);
      expect(await db.withTenant(ctx.tenantId, (tx) => getWorkflow(tx, wf.id)), t.id).toMatchObject({ status: 'archived', inboundCredentialId: null, inboundSecret: null });
    }
  }, 180_000);

  it('another tenant cannot see or deploy this tenant’s workflows', async () => {
    const other = await createTenant(db, { slug: uniqueSlug('wf-b'), name: 'Other' });
    const otherCtx: DeployContext = { tenantId: other.id, tenantSlug: other.slug, userId: null, role: 'owner' };
    expect(await db.withTenant(other.id, (tx) => getWorkflow(tx, workflowId))).toBeNull();
    await expect(deploy.publishWorkflow(otherCtx, workflowId)).rejects.toThrow(/not found/i);
    expect(fs.existsSync('build/index.js')).toBe(true);
  });
});
