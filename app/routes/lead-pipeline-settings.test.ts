import { PassThrough, Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appDatabase, formRequest, getRequest, newBrowser, settle, uniqueSlug, type CookieJar } from '../../test/helpers';
import { action as signupAction } from './signup';
import { action as loginAction } from './login';
import { loader as shellLoader } from './_app';
import { action as scoringAction, loader as scoringLoader } from './_app.settings.scoring';
import { action as assignmentAction, loader as assignmentLoader } from './_app.settings.assignment';
import { action as predictiveAction, loader as predictiveLoader } from './_app.settings.predictive';
import { loader as jobsLoader } from './_app.settings.jobs';
import { action as notificationsAction, loader as notificationsLoader } from './_app.notifications';
import { addMembership } from '../models/tenant.server';
import { createUser } from '../models/user.server';
import { createLead } from '../models/lead.server';
import { runCli } from '../../scripts/cli';

const args = (request: Request) => ({ request, params: {}, context: {} });

async function signUp() {
  const { jar, csrf } = await newBrowser();
  const slug = uniqueSlug('pipe');
  const res = await settle(() =>
    signupAction(args(formRequest('/signup', jar, { csrf, name: 'Owner', email: `${slug}@example.com`, password: 'correct horse battery', tenantName: 'Pipe Co', slug }))),
  );
  jar.absorb(res);
  const shell = (await (await settle(() => shellLoader(args(getRequest('/leads', jar))))).json()) as { tenant: { id: string }; user: { id: string } };
  return { jar, csrf, slug, tenantId: shell.tenant.id, userId: shell.user.id };
}

async function member(tenantId: string, slug: string, role: 'viewer' | 'rep') {
  const email = `${role}-${slug}@example.com`;
  const user = await appDatabase().withTenant(tenantId, async (tx) => {
    const u = await createUser(tx, { email, password: `${role} password 1` });
    await addMembership(tx, tenantId, u.id, role);
    return u;
  });
  const { jar, csrf } = await newBrowser();
  const res = await settle(() => loginAction(args(formRequest('/login', jar, { csrf, email, password: `${role} password 1`, redirectTo: '/leads' }))));
  jar.absorb(res);
  return { jar, csrf, userId: user.id };
}

type AnyAction = (a: ReturnType<typeof args>) => Promise<unknown>;
const post = (action: AnyAction, url: string, who: { jar: CookieJar; csrf: string }, fields: Record<string, string>) =>
  settle(() => action(args(formRequest(url, who.jar, { csrf: who.csrf, ...fields }))));

