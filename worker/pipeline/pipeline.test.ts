/**
 * The lead pipeline end to end with the real Graphile Worker, on a database of its own: a lead
 * change queues a job in its own transaction; the job enriches (local providers, then a network
 * pass against loopback servers and a static resolver — nothing leaves the machine), scores with
 * an explanation, moves the stage on a threshold and assigns.
 */
import pg from 'pg';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db';
import { createStaticResolver } from '../enrichment';
import { startLoopbackServer, type LoopbackServer } from '../enrichment/test-support';
import { createLead, updateLead } from '../../app/models/lead.server';
import { createRule } from '../../app/models/assignment.server';
import { saveScoringModel } from '../../app/models/scoring.server';
import { activateModel, NotEnoughLabelledDataError, requestTraining } from '../../app/models/predictive.server';
import { rescoreTenant } from './rescore.server';
import { explanationJsonbText } from './explanation';
import { uuidv7 } from '../../db/ids';
import { defaultScoringModel } from '../scoring';
import type { WorkerHandle } from '../index';
import { configurePipeline } from './context.server';
import { PgEnrichmentCache } from './enrichment-cache.server';
import { processLeads } from './process.server';
import { createWorkspace, insertLeadsQuietly, scratchDatabase, useScratchDatabase, waitFor, type ScratchDatabase } from './test-support';
import { pipelineContext } from './context.server';

const PAGE = `<html lang="en"><head><title>Acme Robotics</title>
<meta name="description" content="Industrial robots, CNC machining and factory automation systems for manufacturers.">
</head><body><h1>Precision manufacturing</h1><a href="https://www.linkedin.com/company/acme-robotics">LinkedIn</a></body></html>`;
const RDAP = {
  objectClassName: 'domain',
  ldhName: 'acme.test',
  events: [{ eventAction: 'registration', eventDate: '2010-03-01T00:00:00Z' }],
  entities: [{ objectClassName: 'entity', roles: ['registrar'], vcardArray: ['vcard', [['fn', {}, 'text', 'Test Registrar Ltd']]] }],
};

let scratch: ScratchDatabase;
let db: Database;
let owner: pg.Client;
let server: LoopbackServer;
let worker: WorkerHandle | undefined;

const cents = (points: number) => Math.round(points * 100);

