/**
 * The workflow pages, driven through their loaders and actions like a browser would (session
 * cookie, CSRF token), against real PostgreSQL as the application role (RLS on). Deployment to
 * n8n is faked at its module boundary (app/lib/workflow-deploy.server.ts): these tests are about
 * the routes — roles, tenancy, validation, what goes in and what comes back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowGraph } from '@leadflow/workflow-compiler';
import { eq } from 'drizzle-orm';
import { schema } from '../../db';
import type { Role } from '../../db/schema';
import { appDatabase, CookieJar, formRequest, getRequest, newBrowser, settle, uniqueSlug } from '../../test/helpers';
import { createLead } from '../models/lead.server';
import { addMembership } from '../models/tenant.server';
import { createUser } from '../models/user.server';
import { createVersion } from '../models/workflow.server';
import { action as loginAction } from './login';
import { action as signupAction } from './signup';
import { loader as shellLoader } from './_app';
import { action as listAction, loader as listLoader } from './_app.workflows._index';
import { action as builderAction, loader as builderLoader, shouldRevalidate } from './_app.workflows.$workflowId';
import { loader as versionLoader } from './_app.workflows.$workflowId.versions.$versionId';
import { loader as executionsLoader } from './_app.workflows.$workflowId.executions';
import { loader as leadSearchLoader } from './_app.workflows.$workflowId.leads';

const deploy = vi.hoisted(() => ({
  publishWorkflow: vi.fn(),
  unpublishWorkflow: vi.fn(),
  archiveWorkflow: vi.fn(),
  rollbackWorkflow: vi.fn(),
  rotateWebhookSecret: vi.fn(),
  testRunWorkflow: vi.fn(),
  listExecutions: vi.fn(),
  tenantCredentialKinds: vi.fn(),
}));
vi.mock('../lib/workflow-deploy.server', () => deploy);

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

interface Browser {
  jar: CookieJar;
  csrf: string;
  userId: string;
  tenantId: string;
  slug: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
async function body<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function signUp(): Promise<{ owner: Browser; as(role: Role): Promise<Browser> }> {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('wf');
  const res = await settle(() =>
    signupAction(
      args(
        formRequest('/signup', jar, {
          csrf,
          name: 'Wanda Owner',
          email: `${slug}@example.com`,
          password: 'correct horse battery',
          tenantName: 'Flows Inc',
          slug,
        }),
      ),
    ),
  );
  expect(res.status).toBe(302);
  jar.absorb(res);
  const shell = await body<{ user: { id: string }; tenant: { id: string } }>(
    await settle(() => shellLoader(args(getRequest('/workflows', jar)))),
  );
  const tenantId = shell.tenant.id;
  return {
    owner: { jar, csrf, userId: shell.user.id, tenantId, slug },
    async as(role: Role) {
      const email = `${role}-${uniqueSlug('u')}@example.com`;
      const user = await appDatabase().withTenant(tenantId, async (tx) => {
        const u = await createUser(tx, { email, name: `A ${role}`, password: 'member password 1' });
        await addMembership(tx, tenantId, u.id, role);
        return u;
      });
      const b = await newBrowser();
      const login = await settle(() =>
        loginAction(
          args(formRequest('/login', b.jar, { csrf: b.csrf, email, password: 'member password 1', redirectTo: '/workflows' })),
        ),
      );
      expect(login.status).toBe(302);
      b.jar.absorb(login);
      return { jar: b.jar, csrf: b.csrf, userId: user.id, tenantId, slug };
    },
  };
}

function template(id: string): { name: string; graph: FlowGraph } {
  return JSON.parse(fs.readFileSync(path.resolve('workflows', `${id}.json`), 'utf8')) as { name: string; graph: FlowGraph };
}

async function createFromTemplate(b: Browser, templateId = 'new-lead-routing'): Promise<string> {
  const res = await settle(() =>
    listAction(args(formRequest('/workflows', b.jar, { csrf: b.csrf, intent: 'fromTemplate', templateId }))),
  );
  expect(res.status).toBe(302);
  const location = res.headers.get('Location')!;
  expect(location).toMatch(/^\/workflows\/[0-9a-f-]{36}$/);
  return location.split('/').pop()!;
}

function builder(b: Browser, id: string, fields: Record<string, string>) {
  return settle(() =>
    builderAction(args(formRequest(`/workflows/${id}`, b.jar, { csrf: b.csrf, ...fields }), { workflowId: id })),
  );
}

function load(b: Browser, id: string) {
  return settle(() => builderLoader(args(getRequest(`/workflows/${id}`, b.jar), { workflowId: id })));
}

const codeStep = { id: 'code-1', type: 'integration.code', position: { x: 900, y: 0 }, data: { code: 'return $input.all();' } };

beforeEach(() => {
  for (const fn of Object.values(deploy)) fn.mockReset();
  deploy.tenantCredentialKinds.mockResolvedValue({});
});

async function setStatus(b: Browser, id: string, status: 'published' | 'archived') {
  await appDatabase().withTenant(b.tenantId, (tx) =>
    tx.update(schema.workflows).set({ status }).where(eq(schema.workflows.id, id)),
  );
}

describe('workflow list and templates', () => {
  it('lists templates, creates a workflow from one and a blank one, and lists both', async () => {
    const { owner } = await signUp();
    const before = await body(await settle(() => listLoader(args(getRequest('/workflows', owner.jar)))));
    expect(before.canCreate).toBe(true);
    expect(before.workflows).toEqual([]);
    expect(before.templates.map((t: { id: string }) => t.id)).toEqual([
      'cold-lead-nurture',
      'new-lead-routing',
      'sql-to-hubspot',
      'weekly-digest',
    ]);

    const id = await createFromTemplate(owner);
    const page = await body(await load(owner, id));
    expect(page.workflow).toMatchObject({ id, name: template('new-lead-routing').name, status: 'draft', publishedAt: null });
    expect(page.graph).toEqual(template('new-lead-routing').graph);
    expect(page.canEdit).toBe(true);
    expect(page.isAdmin).toBe(true);
    expect(page.versions).toEqual([]);
    // The catalogue for the palette: every kind, with what it needs.
    expect(page.palette.find((p: { kind: string }) => p.kind === 'message.slack')).toMatchObject({
      category: 'message',
      missingCredential: 'slackApi',
    });
    expect(page.palette.find((p: { kind: string }) => p.kind === 'integration.code')).toMatchObject({ adminOnly: true });
    expect(page.credentialKinds).toEqual([]);
    deploy.tenantCredentialKinds.mockResolvedValueOnce({ slackApi: { id: 'n8n-cred-7', name: 'acme · slackApi' } });
    const withSlack = await body(await load(owner, id));
    expect(withSlack.credentialKinds).toEqual(['slackApi']);
    expect(withSlack.palette.find((p: { kind: string }) => p.kind === 'message.slack').missingCredential).toBeNull();
    expect(JSON.stringify(withSlack)).not.toContain('n8n-cred-7');

    const blank = await settle(() =>
      listAction(args(formRequest('/workflows', owner.jar, { csrf: owner.csrf, intent: 'create', name: 'From scratch' }))),
    );
    expect(blank.status).toBe(302);
    const list = await body(await settle(() => listLoader(args(getRequest('/workflows', owner.jar)))));
    expect(list.workflows.map((w: { name: string; status: string }) => [w.name, w.status]).sort()).toEqual([
      ['From scratch', 'draft'],
      ['Route new leads by score', 'draft'],
    ]);
  });

  it('refuses an unknown template and a blank name with 400', async () => {
    const { owner } = await signUp();
    const bad = await settle(() =>
      listAction(args(formRequest('/workflows', owner.jar, { csrf: owner.csrf, intent: 'fromTemplate', templateId: 'nope' }))),
    );
    expect(bad.status).toBe(400);
    expect((await body(bad)).message).toMatch(/template does not exist/);
    const blank = await settle(() =>
      listAction(args(formRequest('/workflows', owner.jar, { csrf: owner.csrf, intent: 'create', name: '  ' }))),
    );
    expect(blank.status).toBe(400);
    expect((await body(blank)).message).toBe('Give the workflow a name');
  });
});

describe('the builder route', () => {
  it('autosave persists the graph and the name', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    const graph = template('new-lead-routing').graph;
    graph.nodes.push({ id: 'tag-x', type: 'lead.addTag', position: { x: 800, y: 120 }, data: { tag: 'vip' } });
    graph.edges.push({ id: 'e-x', source: 'assign', target: 'tag-x' });
    graph.viewport = { x: 10, y: 20, zoom: 0.8 };
    const res = await builder(owner, id, { intent: 'save', graph: JSON.stringify(graph), name: 'Routing v2' });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ intent: 'save', ok: true });
    const page = await body(await load(owner, id));
    expect(page.workflow.name).toBe('Routing v2');
    expect(page.graph).toEqual(graph);
    // Autosave does not reload the page's data; publishing does.
    const saveForm = new FormData();
    saveForm.set('intent', 'save');
    const publishForm = new FormData();
    publishForm.set('intent', 'publish');
    const base = {
      currentUrl: new URL('http://x/'),
      currentParams: {},
      nextUrl: new URL('http://x/'),
      nextParams: {},
      defaultShouldRevalidate: true,
      formMethod: 'POST' as const,
    };
    expect(shouldRevalidate({ ...base, formData: saveForm })).toBe(false);
    expect(shouldRevalidate({ ...base, formData: publishForm })).toBe(true);
  });

  it('answers a bad graph with 400 and a message, and keeps the saved draft', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    const notJson = await builder(owner, id, { intent: 'save', graph: '{"nodes": [' });
    expect(notJson.status).toBe(400);
    expect(await body(notJson)).toEqual({ intent: 'save', ok: false, message: 'The graph is not valid JSON.' });
    const wrongShape = await builder(owner, id, {
      intent: 'save',
      graph: JSON.stringify({ nodes: [{ id: 'a', type: 'lead.addTag', data: {} }], edges: [] }),
    });
    expect(wrongShape.status).toBe(400);
    expect((await body(wrongShape)).message).toMatch(/^The graph has the wrong shape at nodes\.0\.position/);
    const missing = await builder(owner, id, { intent: 'save' });
    expect(missing.status).toBe(400);
    expect((await body(missing)).message).toBe('The graph is missing.');
    const page = await body(await load(owner, id));
    expect(page.graph).toEqual(template('new-lead-routing').graph);
  });

  it('rejects a form without the CSRF token', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    const res = await settle(() =>
      builderAction(
        args(formRequest(`/workflows/${id}`, owner.jar, { intent: 'save', graph: '{"nodes":[],"edges":[]}' }), {
          workflowId: id,
        }),
      ),
    );
    expect(res.status).toBe(403);
  });

  it('lets a viewer read but not create, save or publish (403)', async () => {
    const ws = await signUp();
    const id = await createFromTemplate(ws.owner);
    const viewer = await ws.as('viewer');
    const page = await load(viewer, id);
    expect(page.status).toBe(200);
    expect(await body(page)).toMatchObject({ canEdit: false, isAdmin: false });
    expect((await body(await settle(() => listLoader(args(getRequest('/workflows', viewer.jar)))))).canCreate).toBe(false);

    const create = await settle(() =>
      listAction(
        args(formRequest('/workflows', viewer.jar, { csrf: viewer.csrf, intent: 'fromTemplate', templateId: 'weekly-digest' })),
      ),
    );
    expect(create.status).toBe(403);
    const save = await builder(viewer, id, { intent: 'save', graph: JSON.stringify({ nodes: [], edges: [] }) });
    expect(save.status).toBe(403);
    const publish = await builder(viewer, id, { intent: 'publish' });
    expect(publish.status).toBe(403);
    expect(deploy.publishWorkflow).not.toHaveBeenCalled();
    // A rep works leads but does not build workflows either.
    const rep = await ws.as('rep');
    expect((await builder(rep, id, { intent: 'save', graph: JSON.stringify({ nodes: [], edges: [] }) })).status).toBe(403);
    expect((await body(await load(ws.owner, id))).graph).toEqual(template('new-lead-routing').graph);
  });

  it('gives a user of another workspace 404 for the workflow, its versions and its actions', async () => {
    const alice = await signUp();
    const bob = await signUp();
    const id = await createFromTemplate(alice.owner);
    const version = await appDatabase().withTenant(alice.owner.tenantId, (tx) =>
      createVersion(
        tx,
        alice.owner.tenantId,
        id,
        { graph: template('new-lead-routing').graph, compiled: {} },
        alice.owner.userId,
      ),
    );
    expect((await load(bob.owner, id)).status).toBe(404);
    expect((await builder(bob.owner, id, { intent: 'save', graph: JSON.stringify({ nodes: [], edges: [] }) })).status).toBe(404);
    expect((await builder(bob.owner, id, { intent: 'publish' })).status).toBe(404);
    const v = await settle(() =>
      versionLoader(
        args(getRequest(`/workflows/${id}/versions/${version.id}`, bob.owner.jar), { workflowId: id, versionId: version.id }),
      ),
    );
    expect(v.status).toBe(404);
    const runs = await settle(() =>
      executionsLoader(args(getRequest(`/workflows/${id}/executions`, bob.owner.jar), { workflowId: id })),
    );
    expect(runs.status).toBe(404);
    expect((await load(bob.owner, 'not-a-uuid')).status).toBe(404);
    expect(deploy.publishWorkflow).not.toHaveBeenCalled();
    expect(deploy.listExecutions).not.toHaveBeenCalled();
    // Alice's draft is untouched.
    expect((await body(await load(alice.owner, id))).graph).toEqual(template('new-lead-routing').graph);
  });

  it('lists versions and serves one with the version before it', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    const g1 = template('new-lead-routing').graph;
    const g2: FlowGraph = JSON.parse(JSON.stringify(g1));
    g2.nodes[0].data.label = 'Brand new lead';
    const [v1, v2] = await appDatabase().withTenant(owner.tenantId, async (tx) => [
      await createVersion(tx, owner.tenantId, id, { graph: g1, compiled: { name: 'one' }, note: 'first' }, owner.userId),
      await createVersion(tx, owner.tenantId, id, { graph: g2, compiled: { name: 'two' } }, owner.userId),
    ]);
    const page = await body(await load(owner, id));
    expect(page.versions.map((v: { id: string; version: number; note: string }) => [v.id, v.version, v.note])).toEqual([
      [v2.id, 2, ''],
      [v1.id, 1, 'first'],
    ]);
    const second = await body(
      await settle(() =>
        versionLoader(args(getRequest(`/workflows/${id}/versions/${v2.id}`, owner.jar), { workflowId: id, versionId: v2.id })),
      ),
    );
    expect(second.version).toMatchObject({ id: v2.id, version: 2, graph: g2, compiled: { name: 'two' } });
    expect(second.previous).toMatchObject({ id: v1.id, version: 1, graph: g1 });
    const first = await body(
      await settle(() =>
        versionLoader(args(getRequest(`/workflows/${id}/versions/${v1.id}`, owner.jar), { workflowId: id, versionId: v1.id })),
      ),
    );
    expect(first.previous).toBeNull();
  });
});

describe('publishing, rollback and test runs call the deployment module', () => {
  it('publishes with the tenant context, saving an unsaved draft first; compile errors come back for the canvas', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    deploy.publishWorkflow.mockResolvedValueOnce({
      ok: false,
      errors: [{ nodeId: 'notify', message: 'Tell sales: no Slack connection is set up for this workspace' }],
    });
    const graph = template('new-lead-routing').graph;
    graph.nodes[0].data.label = 'Edited before publishing';
    const failed = await builder(owner, id, { intent: 'publish', graph: JSON.stringify(graph) });
    expect(failed.status).toBe(422);
    expect(await body(failed)).toMatchObject({ intent: 'publish', ok: false, errors: [{ nodeId: 'notify' }] });
    expect(deploy.publishWorkflow).toHaveBeenCalledWith(
      { tenantId: owner.tenantId, tenantSlug: owner.slug, userId: owner.userId, role: 'owner' },
      id,
      undefined,
    );
    expect((await body(await load(owner, id))).graph).toEqual(graph);

    deploy.publishWorkflow.mockResolvedValueOnce({ ok: true, versionId: '00000000-0000-4000-8000-000000000001', version: 1 });
    const ok = await builder(owner, id, { intent: 'publish', note: 'go live' });
    expect(ok.status).toBe(200);
    expect(await body(ok)).toEqual({
      intent: 'publish',
      ok: true,
      versionId: '00000000-0000-4000-8000-000000000001',
      version: 1,
    });
    expect(deploy.publishWorkflow).toHaveBeenLastCalledWith(expect.objectContaining({ tenantId: owner.tenantId }), id, 'go live');
  });

  it('turns a deployment failure into a 502 with a sentence, not a crash', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    deploy.unpublishWorkflow.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5678'));
    const res = await builder(owner, id, { intent: 'unpublish' });
    expect(res.status).toBe(502);
    expect((await body(res)).message).toBe(
      'Unpublishing did not work (connect ECONNREFUSED 127.0.0.1:5678). Try again in a moment.',
    );
    deploy.archiveWorkflow.mockResolvedValueOnce(undefined);
    expect(await body(await builder(owner, id, { intent: 'archive' }))).toEqual({ intent: 'archive', ok: true });
    expect(deploy.archiveWorkflow).toHaveBeenCalledWith(expect.objectContaining({ role: 'owner' }), id);
    expect((await builder(owner, id, { intent: 'explode' })).status).toBe(400);
    // Archived: saving the draft still works, deploying does not even reach the module.
    await setStatus(owner, id, 'archived');
    const again = await builder(owner, id, { intent: 'publish' });
    expect(again.status).toBe(409);
    expect((await body(again)).message).toMatch(/archived/);
    expect(deploy.publishWorkflow).not.toHaveBeenCalled();
    expect((await builder(owner, id, { intent: 'save', graph: JSON.stringify({ nodes: [], edges: [] }) })).status).toBe(200);
  });

  it('rolls back to a version of this workflow and returns the new draft', async () => {
    const { owner } = await signUp();
    const id = await createFromTemplate(owner);
    const old = template('new-lead-routing').graph;
    old.nodes[0].data.label = 'The old trigger';
    const version = await appDatabase().withTenant(owner.tenantId, (tx) =>
      createVersion(tx, owner.tenantId, id, { graph: old, compiled: {} }, owner.userId),
    );
    deploy.rollbackWorkflow.mockResolvedValueOnce({ ok: true, versionId: 'v-new', version: 2 });
    const res = await builder(owner, id, { intent: 'rollback', versionId: version.id });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ intent: 'rollback', ok: true, version: 2 });
    expect(deploy.rollbackWorkflow).toHaveBeenCalledWith(expect.objectContaining({ tenantId: owner.tenantId }), id, version.id);
    const missing = await builder(owner, id, { intent: 'rollback', versionId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(deploy.rollbackWorkflow).toHaveBeenCalledTimes(1);
  });

  it('replaces the webhook secret of a published lead-triggered workflow only; code steps need an admin', async () => {
    const { owner, as } = await signUp();
    const id = await createFromTemplate(owner);
    // Not published yet: nothing to replace.
    const early = await builder(owner, id, { intent: 'rotateSecret' });
    expect(early.status).toBe(409);
    expect(await body(early)).toMatchObject({ intent: 'rotateSecret', ok: false, message: expect.stringMatching(/published workflow started by lead events/) });
    const graph = template('new-lead-routing').graph;
    const version = await appDatabase().withTenant(owner.tenantId, (tx) =>
      createVersion(tx, owner.tenantId, id, { graph, compiled: {} }, owner.userId),
    );
    await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.update(schema.workflows).set({ status: 'published', publishedVersionId: version.id, triggerEvents: ['lead.created'] }).where(eq(schema.workflows.id, id)),
    );
    expect((await body(await load(owner, id))).workflow).toMatchObject({ status: 'published', leadEventTrigger: true });
    deploy.rotateWebhookSecret.mockResolvedValueOnce({ ok: true, versionId: 'v-new', version: 2 });
    const manager = await as('manager');
    const res = await builder(manager, id, { intent: 'rotateSecret' });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ intent: 'rotateSecret', ok: true, version: 2 });
    expect(deploy.rotateWebhookSecret).toHaveBeenCalledWith(expect.objectContaining({ tenantId: owner.tenantId, role: 'manager' }), id);
    // A viewer may not; a failure in n8n is a sentence, not a crash.
    expect((await builder(await as('viewer'), id, { intent: 'rotateSecret' })).status).toBe(403);
    deploy.rotateWebhookSecret.mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    const down = await builder(owner, id, { intent: 'rotateSecret' });
    expect(down.status).toBe(502);
    expect(await body(down)).toMatchObject({ ok: false, message: expect.stringMatching(/^Replacing the webhook secret did not work/) });
    // Redeploying a code step is for admins, as publishing is.
    const withCode = { ...graph, nodes: [...graph.nodes, codeStep] } as FlowGraph;
    const coded = await appDatabase().withTenant(owner.tenantId, (tx) =>
      createVersion(tx, owner.tenantId, id, { graph: withCode, compiled: {} }, owner.userId),
    );
    await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.update(schema.workflows).set({ publishedVersionId: coded.id }).where(eq(schema.workflows.id, id)),
    );
    expect((await builder(manager, id, { intent: 'rotateSecret' })).status).toBe(403);
    expect(deploy.rotateWebhookSecret).toHaveBeenCalledTimes(2);
  });

  it('test-runs with a lead of this workspace only, and searches leads to pick from', async () => {
    const alice = await signUp();
    const bob = await signUp();
    const id = await createFromTemplate(alice.owner);
    const [mine, theirs] = await Promise.all([
      appDatabase().withTenant(alice.owner.tenantId, (tx) =>
        createLead(tx, alice.owner.tenantId, { email: 'ada@analytical.example', firstName: 'Ada', lastName: 'Lovelace' }),
      ),
      appDatabase().withTenant(bob.owner.tenantId, (tx) => createLead(tx, bob.owner.tenantId, { email: 'secret@bob.example' })),
    ]);
    const found = await body(
      await settle(() => leadSearchLoader(args(getRequest(`/workflows/${id}/leads?q=ada`, alice.owner.jar), { workflowId: id }))),
    );
    expect(found.leads).toEqual([{ id: mine.id, name: 'Ada Lovelace', email: 'ada@analytical.example', company: null }]);

    const unpublished = await builder(alice.owner, id, { intent: 'testRun', leadId: mine.id });
    expect(unpublished.status).toBe(409);
    expect((await body(unpublished)).message).toMatch(/Publish the workflow first/);
    await setStatus(alice.owner, id, 'published');
    const foreign = await builder(alice.owner, id, { intent: 'testRun', leadId: theirs.id });
    expect(foreign.status).toBe(400);
    expect(deploy.testRunWorkflow).not.toHaveBeenCalled();

    const run = {
      executionId: '42',
      status: 'success',
      nodes: [{ nodeId: 'trigger', name: 'New lead', input: [], output: [[{ json: { lead: { id: mine.id } } }]] }],
    };
    deploy.testRunWorkflow.mockResolvedValueOnce(run);
    const res = await builder(alice.owner, id, { intent: 'testRun', leadId: mine.id });
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ intent: 'testRun', ok: true, run });
    expect(deploy.testRunWorkflow).toHaveBeenCalledWith(expect.objectContaining({ tenantId: alice.owner.tenantId }), id, mine.id);

    deploy.listExecutions.mockResolvedValueOnce([
      {
        id: '42',
        status: 'success',
        startedAt: '2026-01-01T00:00:00.000Z',
        stoppedAt: '2026-01-01T00:00:01.000Z',
        mode: 'manual',
      },
    ]);
    const runs = await body(
      await settle(() => executionsLoader(args(getRequest(`/workflows/${id}/executions`, alice.owner.jar), { workflowId: id }))),
    );
    expect(runs).toMatchObject({ ok: true, executions: [{ id: '42', status: 'success' }] });
    deploy.listExecutions.mockRejectedValueOnce(new Error('n8n is down'));
    const down = await settle(() =>
      executionsLoader(args(getRequest(`/workflows/${id}/executions`, alice.owner.jar), { workflowId: id })),
    );
    expect(down.status).toBe(502);
    expect((await body(down)).ok).toBe(false);
  });
});

describe('code steps are for administrators', () => {
  it('a manager can edit a workflow but not add or change a code step, nor publish one', async () => {
    const ws = await signUp();
    const manager = await ws.as('manager');
    const id = await createFromTemplate(manager);
    const page = await body(await load(manager, id));
    expect(page).toMatchObject({ canEdit: true, isAdmin: false });

    const graph = template('new-lead-routing').graph;
    graph.nodes.push(codeStep);
    const added = await builder(manager, id, { intent: 'save', graph: JSON.stringify(graph) });
    expect(added.status).toBe(403);
    expect((await body(added)).message).toBe('Only administrators can add or change code steps.');

    // An admin adds it; the manager may then move things around (code unchanged) but not edit it.
    const admin = await ws.as('admin');
    expect((await builder(admin, id, { intent: 'save', graph: JSON.stringify(graph) })).status).toBe(200);
    const moved: FlowGraph = JSON.parse(JSON.stringify(graph));
    moved.nodes[0].position = { x: -50, y: 100 };
    expect((await builder(manager, id, { intent: 'save', graph: JSON.stringify(moved) })).status).toBe(200);
    const edited: FlowGraph = JSON.parse(JSON.stringify(moved));
    edited.nodes.find((n) => n.id === 'code-1')!.data.code = 'return [];';
    expect((await builder(manager, id, { intent: 'save', graph: JSON.stringify(edited) })).status).toBe(403);

    const publish = await builder(manager, id, { intent: 'publish' });
    expect(publish.status).toBe(403);
    expect((await body(publish)).errors).toEqual([
      { nodeId: 'code-1', message: 'Only administrators can publish or run code steps.' },
    ]);
    expect(deploy.publishWorkflow).not.toHaveBeenCalled();

    deploy.publishWorkflow.mockResolvedValueOnce({ ok: true, versionId: 'v1', version: 1 });
    expect((await builder(admin, id, { intent: 'publish' })).status).toBe(200);
    expect(deploy.publishWorkflow).toHaveBeenCalledWith(expect.objectContaining({ role: 'admin' }), id, undefined);
  });
});