describe('lead pipeline settings', () => {
  it('viewers and reps may look but get 403 when changing scoring, assignment or predictive settings', async () => {
    const owner = await signUp();
    const viewer = await member(owner.tenantId, owner.slug, 'viewer');
    const rep = await member(owner.tenantId, owner.slug, 'rep');
    for (const who of [viewer, rep]) {
      expect((await settle(() => scoringLoader(args(getRequest('/settings/scoring', who.jar))))).status).toBe(200);
      expect((await post(scoringAction, '/settings/scoring', who, { intent: 'rescore' })).status).toBe(403);
      expect((await post(assignmentAction, '/settings/assignment', who, { intent: 'save-rule', name: 'X', kind: 'round_robin' })).status).toBe(403);
      expect((await post(assignmentAction, '/settings/assignment', who, { intent: 'save-rep', userId: owner.userId, maxPerDay: '5' })).status).toBe(403);
      expect((await post(predictiveAction, '/settings/predictive', who, { intent: 'train' })).status).toBe(403);
      expect((await post(predictiveAction, '/settings/predictive', who, { intent: 'deactivate' })).status).toBe(403);
      expect((await settle(() => jobsLoader(args(getRequest('/settings/jobs', who.jar))))).status).toBe(403);
    }
    const loaded = (await (await settle(() => scoringLoader(args(getRequest('/settings/scoring', viewer.jar))))).json()) as { canEdit: boolean };
    expect(loaded.canEdit).toBe(false);
    const rules = await appDatabase().withTenant(owner.tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from assignment_rules`));
    expect(rules.rows[0].n).toBe(0);
  });

  it('scoring: validation errors come back per field; a valid model is saved and a re-score queued', async () => {
    const owner = await signUp();
    const bad = await post(scoringAction, '/settings/scoring', owner, {
      intent: 'save',
      'fit.0.label': 'Big company',
      'fit.0.field': 'companySize',
      'fit.0.operator': 'gte',
      'fit.0.value': 'lots',
      'fit.0.points': '10',
      'fit.1.label': 'Bad pattern',
      'fit.1.field': 'title',
      'fit.1.operator': 'matches',
      'fit.1.value': '([unclosed',
      'fit.1.points': '5',
      'behaviour.halfLifeDays': '-3',
      'behaviour.maxPoints': '20',
      'event.0.type': 'form_submitted',
      'event.0.points': 'ten',
      'grade.0.grade': 'A',
      'grade.0.min': '50',
      'threshold.0.score': '150',
      'threshold.0.stage': 'mql',
    });
    expect(bad.status).toBe(400);
    const { fieldErrors } = (await bad.json()) as { fieldErrors: Record<string, string> };
    expect(fieldErrors['fit.0.value']).toMatch(/number/);
    expect(fieldErrors['fit.1.value']).toMatch(/regular expression/);
    expect(fieldErrors['behaviour.halfLifeDays']).toBeTruthy();
    expect(fieldErrors['event.0.points']).toBeTruthy();
    expect(fieldErrors.grades).toMatch(/start at 0/);
    expect(fieldErrors['threshold.0.score']).toBeTruthy();

    const ok = await post(scoringAction, '/settings/scoring', owner, {
      intent: 'save',
      'fit.0.label': 'Senior',
      'fit.0.field': 'jobTitle',
      'fit.0.operator': 'matches',
      'fit.0.value': '\\b(ceo|vp)\\b',
      'fit.0.points': '30',
      'fit.1.label': '',
      'fit.1.field': '',
      'completeness.fields': 'email, phone',
      'completeness.maxPoints': '10',
      'behaviour.halfLifeDays': '14',
      'behaviour.maxPoints': '30',
      'event.0.type': 'demo_requested',
      'event.0.points': '25',
      'source.0.key': 'referral',
      'source.0.points': '15',
      'negative.freeEmail': '-5',
      'grade.0.grade': 'A',
      'grade.0.min': '70',
      'grade.1.grade': 'B',
      'grade.1.min': '0',
      'threshold.0.score': '60',
      'threshold.0.stage': 'mql',
    });
    expect(ok.status).toBe(200);
    const saved = (await (await settle(() => scoringLoader(args(getRequest('/settings/scoring', owner.jar))))).json()) as {
      isDefault: boolean;
      model: { fitRules: Array<{ field: string; points: number }>; behaviour: { halfLifeDays: number }; thresholds: Array<{ event: string }> };
    };
    expect(saved.isDefault).toBe(false);
    expect(saved.model.fitRules).toEqual([expect.objectContaining({ field: 'jobTitle', points: 30 })]);
    expect(saved.model.behaviour.halfLifeDays).toBe(14);
    expect(saved.model.thresholds[0].event).toBe('lead.became_mql');
    const jobs = await appDatabase().db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where key = ${`rescore:${owner.tenantId}`}`);
    expect(jobs.rows[0].n).toBe(1);
  });

  it('assignment: rule and rep-settings errors per field; valid rules are saved in order', async () => {
    const owner = await signUp();
    const rep = await member(owner.tenantId, owner.slug, 'rep');
    const bad = await post(assignmentAction, '/settings/assignment', owner, { intent: 'save-rule', name: '', kind: 'territory', 'cond.0.field': 'companySize', 'cond.0.min': '500', 'cond.0.max': '10', slaMinutes: '0' });
    expect(bad.status).toBe(400);
    const errors = ((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors;
    expect(Object.keys(errors)).toEqual(expect.arrayContaining(['name', 'pool', 'cond.0.max', 'slaMinutes']));
    const fallbackMissing = await post(assignmentAction, '/settings/assignment', owner, { intent: 'save-rule', name: 'Catch all', kind: 'fallback' });
    expect(((await fallbackMissing.json()) as { fieldErrors: Record<string, string> }).fieldErrors.userId).toMatch(/fallback owner/);

    const form = new URLSearchParams({ csrf: owner.csrf, intent: 'save-rule', name: 'DACH', kind: 'territory', enabled: 'on', 'cond.0.field': 'country', 'cond.0.values': 'DE, AT', slaMinutes: '30' });
    form.append('pool', rep.userId);
    form.append('pool', owner.userId);
    const created = await settle(() =>
      assignmentAction(args(new Request('http://localhost/settings/assignment', { method: 'POST', headers: { Cookie: owner.jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() }))),
    );
    expect(created.status).toBe(200);
    expect((await post(assignmentAction, '/settings/assignment', owner, { intent: 'save-rule', name: 'Fallback', kind: 'fallback', enabled: 'on', userId: owner.userId })).status).toBe(200);
    const badRep = await post(assignmentAction, '/settings/assignment', owner, { intent: 'save-rep', userId: rep.userId, available: 'on', maxPerDay: '-1', maxOpenLeads: '2.5' });
    expect(badRep.status).toBe(400);
    expect(Object.keys(((await badRep.json()) as { fieldErrors: Record<string, string> }).fieldErrors).sort()).toEqual(['maxOpenLeads', 'maxPerDay']);
    expect((await post(assignmentAction, '/settings/assignment', owner, { intent: 'save-rep', userId: rep.userId, maxPerDay: '20' })).status).toBe(200);
    const page = (await (await settle(() => assignmentLoader(args(getRequest('/settings/assignment', owner.jar))))).json()) as {
      rules: Array<{ name: string; kind: string; config: { conditions: unknown[]; slaMinutes: number } }>;
      members: Array<{ userId: string; available: boolean; maxPerDay: number | null }>;
    };
    expect(page.rules.map((r) => r.name)).toEqual(['DACH', 'Fallback']);
    expect(page.rules[0].config).toMatchObject({ conditions: [{ field: 'country', values: ['DE', 'AT'] }], slaMinutes: 30 });
    expect(page.members.find((m) => m.userId === rep.userId)).toMatchObject({ available: false, maxPerDay: 20 });
  });

  it('predictive: training is refused below the minimum, bad exclusions are field errors', async () => {
    const owner = await signUp();
    const page = (await (await settle(() => predictiveLoader(args(getRequest('/settings/predictive', owner.jar))))).json()) as {
      status: { offer: boolean; reason: string };
    };
    expect(page.status).toMatchObject({ offer: false, reason: expect.stringMatching(/50 more converted leads and 50 more lost leads/) });
    const refused = await post(predictiveAction, '/settings/predictive', owner, { intent: 'train', excludeFields: 'title' });
    expect(refused.status).toBe(409);
    const bad = await post(predictiveAction, '/settings/predictive', owner, { intent: 'train', excludeFields: 'title, drop table;' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors.excludeFields).toMatch(/not a field name/);
  });

  it('notifications: the bell counts unread ones; marking read clears it', async () => {
    const owner = await signUp();
    await appDatabase().withTenant(owner.tenantId, (tx) =>
      tx.execute(sql`insert into notifications (tenant_id, user_id, kind, payload) values (${owner.tenantId}, ${owner.userId}, 'lead_assigned', ${JSON.stringify({ count: 1, leads: [{ id: '00000000-0000-4000-8000-000000000001', name: 'Ada' }] })}::jsonb)`),
    );
    const shell = (await (await settle(() => shellLoader(args(getRequest('/leads', owner.jar))))).json()) as { unread: number };
    expect(shell.unread).toBe(1);
    const list = (await (await settle(() => notificationsLoader(args(getRequest('/notifications', owner.jar))))).json()) as { notifications: Array<{ text: string }> };
    expect(list.notifications[0].text).toBe('Ada was assigned to you');
    expect((await post(notificationsAction, '/notifications', owner, {})).status).toBe(200);
    const after = (await (await settle(() => shellLoader(args(getRequest('/leads', owner.jar))))).json()) as { unread: number };
    expect(after.unread).toBe(0);
  });

  it('leadflow score <leadId> --tenant <slug> prints the score and its explanation as JSON', async () => {
    const owner = await signUp();
    const lead = await appDatabase().withTenant(owner.tenantId, (tx) =>
      createLead(tx, owner.tenantId, { email: 'ceo@cli-co.example', title: 'CEO', source: 'referral', phone: '+44 20 7946 0018' }),
    );
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    stderr.resume();
    const code = await runCli(['score', lead.id, '--tenant', owner.slug], { stdin: Object.assign(Readable.from([]), { isTTY: true }), stdout, stderr });
    expect(code).toBe(0);
    const result = JSON.parse(out) as { score: number; grade: string; contributions: Array<{ label: string; points: number }> };
    expect(result.contributions.map((c) => c.label)).toEqual(expect.arrayContaining(['Senior decision maker', 'Source: referral']));
    expect(result.contributions.reduce((s, c) => s + Math.round(c.points * 100), 0)).toBe(result.score * 100);
    const missing = await runCli(['score', '00000000-0000-4000-8000-000000000000', '--tenant', owner.slug], { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() });
    expect(missing).toBe(1);
    expect(await runCli(['score', 'nope', '--tenant', owner.slug], { stdin: Readable.from([]), stdout: new PassThrough(), stderr: new PassThrough() })).toBe(2);
  });
});