beforeAll(async () => {
  scratch = await useScratchDatabase('pipeline');
  db = scratchDatabase(scratch);
  owner = new pg.Client({ connectionString: scratch.ownerUrl });
  await owner.connect();
  server = await startLoopbackServer((req, res) => {
    if (req.url?.startsWith('/rdap/domain/')) {
      res.writeHead(200, { 'content-type': 'application/rdap+json' });
      res.end(JSON.stringify(RDAP));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  configurePipeline({
    network: true,
    networkDeps: {
      resolver: createStaticResolver({ 'acme.test': { a: ['127.0.0.1'], mx: [{ exchange: 'mx.acme.test', priority: 10 }] } }),
      allowCidrs: ['127.0.0.1/32'],
      rdap: { baseUrl: `${server.origin}/rdap` },
      website: {},
      sleep: () => Promise.resolve(),
      tuning: { rdap: { retries: 0 }, website: { retries: 0 } },
    },
  });
  const { startWorker } = await import('../index');
  worker = await startWorker(pino({ level: 'silent' }));
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await owner?.end();
  await db?.close();
  const { database } = await import('../../app/lib/db.server');
  await database().close();
  await scratch?.drop();
});

async function leadRow(tenantId: string, id: string) {
  return db.withTenant(tenantId, async (tx) => {
    const rows = await tx.execute<{
      score: number;
      score_grade: string | null;
      score_explanation: Array<{ points: number; label: string; kind: string }> | null;
      scored_at: Date | null;
      owner_id: string | null;
      country: string | null;
      timezone: string | null;
      website: string | null;
      industry: string | null;
      stage: string;
      enrichment: Record<string, { value: unknown; provenance: { provider: string; fetchedAt: string; cached: boolean } }>;
    }>(sql`select score, score_grade, score_explanation, scored_at, owner_id, country, timezone, website, industry, stage, enrichment from leads where id = ${id}`);
    return rows.rows[0];
  });
}

async function eventTypes(tenantId: string, id: string): Promise<string[]> {
  return db.withTenant(tenantId, async (tx) => {
    const rows = await tx.execute<{ type: string }>(sql`select type from lead_events where lead_id = ${id} order by occurred_at, id`);
    return rows.rows.map((r) => r.type);
  });
}

async function jobRuns(tenantId: string, task: string) {
  return db.withTenant(tenantId, async (tx) => {
    const rows = await tx.execute<{ status: string; summary: Record<string, number> }>(sql`select status, summary from job_runs where task = ${task} order by finished_at`);
    return rows.rows;
  });
}

describe('lead pipeline with the real worker', () => {
  it('a created lead is enriched (with provenance), filled, scored with an explanation that sums to the score, and assigned', async () => {
    const ws = await createWorkspace(db, 2);
    await db.withTenant(ws.tenantId, (tx) =>
      createRule(tx, ws.tenantId, { name: 'Team', kind: 'round_robin', enabled: true, config: { conditions: [], pool: ws.users.map((userId) => ({ userId, weight: 1 })), slaMinutes: null } }, null),
    );
    const lead = await db.withTenant(ws.tenantId, (tx) =>
      createLead(tx, ws.tenantId, {
        email: 'jane.doe@acme.test',
        firstName: 'Jane',
        lastName: 'Doe',
        title: 'CEO',
        phone: '+49 30 901820',
        companyName: 'Acme Robotics',
        website: `http://acme.test:${server.port}/`,
        source: 'referral',
      }),
    );
    const row = await waitFor(async () => {
      const r = await leadRow(ws.tenantId, lead.id);
      return r.scored_at && r.owner_id ? r : null;
    }, 20_000, 'the lead to be scored and assigned');

    // Local enrichment: domains, email policy, phone → country and time zone, with provenance.
    expect(row.enrichment.domain.value).toMatchObject({ companyDomain: 'acme.test' });
    expect(row.enrichment.email.value).toMatchObject({ valid: true, free: false });
    expect(row.enrichment.geo.value).toMatchObject({ country: 'DE', timezone: 'Europe/Berlin' });
    expect(row.enrichment.geo.provenance).toMatchObject({ provider: 'geo' });
    // Empty fields filled, nothing the user typed overwritten.
    expect(row).toMatchObject({ country: 'DE', timezone: 'Europe/Berlin', website: `http://acme.test:${server.port}/` });

    // The explanation lists every contribution and sums to the score, to the cent.
    const explanation = row.score_explanation!;
    expect(explanation.map((c) => c.label)).toEqual(expect.arrayContaining(['Senior decision maker', 'Source: referral']));
    expect(explanation.reduce((sum, c) => sum + cents(c.points), 0)).toBe(row.score * 100);
    expect(row.score).toBeGreaterThan(0);
    expect(row.score_grade).toMatch(/^[A-F]$/);

    // Assigned to the first rep in the rotation, who is notified in-app.
    expect(row.owner_id).toBe(ws.users[0]);
    const notes = await db.withTenant(ws.tenantId, (tx) => tx.execute<{ user_id: string; kind: string }>(sql`select user_id, kind from notifications`));
    expect(notes.rows).toEqual([{ user_id: ws.users[0], kind: 'lead_assigned' }]);
    expect(await eventTypes(ws.tenantId, lead.id)).toEqual(['created', 'assigned']);

    // The network pass (loopback website and RDAP, static DNS) follows and is cached per domain.
    const enriched = await waitFor(async () => {
      const r = await leadRow(ws.tenantId, lead.id);
      return r.enrichment.website && r.enrichment.rdap ? r : null;
    }, 20_000, 'the network pass');
    expect(enriched.enrichment.website.value).toMatchObject({ title: 'Acme Robotics' });
    expect(enriched.enrichment.rdap.value).toMatchObject({ registrar: { name: 'Test Registrar Ltd' } });
    expect(enriched.enrichment.email.value).toMatchObject({ dns: 'ok' });
    expect(enriched.industry).toBe('manufacturing');
    const cache = await owner.query<{ key: string }>(`select key from enrichment_cache order by key`);
    expect(cache.rows.map((r) => r.key)).toEqual(expect.arrayContaining(['rdap@1:acme.test']));
    expect(cache.rows.some((r) => r.key.startsWith('website@1:'))).toBe(true);
    const runs = await jobRuns(ws.tenantId, 'process_leads');
    expect(runs[0]).toMatchObject({ status: 'succeeded', summary: { leads: 1, scored: 1, assigned: 1 } });
  });

  it('debounces: twenty quick saves of one lead run the pipeline once', async () => {
    const ws = await createWorkspace(db, 1);
    const [id] = await insertLeadsQuietly(db, ws.tenantId, [{ email: 'debounce@example.com' }]);
    for (let i = 0; i < 20; i++) {
      await db.withTenant(ws.tenantId, (tx) => updateLead(tx, ws.tenantId, id, { title: `Manager ${i}` }, { type: 'user', id: ws.users[0] }));
    }
    const queued = await owner.query<{ n: number }>(`select count(*)::int as n from graphile_worker.jobs where key = $1`, [`lead:${id}`]);
    expect(queued.rows[0].n).toBeLessThanOrEqual(1);
    await waitFor(async () => (await leadRow(ws.tenantId, id)).scored_at, 20_000, 'the debounced run');
    await new Promise((r) => setTimeout(r, 2500)); // a second run would have happened by now
    expect(await jobRuns(ws.tenantId, 'process_leads')).toHaveLength(1);
  });

  it('queues nothing when only pipeline outputs (enrichment, score, owner) change', async () => {
    const ws = await createWorkspace(db, 1);
    const [id] = await insertLeadsQuietly(db, ws.tenantId, [{ email: 'quiet@example.com' }]);
    await db.withTenant(ws.tenantId, (tx) =>
      tx.execute(sql`update leads set score = 42, score_grade = 'C', enrichment = '{"x":1}', owner_id = ${ws.users[0]}, predicted_probability = 0.5 where id = ${id}`),
    );
    const jobs = await owner.query<{ n: number }>(`select count(*)::int as n from graphile_worker._private_jobs where payload::text like $1`, [`%${id}%`]);
    expect(jobs.rows[0].n).toBe(0);
    // …while a real edit does.
    await db.withTenant(ws.tenantId, (tx) => tx.execute(sql`update leads set title = 'CTO' where id = ${id}`));
    const after = await owner.query<{ n: number }>(`select count(*)::int as n from graphile_worker.jobs where key = $1`, [`lead:${id}`]);
    expect(after.rows[0].n).toBe(1);
  });

  it('a bulk statement queues one job per 500 leads', async () => {
    const ws = await createWorkspace(db, 1);
    await db.withTenant(ws.tenantId, (tx) =>
      tx.execute(sql`insert into leads (tenant_id, id, email) select ${ws.tenantId}::uuid, gen_random_uuid(), 'bulk' || g || '@example.com' from generate_series(1, 1200) g`),
    );
    const jobs = await owner.query<{ n: number }>(
      `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'process_leads' and j.payload->>'tenantId' = $1`,
      [ws.tenantId],
    );
    // Possibly already running/ran; either way at most 3 jobs covered the 1,200 leads.
    const done = await jobRuns(ws.tenantId, 'process_leads');
    expect(jobs.rows[0].n + done.length).toBe(3);
    await waitFor(async () => {
      const r = await db.withTenant(ws.tenantId, (tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from leads where scored_at is null`));
      return r.rows[0].n === 0;
    }, 30_000, 'the bulk insert to be scored');
  });

  it('crossing a threshold moves the stage (to MQL) and records the event for workflows', async () => {
    const ws = await createWorkspace(db, 1);
    await db.withTenant(ws.tenantId, (tx) =>
      saveScoringModel(
        tx,
        ws.tenantId,
        { ...defaultScoringModel, thresholds: [{ score: 20, stage: 'mql', event: 'lead.became_mql' }, { score: 95, stage: 'sql', event: 'lead.became_sql' }] },
        null,
      ),
    );
    const lead = await db.withTenant(ws.tenantId, (tx) => createLead(tx, ws.tenantId, { email: 'ceo@bigcorp.example', title: 'CEO', source: 'referral', firstName: 'Big' }));
    const row = await waitFor(async () => {
      const r = await leadRow(ws.tenantId, lead.id);
      return r.stage === 'mql' ? r : null;
    }, 20_000, 'the stage to move');
    expect(row.score).toBeGreaterThanOrEqual(20);
    expect(row.score).toBeLessThan(95);
    // The company website comes from the business email's domain (the field was empty).
    expect(row.website).toBe('https://bigcorp.example');
    const events = await db.withTenant(ws.tenantId, (tx) =>
      tx.execute<{ type: string; payload: Record<string, unknown> }>(sql`select type, payload from lead_events where lead_id = ${lead.id} and actor_type = 'system' order by type`),
    );
    expect(events.rows).toEqual([
      { type: 'score_threshold_crossed', payload: expect.objectContaining({ direction: 'up', threshold: 20, event: 'lead.became_mql', stage: 'mql', previousScore: null }) },
      { type: 'stage_changed', payload: { from: 'new', to: 'mql', reason: 'score_threshold' } },
    ]);
    // Re-processing the lead (a retry, a later edit) does not report the crossing again.
    await processLeads(db, ws.tenantId, [lead.id], { enricher: pipelineContext().local });
    expect((await eventTypes(ws.tenantId, lead.id)).filter((t) => t === 'score_threshold_crossed')).toHaveLength(1);
  });

  it('a job for tenant A never reads or writes tenant B', async () => {
    const a = await createWorkspace(db, 1);
    const b = await createWorkspace(db, 1);
    const [leadB] = await insertLeadsQuietly(db, b.tenantId, [{ email: 'secret@tenant-b.example' }]);
    // Directly…
    expect(await processLeads(db, a.tenantId, [leadB], { enricher: pipelineContext().local })).toMatchObject({ leads: 0, scored: 0 });
    // …and through the queue, with a payload naming B's lead under A.
    await owner.query(`select graphile_worker.add_job('process_leads', json_build_object('tenantId', $1::text, 'leadIds', json_build_array($2::text)))`, [a.tenantId, leadB]);
    await waitFor(async () => (await jobRuns(a.tenantId, 'process_leads')).length > 0, 20_000, "A's job");
    expect((await jobRuns(a.tenantId, 'process_leads'))[0].summary).toMatchObject({ leads: 0 });
    const untouched = await leadRow(b.tenantId, leadB);
    expect(untouched).toMatchObject({ scored_at: null, enrichment: {} });
    expect(await jobRuns(b.tenantId, 'process_leads')).toEqual([]);
  });

  it('the Postgres enrichment cache keeps values per key until they expire', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const cache = new PgEnrichmentCache(db.db, { now: () => now });
    const entry = { provider: 'rdap', value: { ageDays: 10 }, confidence: 0.9, fetchedAt: new Date(now).toISOString() };
    await cache.set('rdap@1:cache-test.example', entry, 60_000);
    expect(await cache.get('rdap@1:cache-test.example')).toEqual(entry);
    now += 61_000;
    expect(await cache.get('rdap@1:cache-test.example')).toBeUndefined();
    expect(await cache.prune()).toBeGreaterThanOrEqual(1);
  });

  it('the update trigger names every lead column as a pipeline input or as ignored', async () => {
    const fn = await owner.query<{ body: string }>(`select pg_get_functiondef('leadflow_pipeline_after_update'::regproc) as body`);
    const columns = await owner.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'leads'`,
    );
    const body = fn.rows[0].body;
    const missing = columns.rows.map((c) => c.column_name).filter((c) => !new RegExp(`\\b${c}\\b`).test(body));
    expect(missing).toEqual([]);
  });
});

describe('bulk re-scoring', () => {
  it('renders explanations exactly as PostgreSQL prints the stored jsonb', async () => {
    const lines = [
      { kind: 'fit', ruleId: 'senior-title', label: 'Senior decision maker', points: 15 },
      { kind: 'completeness', label: 'Profile completeness (6/7 fields)', points: 8.57 },
      { kind: 'behaviour', ruleId: 'form_submitted', label: 'Form submitted × 2 (decayed)', points: 19.33 },
      { kind: 'source', ruleId: 'référence', label: 'Source: "Ré\\f"\t\n✓', points: 0.1 },
      { kind: 'negative', ruleId: 'bounced', label: 'Email bounced', points: -25 },
      { kind: 'rounding', label: 'Rounded to a whole score', points: -0.01 },
    ] as const;
    const printed = await owner.query<{ text: string }>(`select $1::jsonb::text as text`, [JSON.stringify(lines)]);
    expect(explanationJsonbText([...lines])).toBe(printed.rows[0].text);
  });

  it('writes only what changed: nothing when nothing did; the nightly decay run only moved scores; a model edit every changed explanation', async () => {
    const ws = await createWorkspace(db, 1);
    const ids = await insertLeadsQuietly(
      db,
      ws.tenantId,
      Array.from({ length: 60 }, (_, i) => ({ email: `bulk${i}@co${i % 7}.example`, companySize: ['1-10', '51-200', '1000+'][i % 3], country: i % 2 ? 'DE' : undefined })),
    );
    // Behaviour for two leads in three, of different ages (decay moves their points every day).
    const day = 86_400_000;
    const t0 = Date.parse('2030-01-15T00:00:00Z');
    await db.withTenant(ws.tenantId, async (tx) => {
      await tx.execute(sql`select set_config('leadflow.pipeline_write', 'on', true)`);
      const events = ids.flatMap((id, i) => (i % 3 === 0 ? [] : [{ id: uuidv7(), lead_id: id, at: new Date(t0 - (i % 20) * day).toISOString() }]));
      await tx.execute(sql`
        insert into lead_events (tenant_id, id, lead_id, type, actor_type, occurred_at)
        select ${ws.tenantId}::uuid, x.id, x.lead_id, 'form_submitted', 'capture', x.at
        from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as x(id uuid, lead_id uuid, at timestamptz)`);
    });
    const stored = async () =>
      (
        await db.withTenant(ws.tenantId, (tx) =>
          tx.execute<{ id: string; score: number; score_explanation: Array<{ points: number; label: string }>; scored_at: Date }>(
            sql`select id, score, score_explanation, scored_at from leads order by id`,
          ),
        )
      ).rows;

    const first = await rescoreTenant(db, ws.tenantId, { now: new Date(t0), chunkSize: 7, concurrency: 2 });
    expect(first).toMatchObject({ leads: 60, written: 60 });
    expect(await rescoreTenant(db, ws.tenantId, { now: new Date(t0), chunkSize: 7 })).toMatchObject({ leads: 60, written: 0 });
    const before = await stored();

    // A day later, nightly: only leads whose score (or grade) moved are written; the others keep
    // the explanation of their stored score, which still adds up to it.
    const nightly = await rescoreTenant(db, ws.tenantId, { now: new Date(t0 + day), chunkSize: 7, decay: true });
    const after = await stored();
    const moved = after.filter((r, i) => r.score !== before[i].score).length;
    expect(nightly.written).toBe(moved);
    for (const [i, row] of after.entries()) {
      expect(row.score_explanation.reduce((sum, c) => sum + cents(c.points), 0)).toBe(row.score * 100);
      if (row.score === before[i].score) expect(row).toEqual(before[i]);
    }
    // The same day without `decay` (e.g. after a model change) refreshes every decayed line.
    const exact = await rescoreTenant(db, ws.tenantId, { now: new Date(t0 + day), chunkSize: 7 });
    expect(exact.written).toBeGreaterThan(0);
    expect(exact.written).toBeLessThanOrEqual(40);
    expect(await rescoreTenant(db, ws.tenantId, { now: new Date(t0 + day), chunkSize: 7, decay: true })).toMatchObject({ written: 0 });

    // Relabelling a rule moves no score, yet every lead it applies to is rewritten. (Stored by
    // hand: saveScoringModel would also queue a re-score for the running worker.)
    const relabelledModel = { ...defaultScoringModel, fitRules: defaultScoringModel.fitRules.map((r) => (r.id === 'company-50' ? { ...r, label: 'Mid-size or larger' } : r)) };
    await db.withTenant(ws.tenantId, (tx) =>
      tx.execute(sql`insert into scoring_models (tenant_id, model) values (${ws.tenantId}, ${JSON.stringify(relabelledModel)}::jsonb)`),
    );
    const relabelled = await rescoreTenant(db, ws.tenantId, { now: new Date(t0 + day), chunkSize: 7, decay: true });
    expect(relabelled.written).toBe(40); // the leads of 51-200 and 1000+ employees
    const rows = await stored();
    expect(rows.filter((r) => r.score_explanation.some((c) => c.label === 'Mid-size or larger'))).toHaveLength(40);
  });
});

/** Closed leads with a known signal: referrals and senior titles convert far more often. */
async function seedLabelledLeads(tenantId: string, n: number, seed = 7) {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows = Array.from({ length: n }, (_, i) => {
    const referral = rand() < 0.5;
    const senior = rand() < 0.5;
    const p = 0.1 + (referral ? 0.45 : 0) + (senior ? 0.3 : 0);
    return {
      id: uuidv7(Date.now() - (n - i) * 1000),
      email: `closed${i}@co${i % 40}.example`,
      title: senior ? 'VP Sales' : 'Analyst',
      source: referral ? 'referral' : 'paid_search',
      company_size: ['1-10', '11-50', '51-200'][i % 3],
      stage: rand() < p ? 'customer' : 'lost',
    };
  });
  await db.withTenant(tenantId, async (tx) => {
    await tx.execute(sql`select set_config('leadflow.pipeline_write', 'on', true)`);
    await tx.execute(sql`
      insert into leads (tenant_id, id, email, title, source, company_size, stage)
      select ${tenantId}::uuid, id, email, title, source, company_size, stage
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, email text, title text, source text, company_size text, stage text)`);
  });
}

describe('predictive scoring jobs', () => {
  it('below the labelled-data minimum no training is offered or run', async () => {
    const ws = await createWorkspace(db, 1);
    await seedLabelledLeads(ws.tenantId, 40);
    await expect(db.withTenant(ws.tenantId, (tx) => requestTraining(tx, ws.tenantId, { excludeFields: [], userId: null }))).rejects.toBeInstanceOf(
      NotEnoughLabelledDataError,
    );
  });

  it('trains on the tenant’s closed leads through the worker: progress, cross-validated AUC well above 0.5, calibration; switched on, it predicts', async () => {
    const ws = await createWorkspace(db, 1);
    await seedLabelledLeads(ws.tenantId, 600);
    const queued = await db.withTenant(ws.tenantId, (tx) => requestTraining(tx, ws.tenantId, { excludeFields: ['companySize'], userId: ws.users[0] }));
    expect(queued.status).toBe('queued');
    const seen = new Set<number>();
    const model = await waitFor(async () => {
      const rows = await db.withTenant(ws.tenantId, (tx) =>
        tx.execute<{ status: string; progress: number; metrics: { auc: number; calibration: unknown[]; excluded: Array<{ column: string; reason: string }> } | null; error: string | null }>(
          sql`select status, progress, metrics, error from predictive_models where id = ${queued.id}`,
        ),
      );
      const r = rows.rows[0];
      if (r.status === 'training') seen.add(r.progress);
      if (r.status === 'failed') throw new Error(r.error ?? 'failed');
      return r.status === 'ready' ? r : null;
    }, 120_000, 'training');
    expect(model.progress).toBe(1);
    expect(model.metrics!.auc).toBeGreaterThan(0.7);
    expect(model.metrics!.calibration.length).toBeGreaterThan(0);
    const excluded = model.metrics!.excluded.map((e) => e.column);
    expect(excluded).toEqual(expect.arrayContaining(['stage', 'companySize']));
    // Switched on: a re-score stores a probability next to every lead's rule score.
    await db.withTenant(ws.tenantId, (tx) => activateModel(tx, ws.tenantId, queued.id, ws.users[0]));
    await rescoreTenant(db, ws.tenantId);
    const predictions = await db.withTenant(ws.tenantId, (tx) =>
      tx.execute<{ source: string; title: string; p: number }>(sql`select source, title, avg(predicted_probability) as p from leads group by 1, 2`),
    );
    const p = (source: string, title: string) => Number(predictions.rows.find((r) => r.source === source && r.title === title)?.p);
    expect(p('referral', 'VP Sales')).toBeGreaterThan(p('paid_search', 'Analyst') + 0.3);
    const runs = await jobRuns(ws.tenantId, 'train_predictive_model');
    expect(runs[0]).toMatchObject({ status: 'succeeded', summary: { status: 'ready' } });
  });
});
