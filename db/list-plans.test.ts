/**
 * The lead list and search must be answerable from indexes as the application role (RLS on):
 * EXPLAIN the exact SQL `listLeads` sends and check which index serves it and that no Sort runs.
 * A DESC-NULLS-LAST index behind a `ORDER BY … DESC` query, or a search condition the planner may
 * not push into the GIN index under RLS, fails here (both happened; see ADR 0006).
 * Sequential scans are disabled in the transaction so the small test table does not hide a plan
 * the planner could not build at all.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from './index';
import { sql } from 'drizzle-orm';
import { leadListQuery, listLeads, type LeadQuery } from '../app/models/lead.server';
import { createTenant } from '../app/models/tenant.server';
import { appDatabase, ownerClient, uniqueSlug } from '../test/helpers';

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('lead list and search plans as leadflow_app', () => {
  let tenantId: string;
  const app = new pg.Client({ connectionString: process.env.APP_DATABASE_URL });

  beforeAll(async () => {
    tenantId = (await createTenant(appDatabase(), { slug: uniqueSlug('plans'), name: 'Plans' })).id;
    const owner = ownerClient();
    await owner.connect();
    try {
      // 3,000 leads across stages and scores; one rare surname.
      await owner.query(
        `insert into leads (tenant_id, email, first_name, last_name, company_name, stage, score, created_at)
         select $1, 'person' || g || '@example' || (g % 40) || '.com', 'First' || (g % 300), 'Last' || g,
                'Company ' || (g % 90), (array['new','contacted','qualified','won','lost'])[1 + g % 5], g % 100,
                now() - make_interval(mins => g)
         from generate_series(1, 3000) g`,
        [tenantId],
      );
      await owner.query(`update leads set last_name = 'Zyxwvut' where tenant_id = $1 and last_name = 'Last1234'`, [tenantId]);
      // Flush the GIN pending list (as autovacuum would) so its cost estimate is the index's own.
      await owner.query(`select gin_clean_pending_list('leads_search_idx'::regclass)`);
      await owner.query('analyze leads');
    } finally {
      await owner.end();
    }
    await app.connect();
  });
  afterAll(async () => {
    await app.end();
  });

  async function plan(filter: LeadQuery, settings: string[] = []): Promise<PlanNode[]> {
    const db = drizzle(app, { schema });
    const { query } = leadListQuery(db as never, filter);
    const { sql: text, params } = query.toSQL();
    await app.query('begin');
    try {
      await app.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
      await app.query('set local enable_seqscan = off');
      for (const setting of settings) await app.query(`set local ${setting}`);
      const { rows } = await app.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (format json) ${text}`, params);
      return nodes(rows[0]['QUERY PLAN'][0].Plan);
    } finally {
      await app.query('rollback');
    }
  }

  const cases: Array<[string, LeadQuery, string]> = [
    ['newest first', {}, 'leads_tenant_created_idx'],
    ['oldest first', { sort: 'created' }, 'leads_tenant_created_idx'],
    ['stage filter, newest first', { stage: ['qualified'] }, 'leads_tenant_stage_created_idx'],
    ['stage filter, highest score first', { stage: ['qualified'], sort: '-score' }, 'leads_tenant_stage_score_idx'],
    ['highest score first', { sort: '-score' }, 'leads_tenant_score_idx'],
  ];
  for (const [name, filter, index] of cases) {
    it(`${name}: served in order by ${index}, no Sort`, async () => {
      const planNodes = await plan(filter);
      expect(planNodes.map((n) => n['Index Name']).filter(Boolean)).toContain(index);
      expect(planNodes.map((n) => n['Node Type'])).not.toContain('Sort');
    });
  }

  it('keyset pages equal the rows sorted in full, page after page (both sorts, both directions; microsecond timestamps)', async () => {
    const db = appDatabase();
    for (const sort of ['-created', 'created', '-score', 'score'] as const) {
      for (const stage of [undefined, ['won', 'lost', 'new']]) {
        const all = await db.withTenant(tenantId, (tx) =>
          tx.execute<{ id: string }>(
            sql.raw(`select id::text as id from leads ${stage ? `where stage in ('won','lost','new')` : ''}
                     order by ${sort.endsWith('score') ? 'score' : 'created_at'} ${sort.startsWith('-') ? 'desc' : 'asc'}, id ${sort.startsWith('-') ? 'desc' : 'asc'}`),
          ),
        );
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await db.withTenant(tenantId, (tx) => listLeads(tx, { sort, stage, cursor, limit: 400 }));
          paged.push(...page.leads.map((l) => l.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(paged).toEqual(all.rows.map((r) => r.id));
      }
    }
  });

  it('a rare-term search uses the full-text GIN index despite RLS', async () => {
    const owner = ownerClient();
    await owner.connect();
    try {
      const { rows } = await owner.query<{ proleakproof: boolean }>(
        `select proleakproof from pg_proc where oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure`,
      );
      expect(rows[0].proleakproof).toBe(true);
    } finally {
      await owner.end();
    }
    // Ordered index scans are off too: other test files add leads concurrently, and a scan of the
    // tenant's primary key with a filter must not mask whether the GIN index is usable at all.
    const planNodes = await plan({ q: 'zyxw' }, ['enable_indexscan = off']);
    expect(planNodes.map((n) => n['Index Name']).filter(Boolean)).toContain('leads_search_idx');
  });

  it('the prefix search finds what it should (folded tsquery keeps its meaning)', async () => {
    const db = appDatabase();
    const found = await db.withTenant(tenantId, (tx) => leadListQuery(tx, { q: 'zyxw' }).query);
    expect(found.map((l) => l.lastName)).toEqual(['Zyxwvut']);
    const both = await db.withTenant(tenantId, (tx) => leadListQuery(tx, { q: 'First107 Last1007' }).query);
    expect(both.map((l) => l.email)).toEqual(['person1007@example7.com']);
    const none = await db.withTenant(tenantId, (tx) => leadListQuery(tx, { q: '  @@ ' }).query);
    expect(none).toEqual([]);
  });
});
