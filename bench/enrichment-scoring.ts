// Lead pipeline benchmarks, printing figures (not a test). On a scratch database it creates and
// drops on the server in DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432),
// as the application role (RLS on):
//   (a) enrichment + scoring throughput with the local providers (network off): the JS work alone,
//       and the whole job (read, enrich, score, one UPDATE per 500 leads, assignment) in leads/s;
//   (b) re-scoring 1,000,000 leads of one tenant (made with INSERT … SELECT generate_series): keyset
//       chunks, the compiled scorer, one UPDATE … FROM jsonb_to_recordset per chunk. Scenarios: the
//       first scoring (every lead written), the nightly decay run a day later, nothing changed,
//       and a model edit (one rule re-weighted); the first three beside the previous
//       implementation (`rescoreBaseline` below: jsonb explanation parsed per lead, every
//       explanation difference written, commits waiting for the WAL flush).
//   npx tsx bench/enrichment-scoring.ts [--leads 1000000] [--pipeline 10000] [--concurrency 2] [--keep] [--no-baseline]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import type { Database } from '../db';
import { migrateDatabase } from '../db/migrate';
import { createEnricher, MemoryLruCache, NaiveBayesIndustryClassifier } from '../worker/enrichment';
import { compileScoringModel, defaultScoringModel, type Contribution } from '../worker/scoring';
import { fillInsFor, withFillIns, type PipelineLead } from '../worker/pipeline/lead-view';
import { processLeads } from '../worker/pipeline/process.server';
import { rescoreTenant, type RescoreSummary } from '../worker/pipeline/rescore.server';
import { scoreLeadForPipeline, type LeadScoreResult } from '../worker/pipeline/scoring';
import { LEAD_COLUMNS, loadEventsInRange, loadScoringConfig, writeResults } from '../worker/pipeline/store.server';
import { saveScoringModel } from '../app/models/scoring.server';
import { load } from './leads/util';
import { appRoleDatabase, scratchDatabase } from './scratch';

const { values } = parseArgs({
  options: {
    leads: { type: 'string', default: '1000000' },
    pipeline: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
  },
});
const RESCORE_LEADS = Number(values.leads);
const PIPELINE_LEADS = Number(values.pipeline);
const CONCURRENCY = Number(values.concurrency);

const { base, dbName, maintenance, ownerUrl } = scratchDatabase('leadflow_bench');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;


// Leads shaped like real ones: business and free mail, phones (→ country/time zone), titles,
// sources, company sizes; a third have behaviour events.
const GENERATED_LEAD = `
  insert into leads (tenant_id, id, email, first_name, last_name, phone, title, company_name, company_size, source, created_at)
  select $TENANT, ('018f0000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
         'person' || g || case when g % 4 = 0 then '@gmail.com' else '@company' || (g % 5000) || '.example' end,
         (array['Ada','Grace','Alan','Edsger','Barbara','Donald'])[1 + g % 6],
         'Lastname' || (g % 997),
         case when g % 3 = 0 then '+49 30 ' || (1000000 + g % 8999999) when g % 3 = 1 then '+1 415 555 ' || lpad((g % 10000)::text, 4, '0') end,
         (array['CEO','Head of Sales','Marketing Manager','Engineer','VP Operations','Analyst','Founder'])[1 + g % 7],
         'Company ' || (g % 5000),
         (array['1-10','11-50','51-200','201-500','1000+'])[1 + g % 5],
         (array['referral','organic_search','paid_search','event','cold_outbound','webinar'])[1 + g % 6],
         now() - (g % 400) * interval '1 day'
  from generate_series($FROM, $TO) g`;

async function insertLeads(owner: pg.Client, tenantId: string, from: number, to: number) {
  const text = GENERATED_LEAD.replace('$TENANT', `'${tenantId}'::uuid`)
    .replace('$FROM', String(from))
    .replace('$TO', String(to));
  await owner.query(text);
}


// ---------------------------------------------------------------------------------------------
// The previous re-score (kept as the baseline): the stored explanation read as jsonb (parsed per
// lead) and compared exactly, so every decayed behaviour line is a write.
function unchangedBaseline(lead: PipelineLead, result: LeadScoreResult): boolean {
  if (!lead.scoredAt || lead.score !== result.score || (lead.scoreGrade ?? null) !== result.grade) return false;
  const p = lead.predictedProbability ?? null;
  if ((p === null) !== (result.probability === null) || (p !== null && Math.abs(p - (result.probability ?? 0)) > 1e-6)) return false;
  const stored = lead.scoreExplanation;
  if (!Array.isArray(stored) || stored.length !== result.explanation.length) return false;
  for (let i = 0; i < stored.length; i++) {
    const a = stored[i] as Contribution;
    const b = result.explanation[i];
    if (a.points !== b.points || a.label !== b.label || a.kind !== b.kind || (a.ruleId ?? null) !== (b.ruleId ?? null)) return false;
  }
  return true;
}

