/**
 * The lead pages, driven through their loaders and actions like a browser would (session cookie,
 * CSRF token), against real PostgreSQL as the application role (RLS on).
 */
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db';
import type { Role } from '../../db/schema';
import { appDatabase, CookieJar, formRequest, getRequest, newBrowser, settle, uniqueSlug } from '../../test/helpers';
import { createCustomField } from '../models/custom-field.server';
import { upsertLead, type Lead } from '../models/lead.server';
import { addMembership } from '../models/tenant.server';
import { createUser } from '../models/user.server';
import { action as loginAction } from './login';
import { action as signupAction } from './signup';
import { loader as shellLoader } from './_app';
import { action as listAction, loader as listLoader } from './_app.leads._index';
import { action as newAction, loader as newLoader } from './_app.leads.new';
import { action as leadAction, loader as leadLoader } from './_app.leads.$leadId';
import { action as fieldsAction, loader as fieldsLoader } from './_app.settings.fields';

const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

interface Browser {
  jar: CookieJar;
  csrf: string;
  userId: string;
  tenantId: string;
}

interface Workspace {
  owner: Browser;
  tenantId: string;
  as(role: Role): Promise<Browser>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function signUp(): Promise<Workspace> {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('leads');
  const res = await settle(() =>
    signupAction(
      args(
        formRequest('/signup', jar, {
          csrf,
          name: 'Olga Owner',
          email: `${slug}@example.com`,
          password: 'correct horse battery',
          tenantName: 'Leads Inc',
          slug,
        }),
      ),
    ),
  );
  expect(res.status).toBe(302);
  jar.absorb(res);
  const shell = await json<{ user: { id: string }; tenant: { id: string } }>(
    await settle(() => shellLoader(args(getRequest('/leads', jar)))),
  );
  const owner = { jar, csrf, userId: shell.user.id, tenantId: shell.tenant.id };
  return {
    owner,
    tenantId: shell.tenant.id,
    async as(role: Role) {
      const email = `${role}-${uniqueSlug('u')}@example.com`;
      const user = await appDatabase().withTenant(shell.tenant.id, async (tx) => {
        const u = await createUser(tx, {
          email,
          name: `${role[0].toUpperCase()}${role.slice(1)} ${slug.slice(-4)}`,
          password: 'member password 1',
        });
        await addMembership(tx, shell.tenant.id, u.id, role);
        return u;
      });
      const b = await newBrowser();
      const login = await settle(() =>
        loginAction(
          args(formRequest('/login', b.jar, { csrf: b.csrf, email, password: 'member password 1', redirectTo: '/leads' })),
        ),
      );
      expect(login.status).toBe(302);
      b.jar.absorb(login);
      return { jar: b.jar, csrf: b.csrf, userId: user.id, tenantId: shell.tenant.id };
    },
  };
}

/** A POST with repeated fields (e.g. several `ids`). */
function post(url: string, b: Pick<Browser, 'jar'>, fields: Array<[string, string]> | Record<string, string>): Request {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
  return new Request(`http://localhost${url}`, {
    method: 'POST',
    headers: { Cookie: b.jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

async function seed(
  tenantId: string,
  fields: Parameters<typeof upsertLead>[2],
  extra: Partial<Pick<Lead, 'score' | 'createdAt' | 'scoredAt'>> = {},
): Promise<Lead> {
  return appDatabase().withTenant(tenantId, async (tx) => {
    const { lead } = await upsertLead(tx, tenantId, fields, { type: 'system' });
    if (Object.keys(extra).length === 0) return lead;
    const [row] = await tx.update(schema.leads).set(extra).where(eq(schema.leads.id, lead.id)).returning();
    return row;
  });
}

async function readLead(tenantId: string, id: string) {
  return appDatabase().withTenant(tenantId, async (tx) => {
    const [lead] = await tx.select().from(schema.leads).where(eq(schema.leads.id, id));
    const events = await tx.select().from(schema.leadEvents).where(eq(schema.leadEvents.leadId, id));
    return { lead, events };
  });
}

type ListBody = {
  leads: Array<{ id: string; email: string | null; stage: string; score: number }>;
  nextCursor: string | null;
  problems: Array<{ param: string; message: string }>;
  views: Array<{ id: string; name: string; query: string; shared: boolean; deletable: boolean }>;
  query: string;
};

async function list(b: Browser, query: string): Promise<ListBody> {
  const res = await settle(() => listLoader(args(getRequest(`/leads${query ? `?${query}` : ''}`, b.jar))));
  expect(res.status).toBe(200);
  return json<ListBody>(res);
}

const emails = (body: ListBody) => body.leads.map((l) => l.email).sort();

describe('lead list: filters, search and paging', () => {
  let ws: Workspace;
  let rep: Browser;
  beforeAll(async () => {
    ws = await signUp();
    rep = await ws.as('rep');
    await appDatabase().withTenant(ws.tenantId, (tx) =>
      createCustomField(tx, ws.tenantId, { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] }, null),
    );
    const t = ws.tenantId;
    await seed(
      t,
      {
        email: 'zelda@hyrule.example',
        firstName: 'Zelda',
        lastName: 'Harkinian',
        companyName: 'Hyrule Castle',
        stage: 'mql',
        ownerId: rep.userId,
        tags: ['vip', 'hot'],
        channel: 'paid',
        source: 'google',
        custom: { plan: 'pro' },
      },
      { score: 75, scoredAt: new Date(), createdAt: new Date('2024-02-10T10:00:00Z') },
    );
    await seed(
      t,
      {
        email: 'link@initech.example',
        firstName: 'Link',
        companyName: 'Initech',
        stage: 'sql',
        tags: ['vip'],
        channel: 'organic',
        source: 'blog',
        custom: { plan: 'free' },
      },
      { score: 40, scoredAt: new Date(), createdAt: new Date('2024-01-15T10:00:00Z') },
    );
    await seed(
      t,
      {
        email: 'ganon@globex.example',
        firstName: 'Ganon',
        companyName: 'Globex Corporation',
        stage: 'new',
        ownerId: ws.owner.userId,
        tags: ['hot'],
        channel: 'paid',
        source: 'linkedin',
      },
      { score: 90, scoredAt: new Date(), createdAt: new Date('2024-03-05T10:00:00Z') },
    );
    await seed(
      t,
      { email: 'impa@sheikah.example', firstName: 'Impa', companyName: 'Sheikah Ltd', stage: 'new' },
      { score: 10, createdAt: new Date('2024-04-01T10:00:00Z') },
    );
  });

  it('lists the tenant’s leads, newest first', async () => {
    const body = await list(ws.owner, '');
    expect(body.leads.map((l) => l.email)).toEqual([
      'impa@sheikah.example',
      'ganon@globex.example',
      'zelda@hyrule.example',
      'link@initech.example',
    ]);
  });

  it('each filter narrows', async () => {
    expect(emails(await list(ws.owner, 'stage=mql'))).toEqual(['zelda@hyrule.example']);
    // The filter form sends one `stage` per ticked box; the filter language's comma list works too.
    expect(emails(await list(ws.owner, 'stage=mql&stage=sql'))).toEqual(['link@initech.example', 'zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'stage=mql,sql'))).toEqual(['link@initech.example', 'zelda@hyrule.example']);
    expect(emails(await list(ws.owner, `owner=${rep.userId}`))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'owner=none'))).toEqual(['impa@sheikah.example', 'link@initech.example']);
    expect(emails(await list(ws.owner, 'channel=paid'))).toEqual(['ganon@globex.example', 'zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'source=blog'))).toEqual(['link@initech.example']);
    expect(emails(await list(ws.owner, 'tag=vip'))).toEqual(['link@initech.example', 'zelda@hyrule.example']);
    // Tags are all-of; the form's comma-separated input and repeated params mean the same.
    expect(emails(await list(ws.owner, 'tag=vip%2C+hot'))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'tag=vip&tag=hot'))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'scoreMin=40&scoreMax=80'))).toEqual(['link@initech.example', 'zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'scoreMin=80'))).toEqual(['ganon@globex.example']);
    expect(emails(await list(ws.owner, 'createdAfter=2024-02-01&createdBefore=2024-03-06'))).toEqual([
      'ganon@globex.example',
      'zelda@hyrule.example',
    ]);
    expect(emails(await list(ws.owner, 'cf.plan=pro'))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'stage=new&owner=none'))).toEqual(['impa@sheikah.example']);
  });

  it('searches name, email, company and email domain', async () => {
    expect(emails(await list(ws.owner, 'q=zelda'))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'q=Harkin'))).toEqual(['zelda@hyrule.example']);
    expect(emails(await list(ws.owner, 'q=link%40initech.example'))).toEqual(['link@initech.example']);
    expect(emails(await list(ws.owner, 'q=globex'))).toEqual(['ganon@globex.example']);
    expect(emails(await list(ws.owner, 'q=Sheikah+Ltd'))).toEqual(['impa@sheikah.example']);
    expect(emails(await list(ws.owner, 'q=initech.example'))).toEqual(['link@initech.example']);
    expect(emails(await list(ws.owner, 'q=nobody-here'))).toEqual([]);
    // Punctuation only: no tokens, no matches, no crash.
    expect(emails(await list(ws.owner, 'q=%40%40'))).toEqual([]);
  });

  it('reports invalid filter params above the table instead of failing, and applies the valid ones', async () => {
    const body = await list(ws.owner, 'scoreMin=abc&createdAfter=not-a-date&stage=mql&owner=bob&sort=sideways');
    expect(body.problems.map((p) => p.param).sort()).toEqual(['createdAfter', 'owner', 'scoreMin', 'sort']);
    expect(body.problems.find((p) => p.param === 'scoreMin')!.message).toMatch(/whole number/);
    expect(emails(body)).toEqual(['zelda@hyrule.example']);
    const badCursor = await list(ws.owner, 'cursor=not-a-cursor');
    expect(badCursor.problems.map((p) => p.param)).toEqual(['cursor']);
    expect(badCursor.leads).toHaveLength(4);
  });

  it('a cursor from another sort is dropped (first page), not a database error', async () => {
    const first = await list(ws.owner, 'limit=1');
    expect(first.nextCursor).toBeTruthy();
    const mismatched = await list(ws.owner, `sort=-score&limit=1&cursor=${first.nextCursor}`);
    expect(mismatched.problems.map((p) => p.param)).toEqual(['cursor']);
    expect(mismatched.leads.map((l) => l.email)).toEqual(['ganon@globex.example']);
  });

  it('keyset paging returns every lead exactly once, for each sort', async () => {
    const other = await signUp();
    const base = Date.parse('2024-06-01T00:00:00Z');
    for (let i = 0; i < 23; i++) {
      // Ties on purpose: scores repeat, and pairs of leads share a creation time.
      await seed(
        other.tenantId,
        { email: `p${i}@paging.example` },
        { score: (i * 7) % 5, createdAt: new Date(base + Math.floor(i / 2) * 60_000) },
      );
    }
    for (const sort of ['-created', 'created', '-score', 'score']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body: ListBody = await list(other.owner, `sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        expect(body.problems).toEqual([]);
        seen.push(...body.leads.map((l) => l.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(pages, sort).toBe(5);
      expect(seen).toHaveLength(23);
      expect(new Set(seen).size, sort).toBe(23);
    }
    const byScore = await list(other.owner, 'sort=-score&limit=200');
    const scores = byScore.leads.map((l) => l.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});

describe('bulk actions', () => {
  it('changes stage all-or-nothing: one foreign or unknown id and nothing is applied', async () => {
    const a = await signUp();
    const b = await signUp();
    const a1 = await seed(a.tenantId, { email: 'a1@bulk.example', stage: 'new' });
    const a2 = await seed(a.tenantId, { email: 'a2@bulk.example', stage: 'new' });
    const b1 = await seed(b.tenantId, { email: 'b1@bulk.example', stage: 'new' });
    const ids = (...list: string[]) => list.map((id) => ['ids', id] as [string, string]);

    const foreign = await settle(() =>
      listAction(
        args(
          post('/leads?index', a.owner, [
            ['csrf', a.owner.csrf],
            ['intent', 'stage'],
            ['stage', 'sql'],
            ...ids(a1.id, a2.id, b1.id),
          ]),
        ),
      ),
    );
    expect(foreign.status).toBe(409);
    expect((await json(foreign)).error).toMatch(/1 of the selected leads does not exist in this workspace.*Nothing was changed/);
    const unknown = await settle(() =>
      listAction(
        args(
          post('/leads?index', a.owner, [
            ['csrf', a.owner.csrf],
            ['intent', 'stage'],
            ['stage', 'sql'],
            ...ids(a1.id, '0190aaaa-0000-7000-8000-000000000000'),
          ]),
        ),
      ),
    );
    expect(unknown.status).toBe(409);
    for (const id of [a1.id, a2.id]) {
      const { lead, events } = await readLead(a.tenantId, id);
      expect(lead.stage).toBe('new');
      expect(events.map((e) => e.type)).toEqual(['created']);
    }
    expect((await readLead(b.tenantId, b1.id)).lead.stage).toBe('new');

    const ok = await settle(() =>
      listAction(
        args(
          post('/leads?index', a.owner, [['csrf', a.owner.csrf], ['intent', 'stage'], ['stage', 'sql'], ...ids(a1.id, a2.id)]),
        ),
      ),
    );
    expect(ok.status).toBe(200);
    expect((await json(ok)).message).toBe('Moved 2 leads to “sql”.');
    for (const id of [a1.id, a2.id]) {
      const { lead, events } = await readLead(a.tenantId, id);
      expect(lead.stage).toBe('sql');
      expect(events.find((e) => e.type === 'stage_changed')?.payload).toEqual({ from: 'new', to: 'sql' });
    }
  });

  it('refuses a stage outside the pipeline, and assigns, tags, untags and deletes', async () => {
    const a = await signUp();
    const rep = await a.as('rep');
    const l1 = await seed(a.tenantId, { email: 'l1@bulk.example', tags: ['old'] });
    const l2 = await seed(a.tenantId, { email: 'l2@bulk.example' });
    const both: Array<[string, string]> = [
      ['ids', l1.id],
      ['ids', l2.id],
    ];
    const send = (who: Browser, fields: Array<[string, string]>) =>
      settle(() => listAction(args(post('/leads?index', who, [['csrf', who.csrf], ...fields, ...both]))));

    const badStage = await send(a.owner, [
      ['intent', 'stage'],
      ['stage', 'nonsense'],
    ]);
    expect(badStage.status).toBe(400);
    expect((await json(badStage)).fieldErrors.stage).toMatch(/pipeline/);
    const none = await settle(() =>
      listAction(
        args(
          post('/leads?index', a.owner, [
            ['csrf', a.owner.csrf],
            ['intent', 'stage'],
            ['stage', 'sql'],
          ]),
        ),
      ),
    );
    expect((await json(none)).error).toBe('Select at least one lead first.');

    expect(
      (
        await send(a.owner, [
          ['intent', 'assign'],
          ['ownerId', rep.userId],
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await send(rep, [
          ['intent', 'addTag'],
          ['tag', 'webinar'],
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await send(rep, [
          ['intent', 'removeTag'],
          ['tag', 'old'],
        ])
      ).status,
    ).toBe(200);
    for (const id of [l1.id, l2.id]) {
      const { lead, events } = await readLead(a.tenantId, id);
      expect(lead.ownerId).toBe(rep.userId);
      expect(lead.tags).toEqual(['webinar']);
      expect(events.some((e) => e.type === 'assigned')).toBe(true);
    }
    // A rep may not bulk-delete; a manager must confirm.
    expect(
      (
        await send(rep, [
          ['intent', 'delete'],
          ['confirm', 'yes'],
        ])
      ).status,
    ).toBe(403);
    const unconfirmed = await send(a.owner, [['intent', 'delete']]);
    expect(unconfirmed.status).toBe(400);
    expect((await readLead(a.tenantId, l1.id)).lead).toBeDefined();
    const deleted = await send(a.owner, [
      ['intent', 'delete'],
      ['confirm', 'yes'],
    ]);
    expect((await json(deleted)).message).toBe('Deleted 2 leads.');
    expect((await readLead(a.tenantId, l1.id)).lead).toBeUndefined();
    const { rows } = await appDatabase().withTenant(a.tenantId, (tx) =>
      tx.execute(sql`select count(*)::int as n from audit_log where action = 'lead.deleted'`),
    );
    expect(rows[0].n).toBe(2);
  });

  it('export redirects the browser to the CSV with the current filter and the selected ids', async () => {
    const a = await signUp();
    const viewer = await a.as('viewer');
    const res = await settle(() =>
      listAction(
        args(
          post('/leads?index', viewer, [
            ['csrf', viewer.csrf],
            ['intent', 'export'],
            ['query', 'stage=mql&bogus=1'],
            ['ids', '0190aaaa-0000-7000-8000-000000000001'],
            ['ids', '0190aaaa-0000-7000-8000-000000000002'],
          ]),
        ),
      ),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('X-Remix-Reload-Document')).toBe('true');
    const location = new URL(res.headers.get('Location')!, 'http://localhost');
    expect(location.pathname).toBe('/leads/export.csv');
    expect(location.searchParams.get('stage')).toBe('mql');
    expect(location.searchParams.get('bogus')).toBeNull();
    expect(location.searchParams.get('ids')).toBe('0190aaaa-0000-7000-8000-000000000001,0190aaaa-0000-7000-8000-000000000002');
  });
});

describe('roles and CSRF', () => {
  it('a viewer reads but gets 403 on create, update, bulk, note, merge and delete', async () => {
    const ws = await signUp();
    const viewer = await ws.as('viewer');
    const lead = await seed(ws.tenantId, { email: 'target@roles.example', firstName: 'Target' });
    const other = await seed(ws.tenantId, { email: 'other@roles.example' });
    expect((await settle(() => listLoader(args(getRequest('/leads', viewer.jar))))).status).toBe(200);
    expect((await settle(() => leadLoader(args(getRequest(`/leads/${lead.id}`, viewer.jar), { leadId: lead.id })))).status).toBe(
      200,
    );
    expect((await settle(() => newLoader(args(getRequest('/leads/new', viewer.jar))))).status).toBe(403);
    const c = viewer.csrf;
    expect(
      (await settle(() => newAction(args(post('/leads/new', viewer, { csrf: c, email: 'new@roles.example', stage: 'new' })))))
        .status,
    ).toBe(403);
    const attempts: Array<Record<string, string>> = [
      { intent: 'update', firstName: 'Hacked' },
      { intent: 'stage', stage: 'customer' },
      { intent: 'assign', ownerId: viewer.userId },
      { intent: 'note', text: 'viewer note' },
      { intent: 'merge', secondaryId: other.id },
      { intent: 'delete', confirm: 'yes' },
    ];
    for (const fields of attempts) {
      const res = await settle(() =>
        leadAction(args(post(`/leads/${lead.id}`, viewer, { csrf: c, ...fields }), { leadId: lead.id })),
      );
      expect(res.status, fields.intent).toBe(403);
    }
    const bulk = await settle(() =>
      listAction(
        args(
          post('/leads?index', viewer, [
            ['csrf', c],
            ['intent', 'stage'],
            ['stage', 'sql'],
            ['ids', lead.id],
          ]),
        ),
      ),
    );
    expect(bulk.status).toBe(403);
    const after = await readLead(ws.tenantId, lead.id);
    expect(after.lead).toMatchObject({ firstName: 'Target', stage: 'new', ownerId: null });
    expect(after.events.map((e) => e.type)).toEqual(['created']);
    expect((await readLead(ws.tenantId, other.id)).lead).toBeDefined();
  });

  it('a rep edits but may not delete a lead', async () => {
    const ws = await signUp();
    const rep = await ws.as('rep');
    const lead = await seed(ws.tenantId, { email: 'keep@roles.example' });
    const res = await settle(() =>
      leadAction(args(post(`/leads/${lead.id}`, rep, { csrf: rep.csrf, intent: 'delete', confirm: 'yes' }), { leadId: lead.id })),
    );
    expect(res.status).toBe(403);
    const note = await settle(() =>
      leadAction(
        args(post(`/leads/${lead.id}`, rep, { csrf: rep.csrf, intent: 'note', text: 'Called, no answer' }), { leadId: lead.id }),
      ),
    );
    expect(note.status).toBe(200);
  });

  it('refuses every form without the CSRF token', async () => {
    const ws = await signUp();
    const lead = await seed(ws.tenantId, { email: 'csrf@roles.example' });
    const o = ws.owner;
    const responses = [
      await settle(() => newAction(args(post('/leads/new', o, { email: 'x@csrf.example', stage: 'new' })))),
      await settle(() => leadAction(args(post(`/leads/${lead.id}`, o, { intent: 'note', text: 'hi' }), { leadId: lead.id }))),
      await settle(() =>
        leadAction(
          args(post(`/leads/${lead.id}`, o, { csrf: 'wrong'.padEnd(43, 'x'), intent: 'stage', stage: 'sql' }), {
            leadId: lead.id,
          }),
        ),
      ),
      await settle(() =>
        listAction(
          args(
            post('/leads?index', o, [
              ['intent', 'stage'],
              ['stage', 'sql'],
              ['ids', lead.id],
            ]),
          ),
        ),
      ),
      await settle(() => listAction(args(post('/leads?index', o, { intent: 'saveView', name: 'x', query: '' })))),
      await settle(() =>
        fieldsAction(args(post('/settings/fields', o, { intent: 'create', key: 'k', label: 'K', type: 'text' }))),
      ),
    ];
    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    const after = await readLead(ws.tenantId, lead.id);
    expect(after.lead.stage).toBe('new');
    expect(after.events.map((e) => e.type)).toEqual(['created']);
  });
});

describe('tenant isolation on the lead page', () => {
  it('a lead of tenant B is a 404 for tenant A, and A’s update/delete/note/merge attempts leave it unchanged', async () => {
    const a = await signUp();
    const b = await signUp();
    const theirs = await seed(b.tenantId, { email: 'secret@tenant-b.example', firstName: 'Secret', tags: ['b'] });
    const mine = await seed(a.tenantId, { email: 'mine@tenant-a.example' });
    const before = await readLead(b.tenantId, theirs.id);
    const o = a.owner;

    const page = await settle(() => leadLoader(args(getRequest(`/leads/${theirs.id}`, o.jar), { leadId: theirs.id })));
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain('secret@tenant-b.example');
    expect((await settle(() => leadLoader(args(getRequest('/leads/not-a-uuid', o.jar), { leadId: 'not-a-uuid' })))).status).toBe(
      404,
    );

    const attempts: Array<Record<string, string>> = [
      { intent: 'update', firstName: 'Pwned', email: 'pwned@tenant-a.example' },
      { intent: 'stage', stage: 'lost' },
      { intent: 'assign', ownerId: '' },
      { intent: 'note', text: 'planted' },
      { intent: 'merge', secondaryId: mine.id },
      { intent: 'delete', confirm: 'yes' },
    ];
    for (const fields of attempts) {
      const res = await settle(() =>
        leadAction(args(post(`/leads/${theirs.id}`, o, { csrf: o.csrf, ...fields }), { leadId: theirs.id })),
      );
      expect(res.status, fields.intent).toBe(404);
    }
    // Merging B's lead into A's own lead: the secondary is invisible, nothing moves.
    const pull = await settle(() =>
      leadAction(
        args(post(`/leads/${mine.id}`, o, { csrf: o.csrf, intent: 'merge', secondaryId: theirs.id }), { leadId: mine.id }),
      ),
    );
    expect(pull.status).toBe(404);
    expect((await json(pull)).formError).toMatch(/does not exist in this workspace/);
    // And the merge preview does not reveal it either.
    const preview = await json(
      await settle(() => leadLoader(args(getRequest(`/leads/${mine.id}?mergeId=${theirs.id}`, o.jar), { leadId: mine.id }))),
    );
    expect(preview.merge).toBeNull();
    expect(preview.mergeMissing).toBe(true);
    const search = await json(
      await settle(() => leadLoader(args(getRequest(`/leads/${mine.id}?mergeSearch=secret`, o.jar), { leadId: mine.id }))),
    );
    expect(search.candidates).toEqual([]);

    const after = await readLead(b.tenantId, theirs.id);
    expect(after.lead).toEqual(before.lead);
    expect(after.events).toEqual(before.events);
    expect((await readLead(a.tenantId, mine.id)).events.map((e) => e.type)).toEqual(['created']);
  });
});

describe('create form', () => {
  it('shows field errors for bad input and creates nothing', async () => {
    const ws = await signUp();
    await appDatabase().withTenant(ws.tenantId, (tx) =>
      createCustomField(tx, ws.tenantId, { key: 'seats', label: 'Seats', type: 'number', options: [] }, null),
    );
    const o = ws.owner;
    const res = await settle(() =>
      newAction(
        args(
          post('/leads/new', o, {
            csrf: o.csrf,
            firstName: 'Bad',
            email: 'not-an-email',
            stage: 'not-a-stage',
            ownerId: '0190aaaa-0000-7000-8000-000000000000',
            'cf.seats': 'many',
          }),
        ),
      ),
    );
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.fieldErrors).toMatchObject({
      email: 'Enter a valid email address',
      stage: 'Choose a stage of this pipeline',
      ownerId: 'Choose a member of this workspace',
      'cf.seats': 'Enter a number',
    });
    expect(body.values).toMatchObject({ firstName: 'Bad', email: 'not-an-email' });
    const empty = await json(await settle(() => newAction(args(post('/leads/new', o, { csrf: o.csrf, stage: 'new' })))));
    expect(empty.fieldErrors.email).toMatch(/at least a name/);
    expect((await list(o, '')).leads).toHaveLength(0);
  });

  it('creates a lead with custom fields and consent, then a second entry with the same email merges and records conflicts', async () => {
    const ws = await signUp();
    const rep = await ws.as('rep');
    await appDatabase().withTenant(ws.tenantId, (tx) =>
      createCustomField(tx, ws.tenantId, { key: 'seats', label: 'Seats', type: 'number', options: [] }, null),
    );
    const created = await settle(() =>
      newAction(
        args(
          post('/leads/new', rep, {
            csrf: rep.csrf,
            firstName: 'Mary',
            lastName: 'Jackson',
            email: ' Mary@NASA.example ',
            title: 'Engineer',
            companyName: 'NASA',
            stage: 'working',
            ownerId: rep.userId,
            tags: 'aero, vip, aero',
            channel: 'event',
            emailOptIn: 'on',
            'cf.seats': '12',
          }),
        ),
      ),
    );
    expect(created.status).toBe(302);
    const location = created.headers.get('Location')!;
    expect(location).toMatch(/^\/leads\/[0-9a-f-]{36}\?notice=created$/);
    const id = location.split('/')[2].split('?')[0];
    const { lead } = await readLead(ws.tenantId, id);
    expect(lead).toMatchObject({
      email: 'mary@nasa.example',
      stage: 'working',
      ownerId: rep.userId,
      tags: ['aero', 'vip'],
      emailOptIn: true,
      smsOptIn: null,
      custom: { seats: 12 },
    });

    const again = await settle(() =>
      newAction(
        args(
          post('/leads/new', rep, {
            csrf: rep.csrf,
            email: 'mary@nasa.example',
            title: 'Director',
            phone: '+1 555 0100',
            stage: 'working',
            tags: 'webinar',
          }),
        ),
      ),
    );
    expect(again.status).toBe(302);
    expect(again.headers.get('Location')).toBe(`/leads/${id}?notice=merged`);
    const merged = await readLead(ws.tenantId, id);
    expect(merged.lead).toMatchObject({ title: 'Engineer', phone: '+1 555 0100', tags: ['aero', 'vip', 'webinar'] });
    const event = merged.events.find((e) => e.type === 'merged')!;
    expect(event.payload).toMatchObject({
      changes: expect.arrayContaining(['phone', 'tags']),
      conflicts: [{ field: 'title', kept: 'Engineer', incoming: 'Director' }],
    });

    const page = await json(
      await settle(() => leadLoader(args(getRequest(`/leads/${id}?notice=merged`, rep.jar), { leadId: id }))),
    );
    expect(page.notice).toMatchObject({
      kind: 'merged',
      payload: { conflicts: [{ field: 'title', kept: 'Engineer', incoming: 'Director' }] },
    });
  });
});

describe('lead page', () => {
  it('edits with validation, refuses a taken email with a merge offer, and keeps undefined custom keys', async () => {
    const ws = await signUp();
    const o = ws.owner;
    await appDatabase().withTenant(ws.tenantId, (tx) =>
      createCustomField(tx, ws.tenantId, { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] }, null),
    );
    const lead = await seed(ws.tenantId, {
      email: 'edit@page.example',
      firstName: 'Ed',
      unsubscribed: true,
      custom: { plan: 'free', legacy_id: 'L-1' },
    });
    const other = await seed(ws.tenantId, { email: 'taken@page.example' });
    const edit = (fields: Record<string, string>) =>
      settle(() =>
        leadAction(args(post(`/leads/${lead.id}`, o, { csrf: o.csrf, intent: 'update', ...fields }), { leadId: lead.id })),
      );

    const bad = await edit({ email: 'nope', 'cf.plan': 'enterprise' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).fieldErrors).toEqual({
      email: 'Enter a valid email address',
      'cf.plan': 'Choose one of the options',
    });

    const taken = await edit({ email: 'Taken@page.example' });
    expect(taken.status).toBe(409);
    expect(await json(taken)).toMatchObject({
      fieldErrors: { email: 'Another lead already has this email.' },
      emailTakenBy: other.id,
    });
    expect((await readLead(ws.tenantId, lead.id)).lead.email).toBe('edit@page.example');

    // A partial form changes only what it carries; an unticked checkbox arrives as the hidden "off".
    const ok = await edit({ firstName: 'Edward', title: 'CTO', 'cf.plan': 'pro', unsubscribed: 'off', emailOptIn: 'no' });
    expect(ok.status).toBe(200);
    const after = await readLead(ws.tenantId, lead.id);
    expect(after.lead).toMatchObject({
      firstName: 'Edward',
      title: 'CTO',
      email: 'edit@page.example',
      unsubscribed: false,
      emailOptIn: false,
      custom: { plan: 'pro', legacy_id: 'L-1' },
    });
    const updated = after.events.find((e) => e.type === 'updated')!;
    expect((updated.payload as { changes: Record<string, unknown> }).changes).toMatchObject({
      firstName: { from: 'Ed', to: 'Edward' },
      title: { from: null, to: 'CTO' },
    });
  });

  it('changes stage and owner, adds notes, and shows all of it in the timeline', async () => {
    const ws = await signUp();
    const rep = await ws.as('rep');
    const lead = await seed(ws.tenantId, { email: 'timeline@page.example' });
    const send = (fields: Record<string, string>) =>
      settle(() => leadAction(args(post(`/leads/${lead.id}`, rep, { csrf: rep.csrf, ...fields }), { leadId: lead.id })));
    expect((await send({ intent: 'stage', stage: 'customer' })).status).toBe(200);
    expect((await send({ intent: 'stage', stage: 'made-up' })).status).toBe(400);
    expect((await send({ intent: 'assign', ownerId: rep.userId })).status).toBe(200);
    expect((await send({ intent: 'assign', ownerId: '0190aaaa-0000-7000-8000-000000000000' })).status).toBe(400);
    const empty = await send({ intent: 'note', text: '   ' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).fieldErrors.text).toBe('Write a note first');
    expect((await send({ intent: 'note', text: 'Met at the trade show.\nWants a demo.' })).status).toBe(200);

    const page = await json(await settle(() => leadLoader(args(getRequest(`/leads/${lead.id}`, rep.jar), { leadId: lead.id }))));
    expect(page.events.map((e: { type: string }) => e.type)).toEqual(['note', 'assigned', 'stage_changed', 'created']);
    expect(page.events[0]).toMatchObject({
      actorType: 'user',
      actorId: rep.userId,
      payload: { text: 'Met at the trade show.\nWants a demo.' },
    });
    expect(page.lead).toMatchObject({ stage: 'customer', ownerId: rep.userId });
    expect(page.lead.convertedAt).toBeTruthy();
  });

  it('merges a duplicate after a side-by-side preview', async () => {
    const ws = await signUp();
    const o = ws.owner;
    const primary = await seed(ws.tenantId, { email: 'grace@navy.example', firstName: 'Grace', title: 'Rear Admiral' });
    const dup = await seed(ws.tenantId, {
      email: 'g.hopper@navy.example',
      firstName: 'Grace',
      lastName: 'Hopper',
      title: 'Commodore',
      phone: '+1 555 0199',
      tags: ['cobol'],
    });
    await appDatabase().withTenant(ws.tenantId, (tx) =>
      tx.execute(
        sql`insert into lead_events (tenant_id, id, lead_id, type, actor_type, payload) values (${ws.tenantId}, gen_random_uuid(), ${dup.id}, 'email_opened', 'system', '{"subject":"Hello"}')`,
      ),
    );
    const found = await json(
      await settle(() => leadLoader(args(getRequest(`/leads/${primary.id}?mergeSearch=hopper`, o.jar), { leadId: primary.id }))),
    );
    expect(found.candidates.map((c: { id: string }) => c.id)).toEqual([dup.id]);
    const preview = await json(
      await settle(() => leadLoader(args(getRequest(`/leads/${primary.id}?mergeId=${dup.id}`, o.jar), { leadId: primary.id }))),
    );
    expect(preview.merge.other.email).toBe('g.hopper@navy.example');
    expect(preview.merge.fills).toEqual(expect.arrayContaining(['lastName', 'phone', 'tags']));
    expect(preview.merge.conflicts).toEqual([{ field: 'title', kept: 'Rear Admiral', incoming: 'Commodore' }]);

    const self = await settle(() =>
      leadAction(
        args(post(`/leads/${primary.id}`, o, { csrf: o.csrf, intent: 'merge', secondaryId: primary.id }), { leadId: primary.id }),
      ),
    );
    expect(self.status).toBe(400);
    const res = await settle(() =>
      leadAction(
        args(post(`/leads/${primary.id}`, o, { csrf: o.csrf, intent: 'merge', secondaryId: dup.id }), { leadId: primary.id }),
      ),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(`/leads/${primary.id}?notice=combined`);
    const after = await readLead(ws.tenantId, primary.id);
    expect(after.lead).toMatchObject({
      email: 'grace@navy.example',
      lastName: 'Hopper',
      title: 'Rear Admiral',
      phone: '+1 555 0199',
      tags: ['cobol'],
    });
    expect(after.events.map((e) => e.type).sort()).toEqual(['created', 'created', 'email_opened', 'merged']);
    expect((await readLead(ws.tenantId, dup.id)).lead).toBeUndefined();
    const gone = await settle(() => leadLoader(args(getRequest(`/leads/${dup.id}`, o.jar), { leadId: dup.id })));
    expect(gone.status).toBe(404);
  });

  it('deletes after confirmation (managers) and redirects to the list', async () => {
    const ws = await signUp();
    const manager = await ws.as('manager');
    const lead = await seed(ws.tenantId, { email: 'bye@page.example' });
    const unconfirmed = await settle(() =>
      leadAction(args(post(`/leads/${lead.id}`, manager, { csrf: manager.csrf, intent: 'delete' }), { leadId: lead.id })),
    );
    expect(unconfirmed.status).toBe(400);
    const res = await settle(() =>
      leadAction(
        args(post(`/leads/${lead.id}`, manager, { csrf: manager.csrf, intent: 'delete', confirm: 'yes' }), { leadId: lead.id }),
      ),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/leads?notice=deleted');
    expect((await readLead(ws.tenantId, lead.id)).lead).toBeUndefined();
  });
});

describe('saved views', () => {
  it('round-trip: save (normalised), list, replace by name, share (managers), delete', async () => {
    const ws = await signUp();
    const rep = await ws.as('rep');
    const manager = await ws.as('manager');
    const save = (b: Browser, fields: Record<string, string>) =>
      settle(() => listAction(args(post('/leads?index', b, { csrf: b.csrf, intent: 'saveView', ...fields }))));

    expect((await save(rep, { name: '  ', query: 'stage=mql' })).status).toBe(400);
    expect((await save(rep, { name: 'Bad', query: 'scoreMin=lots' })).status).toBe(400);
    expect((await save(rep, { name: 'Hot MQLs', query: 'stage=mql&tag=hot&cursor=abc&sort=-created' })).status).toBe(200);
    expect((await save(rep, { name: 'hot mqls', query: 'stage=mql,sql&tag=hot' })).status).toBe(200);
    expect((await save(rep, { name: 'Shared try', query: 'stage=new', shared: 'on' })).status).toBe(403);
    expect((await save(manager, { name: 'Team: new', query: 'stage=new', shared: 'on' })).status).toBe(200);
    expect((await save(manager, { name: 'Manager only', query: 'owner=none' })).status).toBe(200);

    const repViews = (await list(rep, '')).views;
    expect(repViews.map((v) => [v.name, v.query, v.shared, v.deletable])).toEqual([
      ['hot mqls', 'stage=mql%2Csql&tag=hot', false, true],
      ['Team: new', 'stage=new', true, false],
    ]);
    // The saved query is the filter language: opening it filters the list.
    expect((await list(rep, repViews[0].query)).query).toBe('stage=mql%2Csql&tag=hot');

    const shared = repViews[1];
    const denied = await settle(() =>
      listAction(args(post('/leads?index', rep, { csrf: rep.csrf, intent: 'deleteView', viewId: shared.id }))),
    );
    expect(denied.status).toBe(404);
    const own = await settle(() =>
      listAction(args(post('/leads?index', rep, { csrf: rep.csrf, intent: 'deleteView', viewId: repViews[0].id }))),
    );
    expect(own.status).toBe(200);
    expect((await list(rep, '')).views.map((v) => v.name)).toEqual(['Team: new']);
    const byManager = await settle(() =>
      listAction(args(post('/leads?index', manager, { csrf: manager.csrf, intent: 'deleteView', viewId: shared.id }))),
    );
    expect(byManager.status).toBe(200);
    expect((await list(manager, '')).views.map((v) => v.name)).toEqual(['Manager only']);
  });
});

describe('custom field settings', () => {
  it('admins add and delete definitions; bad keys and duplicates are field errors; others get 403', async () => {
    const ws = await signUp();
    const rep = await ws.as('rep');
    const o = ws.owner;
    const create = (fields: Record<string, string>) =>
      settle(() => fieldsAction(args(post('/settings/fields', o, { csrf: o.csrf, intent: 'create', ...fields }))));
    const bad = await create({ key: '9lives', label: '', type: 'text' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).fieldErrors).toMatchObject({
      key: expect.stringMatching(/lowercase letter/),
      label: 'Enter a label',
    });
    const noOptions = await create({ key: 'tier', label: 'Tier', type: 'select', options: '' });
    expect((await json(noOptions)).fieldErrors.options).toMatch(/at least one option/);
    expect((await create({ key: 'tier', label: 'Tier', type: 'select', options: 'gold, silver, gold' })).status).toBe(200);
    const dup = await create({ key: 'tier', label: 'Tier again', type: 'text' });
    expect(dup.status).toBe(409);
    expect((await json(dup)).fieldErrors.key).toMatch(/taken/);
    const fields = await json(await settle(() => fieldsLoader(args(getRequest('/settings/fields', o.jar)))));
    expect(fields.fields).toEqual([{ key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] }]);

    expect((await settle(() => fieldsLoader(args(getRequest('/settings/fields', rep.jar))))).status).toBe(403);
    expect(
      await settle(() => fieldsAction(args(post('/settings/fields', rep, { csrf: rep.csrf, intent: 'delete', key: 'tier' })))),
    ).toHaveProperty('status', 403);
    expect(
      await settle(() => fieldsAction(args(post('/settings/fields', o, { csrf: o.csrf, intent: 'delete', key: 'tier' })))),
    ).toHaveProperty('status', 200);
    expect((await json(await settle(() => fieldsLoader(args(getRequest('/settings/fields', o.jar)))))).fields).toEqual([]);
  });
});
