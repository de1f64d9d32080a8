// Workflow outbox prune (issue 4), printing figures (not a test). On a scratch database created
// and dropped on the server in DATABASE_URL / TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432), as the application role (RLS on):
//   one tenant with one published workflow (lead.created) and a history of --history events, all
//   delivered (one workflow_deliveries row each), plus --pending undelivered ones; a second tenant
//   with --history / 10 delivered events (must stay untouched by the first tenant's prune).
//   Timed: the deliverer's pending query (the exact SQL of deliverPendingEvents, median of 5)
//   before and after the prune; the prune itself (pruneWorkflowOutbox, the cron task's per-tenant
//   work); an idle re-run (what the 10-minute cron costs when nothing is left to delete).
//   --no-event-index drops workflow_deliveries_event_idx (migration 0014) first, for comparison.
//   npx tsx bench/outbox-prune.ts [--history 500000] [--pending 1000] [--no-event-index] [--keep]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { load } from './leads/util';
import { appRoleDatabase, scratchDatabase } from './scratch';
import { migrateDatabase } from '../db/migrate';
import { DELIVERY_BATCH } from '../app/lib/workflow-deploy.server';
import { pruneWorkflowOutbox } from '../app/lib/workflow-outbox.server';

const { values } = parseArgs({
  options: {
    history: { type: 'string', default: '500000' },
    pending: { type: 'string', default: '1000' },
    'no-event-index': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const HISTORY = Number(values.history);
const PENDING = Number(values.pending);

const { dbName, maintenance, ownerUrl } = scratchDatabase('leadflow_bench_outbox');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// A payload about the size of a real lead event (leadflow_lead_json of a filled-in lead: ~1 kB).
const GENERATE = `
  insert into lead_outbox (tenant_id, id, type, lead_id, payload, created_at)
  select $1::uuid, gen_random_uuid(), 'lead.created', gen_random_uuid(),
         jsonb_build_object('type', 'lead.created', 'tenantId', $1::text, 'lead', jsonb_build_object(
           'email', 'person' || g || '@company' || (g % 5000) || '.example', 'first_name', 'Ada', 'last_name', 'Lastname' || (g % 997),
           'title', 'Head of Sales', 'company', 'Company ' || (g % 5000), 'notes', repeat('x', 700))),
         now() - make_interval(secs => $2::int - g * 0.5)
  from generate_series(1, $2::int) g`;

async function main() {
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(dbName)}`);
  console.log(`scratch database ${dbName}; ${fmt(HISTORY)} delivered + ${fmt(PENDING)} pending events (${load()})`);
  const owner = new pg.Client({ connectionString: ownerUrl.toString() });
  try {
    await migrateDatabase(ownerUrl.toString());
    await owner.connect();
    if (values['no-event-index']) await owner.query(`drop index workflow_deliveries_event_idx`);
    const tenant = async (slug: string) =>
      (await owner.query<{ id: string }>(`insert into tenants (slug, name) values ($1, $1) returning id`, [slug])).rows[0].id;
    const workflow = async (tenantId: string) =>
      (
        await owner.query<{ id: string; published_at: Date }>(
          `insert into workflows (tenant_id, name, graph, status, trigger_events, webhook_path, published_at)
           values ($1, 'wf', '{}', 'published', '{lead.created}', 'wf-' || gen_random_uuid(), now() - interval '30 days') returning id, published_at`,
          [tenantId],
        )
      ).rows[0];
    const t1 = await tenant('bench');
    const t2 = await tenant('bench2');
    const w1 = await workflow(t1);
    const w2 = await workflow(t2);
    let t = performance.now();
    for (const [tenantId, wf, n] of [
      [t1, w1, HISTORY],
      [t2, w2, Math.round(HISTORY / 10)],
    ] as const) {
      await owner.query(GENERATE, [tenantId, n]);
      await owner.query(
        `insert into workflow_deliveries (tenant_id, workflow_id, event_id) select tenant_id, $2, id from lead_outbox where tenant_id = $1`,
        [tenantId, wf.id],
      );
    }
    // Pending: newer than every delivered one.
    await owner.query(
      `insert into lead_outbox (tenant_id, id, type, lead_id, payload, created_at)
       select $1::uuid, gen_random_uuid(), 'lead.created', gen_random_uuid(), '{"type":"lead.created"}', now() + make_interval(secs => g) from generate_series(1, $2::int) g`,
      [t1, PENDING],
    );
    await owner.query(`vacuum analyze lead_outbox, workflow_deliveries`);
    console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const db = appRoleDatabase(ownerUrl, 2);
    const counts = async (tenantId: string) => {
      const r = await db.withTenant(tenantId, (tx) =>
        tx.execute<{ events: number; deliveries: number }>(
          sql`select (select count(*) from lead_outbox)::int as events, (select count(*) from workflow_deliveries)::int as deliveries`,
        ),
      );
      return r.rows[0];
    };
    const sizes = async () =>
      (
        await owner.query<{ outbox: string; deliveries: string }>(
          `select pg_size_pretty(pg_total_relation_size('lead_outbox')) as outbox, pg_size_pretty(pg_total_relation_size('workflow_deliveries')) as deliveries`,
        )
      ).rows[0];
    // The deliverer's pending query, exactly as deliverPendingEvents runs it (first batch).
    const pendingQuery = async () => {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        rows = await db.withTenant(t1, async (tx) => {
          await tx.execute(sql`set local enable_nestloop = off`);
          const r = await tx.execute(sql`
            select o.id, o.payload from lead_outbox o
            where o.type = any(${'{lead.created}'}::text[]) and o.created_at >= ${w1.published_at}
              and not exists (select 1 from workflow_deliveries d where d.workflow_id = ${w1.id} and d.event_id = o.id)
            order by o.created_at, o.id
            limit ${DELIVERY_BATCH}`);
          return r.rows.length;
        });
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      return { ms: times[2], rows };
    };

    const before = await pendingQuery();
    console.log(`before: tenant rows ${JSON.stringify(await counts(t1))}, sizes ${JSON.stringify(await sizes())}`);
    console.log(`deliverer pending query before prune: ${before.ms.toFixed(1)} ms (median of 5, ${before.rows} rows)`);

    t = performance.now();
    const pruned = await pruneWorkflowOutbox(db, t1, { retentionHours: 168 });
    const pruneMs = performance.now() - t;
    console.log(
      `prune: ${JSON.stringify(pruned)} in ${(pruneMs / 1000).toFixed(2)} s = ${fmt(pruned.events / (pruneMs / 1000))} events/s (${load()})`,
    );
    t = performance.now();
    const idle = await pruneWorkflowOutbox(db, t1, { retentionHours: 168 });
    console.log(
      `idle re-run right after (only the ${fmt(PENDING)} pending left, dead rows not yet vacuumed): ${JSON.stringify(idle)} in ${(performance.now() - t).toFixed(1)} ms`,
    );
    await owner.query(`vacuum analyze lead_outbox, workflow_deliveries`);
    t = performance.now();
    await pruneWorkflowOutbox(db, t1, { retentionHours: 168 });
    console.log(`idle re-run after VACUUM (steady state of the 10-minute cron): ${(performance.now() - t).toFixed(1)} ms`);
    const after = await pendingQuery();
    console.log(
      `after: tenant rows ${JSON.stringify(await counts(t1))}; other tenant ${JSON.stringify(await counts(t2))} (untouched)`,
    );
    console.log(`deliverer pending query after prune: ${after.ms.toFixed(1)} ms (median of 5, ${after.rows} rows) (${load()})`);
    await db.close();
  } finally {
    await owner.end().catch(() => undefined);
    if (!values.keep) await admin.query(`drop database if exists ${admin.escapeIdentifier(dbName)} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