async function rescoreBaseline(db: Database, tenantId: string, options: { chunkSize: number; concurrency: number; now: Date }): Promise<RescoreSummary> {
  const { chunkSize, now } = options;
  const config = await db.withTenant(tenantId, (tx) => loadScoringConfig(tx));
  const summary: RescoreSummary = { leads: 0, written: 0, crossings: 0, stageChanges: 0, chunks: 0 };
  let cursor: string | null = null;
  let exhausted = false;
  let claiming: Promise<unknown> = Promise.resolve();
  const claim = (): Promise<{ after: string | null; last: string } | null> => {
    const next: Promise<{ after: string | null; last: string } | null> = claiming.then(async () => {
      if (exhausted) return null;
      const after: string | null = cursor;
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.execute<{ last: string | null }>(sql`
          select id::text as last from (select id from leads ${after ? sql`where id > ${after}::uuid` : sql``} order by id limit ${chunkSize}) c order by id desc limit 1`),
      );
      const last = rows.rows[0]?.last ?? null;
      if (!last) {
        exhausted = true;
        return null;
      }
      cursor = last;
      return { after, last };
    });
    claiming = next.catch(() => undefined);
    return next;
  };
  const worker = async () => {
    for (;;) {
      const range = await claim();
      if (!range) return;
      const result = await db.withTenant(tenantId, async (tx) => {
        const leads = (
          await tx.execute<PipelineLead & Record<string, unknown>>(sql`
            select ${LEAD_COLUMNS}, score_grade as "scoreGrade", score_explanation as "scoreExplanation",
                   predicted_probability as "predictedProbability" from leads
            where ${range.after ? sql`id > ${range.after}::uuid` : sql`true`} and id <= ${range.last}::uuid
            order by id limit ${chunkSize}`)
        ).rows;
        if (leads.length === 0) return { leads: 0, written: 0, crossings: 0, stageChanges: 0 };
        const events = await loadEventsInRange(tx, leads[0].id, leads[leads.length - 1].id);
        const writes = leads
          .map((lead) => ({ lead, score: scoreLeadForPipeline(config.scorer, config.predictive, lead, events.get(lead.id) ?? [], now.getTime()) }))
          .filter(({ lead, score }) => !unchangedBaseline(lead, score))
          .map(({ score }) => ({ score }));
        const expected = new Map(leads.map((l) => [l.id, { score: l.score, scoredAt: l.scoredAt, stage: l.stage }]));
        const written = await writeResults(tx, tenantId, config, writes, { now, onlyChanged: true, expected });
        return { leads: leads.length, ...written };
      });
      summary.leads += result.leads;
      summary.written += result.written;
      summary.crossings += result.crossings;
      summary.stageChanges += result.stageChanges;
      summary.chunks++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return summary;
}

async function main() {
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(dbName)}`);
  console.log(`scratch database ${dbName} on ${base.host} (${load()})`);
  const owner = new pg.Client({ connectionString: ownerUrl.toString() });
  try {
    await migrateDatabase(ownerUrl.toString());
    await owner.connect();
    const db = appRoleDatabase(ownerUrl, CONCURRENCY * 2 + 2);
    const [{ id: tenantId }] = (await owner.query<{ id: string }>(`insert into tenants (slug, name) values ('bench', 'Bench') returning id`)).rows;
    const [{ id: tenant2 }] = (await owner.query<{ id: string }>(`insert into tenants (slug, name) values ('bench2', 'Bench 2') returning id`)).rows;
    // The pipeline's own inserts must not queue jobs here (no worker runs): session-level switch.
    await owner.query(`set leadflow.pipeline_write = 'on'`);

    // ---------------------------------------------------------------------------------------
    // (a) Enrichment + scoring throughput, local providers.
    await insertLeads(owner, tenant2, 1, PIPELINE_LEADS);
    await owner.query(`analyze leads`);
    const classifier = new NaiveBayesIndustryClassifier();
    const enricher = createEnricher({ resolver: null, rdap: false, website: false, industry: classifier, cache: new MemoryLruCache({ maxEntries: 20_000 }) });
    const sample: PipelineLead[] = (
      await db.withTenant(tenant2, (tx) =>
        tx.execute<PipelineLead & Record<string, unknown>>(sql`
          select id, email, first_name as "firstName", last_name as "lastName", phone, title, company_name as "companyName", website,
                 company_size as "companySize", industry, country, region, city, timezone, channel, source, medium, campaign, stage,
                 owner_id as "ownerId", tags, email_opt_in as "emailOptIn", sms_opt_in as "smsOptIn", unsubscribed,
                 do_not_contact as "doNotContact", custom, enrichment, score, scored_at as "scoredAt", created_at as "createdAt",
                 converted_at as "convertedAt" from leads order by id`),
      )
    ).rows;
    const scorer = compileScoringModel(defaultScoringModel);
    let t = performance.now();
    for (const lead of sample) {
      const { enrichment } = await enricher.enrichLead({ email: lead.email, website: lead.website, phone: lead.phone, country: lead.country, companyName: lead.companyName });
      scoreLeadForPipeline(scorer, null, withFillIns({ ...lead, enrichment }, fillInsFor(lead, enrichment)), [], Date.now());
    }
    const jsMs = performance.now() - t;
    console.log(`(a) enrich + score in JS, ${fmt(sample.length)} leads: ${seconds(jsMs)} → ${fmt((sample.length / jsMs) * 1000)} leads/s`);

    const ids = sample.map((l) => l.id);
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += 500) batches.push(ids.slice(i, i + 500));
    // A round-robin rule, so the job also assigns (as in production).
    await db.withTenant(tenant2, async (tx) => {
      const users = await tx.execute<{ id: string }>(sql`insert into users (email, password_hash) select 'rep' || g || '@bench.example', 'x' from generate_series(1, 4) g returning id`);
      for (const u of users.rows) await tx.execute(sql`insert into memberships (tenant_id, user_id, role) values (${tenant2}, ${u.id}, 'rep')`);
      await tx.execute(sql`insert into assignment_rules (tenant_id, position, name, kind, config)
        values (${tenant2}, 1, 'Team', 'round_robin', ${JSON.stringify({ pool: users.rows.map((u) => ({ userId: u.id, weight: 1 })) })}::jsonb)`);
    });
    t = performance.now();
    let next = 0;
    let assigned = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) {
          const batch = batches[next++];
          const summary = await processLeads(db, tenant2, batch, { enricher });
          assigned += summary.assigned;
        }
      }),
    );
    const jobMs = performance.now() - t;
    console.log(
      `(a) pipeline job (read, enrich, score, write, assign), ${fmt(ids.length)} leads in ${batches.length} jobs of 500, ${CONCURRENCY} at once: ${seconds(jobMs)} → ${fmt((ids.length / jobMs) * 1000)} leads/s (${fmt(assigned)} assigned)`,
    );

    // ---------------------------------------------------------------------------------------
    // (b) Re-scoring 1,000,000 leads of one tenant.
    t = performance.now();
    const step = 200_000;
    for (let from = 1; from <= RESCORE_LEADS; from += step) await insertLeads(owner, tenantId, from, Math.min(RESCORE_LEADS, from + step - 1));
    // Behaviour: a form submission for every third lead, an email open for every fifth.
    await owner.query(`
      insert into lead_events (tenant_id, id, lead_id, type, actor_type, occurred_at)
      select tenant_id, gen_random_uuid(), id, 'form_submitted', 'capture', created_at from leads where tenant_id = $1 and get_byte(uuid_send(id), 15) % 3 = 0
      union all
      select tenant_id, gen_random_uuid(), id, 'email_opened', 'system', created_at + interval '2 days' from leads where tenant_id = $1 and get_byte(uuid_send(id), 15) % 5 = 0`,
      [tenantId],
    );
    await owner.query(`vacuum analyze leads`);
    await owner.query(`vacuum analyze lead_events`);
    console.log(`(b) generated ${fmt(RESCORE_LEADS)} leads (+ events) in ${seconds(performance.now() - t)}`);

    const timed = async (label: string, run: () => Promise<RescoreSummary>) => {
      const started = performance.now();
      const r = await run();
      const ms = performance.now() - started;
      console.log(
        `(b) ${label}: ${seconds(ms)} → ${fmt((r.leads / ms) * 1000)} leads/s; ${fmt(r.leads)} leads, ${fmt(r.written)} written, ${fmt(r.crossings)} crossings, ${fmt(r.stageChanges)} stage moves (${load()})`,
      );
      return r;
    };
    const baseline = !values['no-baseline'];
    const opts = { concurrency: CONCURRENCY, chunkSize: 5000 };
    const day = 86_400_000;
    const t0 = Date.now();
    await timed('re-score, first scoring (every lead written)', () => rescoreTenant(db, tenantId, { ...opts, now: new Date(t0) }));
    // The nightly run a day later: behaviour points decayed; leads whose score did not move keep
    // their stored explanation (the breakdown of the stored score at its scored_at).
    await timed('nightly decay re-score, a day later', () => rescoreTenant(db, tenantId, { ...opts, now: new Date(t0 + day), decay: true }));
    if (baseline) await timed('  baseline (previous implementation), same run', () => rescoreBaseline(db, tenantId, { ...opts, now: new Date(t0 + day) }));
    await timed('re-score, nothing changed', () => rescoreTenant(db, tenantId, { ...opts, now: new Date(t0 + day) }));
    if (baseline) await timed('  baseline (previous implementation), same run', () => rescoreBaseline(db, tenantId, { ...opts, now: new Date(t0 + day) }));
    // A model edit that moves many scores: companies of 50+ employees 10 → 12 points.
    await db.withTenant(tenantId, (tx) =>
      saveScoringModel(tx, tenantId, { ...defaultScoringModel, fitRules: defaultScoringModel.fitRules.map((r) => (r.id === 'company-50' ? { ...r, points: 12 } : r)) }, null),
    );
    await timed('re-score after a model edit (one rule re-weighted)', () => rescoreTenant(db, tenantId, { ...opts, now: new Date(t0 + day) }));
    await db.close();
  } finally {
    await owner.end().catch(() => undefined);
    if (!values.keep) await admin.query(`drop database if exists ${admin.escapeIdentifier(dbName)} with (force)`);
    await admin.end();
  }
}

await main();
