/**
 * Fills the scratch database: one tenant with `big` leads and `others` tenants with `small` leads
 * each, in one set-based INSERT … SELECT FROM generate_series as the owner.
 *
 * For speed (and so the indexes come out as compact as a maintained table's), the leads table's
 * secondary indexes are dropped for the load and rebuilt afterwards from their own definitions,
 * and triggers are off for the load session (session_replication_role = replica: the outbox and
 * pipeline triggers would otherwise queue a job batch for ~2M existing leads). Every constraint
 * still holds: NOT NULL/CHECKs apply during the insert, the generated columns (email_key, search)
 * fill themselves, the unique (tenant, email_key) index is rebuilt (and would fail on a duplicate),
 * and the tenant foreign key is verified by a query afterwards. Then VACUUM ANALYZE.
 */
import pg from 'pg';
import {
  COMPANY_COUNT,
  COMPANY_SIZES,
  COMPANY_SUFFIX,
  COMPANY_W1,
  COMPANY_W2,
  CAMPAIGNS,
  DOMAIN_SLOTS,
  FIRST_SLOTS,
  INDUSTRIES,
  LAST_SLOTS,
  ORIGINS,
  PLACES,
  SLOTS,
  STAGES,
  TAGS,
  TAIL_A,
  TAIL_B,
  TAIL_C,
  TITLES,
  TLDS,
} from './data';
import { dbUrl, int, log, sec } from './util';

export interface BenchTenant {
  id: string;
  slug: string;
  captureKey: string;
  size: number;
}

export async function generate(database: string, sizes: number[]): Promise<BenchTenant[]> {
  const c = new pg.Client({ connectionString: dbUrl(database) });
  await c.connect();
  try {
    await c.query(`SET maintenance_work_mem = '1GB'; SET work_mem = '512MB'; SET synchronous_commit = off`);
    const tenants: BenchTenant[] = [];
    for (const [i, size] of sizes.entries()) {
      const slug = i === 0 ? 'bench-big' : `bench-small-${i}`;
      const { rows } = await c.query<{ id: string; capture_key: string }>(
        `insert into tenants (slug, name) values ($1, $2) returning id, capture_key`,
        [slug, i === 0 ? 'Big Bench Co' : `Small Bench ${i}`],
      );
      tenants.push({ id: rows[0].id, slug, captureKey: rows[0].capture_key, size });
      // Five reps per tenant own ~70 % of the leads.
      await c.query(
        `with u as (
           insert into users (email, name, password_hash)
           select 'rep' || g || '@' || $2 || '.example', 'Rep ' || g, 'x' from generate_series(1, 5) g returning id)
         insert into memberships (tenant_id, user_id, role) select $1, id, 'rep' from u`,
        [rows[0].id, slug],
      );
    }

    const t0 = performance.now();
    const pk = await c.query<{ conname: string }>(
      `select conname from pg_constraint where conrelid = 'leads'::regclass and contype = 'p'`,
    );
    const { rows: indexes } = await c.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'leads' and indexname <> $1`,
      [pk.rows[0].conname],
    );
    for (const ix of indexes) await c.query(`DROP INDEX ${ix.indexname}`);

    await c.query(`
      CREATE FUNCTION pg_temp.uuidv7_at(ts timestamptz) RETURNS uuid LANGUAGE sql AS $$
        SELECT encode(set_byte(overlay(uuid_send(gen_random_uuid())
                 PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
               6, (get_byte(uuid_send(gen_random_uuid()), 6) & 15) | 112), 'hex')::uuid
      $$`);
    await c.query(`create temp table bench_tenants (idx int, id uuid, size int, users uuid[])`);
    for (const [i, t] of tenants.entries()) {
      await c.query(
        `insert into bench_tenants select $1, $2::uuid, $3, array(select user_id from memberships where tenant_id = $2::uuid order by user_id)`,
        [i, t.id, t.size],
      );
    }
    await c.query(`select setseed(0.4242)`);
    await c.query(`SET session_replication_role = replica`);
    const stageCase = STAGES.map(([, cum], i) => `when r_stage < ${cum} then ${i + 1}`).join(' ');
    const stageNames = `array[${STAGES.map(([s]) => `'${s}'`).join(',')}]`;
    const stageBase = `array[${STAGES.map(([, , b]) => b).join(',')}]`;
    const params = [
      FIRST_SLOTS, // $1
      LAST_SLOTS, // $2
      TAIL_A, // $3
      TAIL_B, // $4
      TAIL_C, // $5
      DOMAIN_SLOTS, // $6
      COMPANY_W1, // $7
      COMPANY_W2, // $8
      COMPANY_SUFFIX, // $9
      TLDS, // $10
      TITLES, // $11
      INDUSTRIES, // $12
      COMPANY_SIZES, // $13
      PLACES.map((p) => p[0]), // $14 country code
      PLACES.map((p) => p[2]), // $15 city
      PLACES.map((p) => p[3].replace(/#/g, '%s')), // $16 phone template, a digit per %s
      ORIGINS.map((o) => o[0]), // $17 channel
      ORIGINS.map((o) => o[1]), // $18 source
      ORIGINS.map((o) => o[2]), // $19 medium
      CAMPAIGNS, // $20
      TAGS, // $21
    ];
    const nw1 = COMPANY_W1.length;
    const nw2 = COMPANY_W2.length;
    const res = await c.query(
      `
      insert into leads (tenant_id, id, email, first_name, last_name, phone, title, company_name, website, company_size,
        industry, country, city, channel, source, medium, campaign, stage, owner_id, tags, email_opt_in, unsubscribed,
        custom, score, score_grade, scored_at, created_at, updated_at, converted_at, last_activity_at)
      select tenant_id, pg_temp.uuidv7_at(created_at),
        local || n || '@' || coalesce(nullif(($6::text[])[1 + floor(r_domain * 100)::int], ''), company_domain),
        first_name, last_name,
        case when r_phone < 0.6 then format(($16::text[])[place], VARIADIC string_to_array(lpad(floor(r_phone / 0.6 * 1e7)::bigint::text, 7, '0'), null)) end,
        ($11::text[])[1 + floor(r_title * ${TITLES.length})::int],
        company_name,
        case when r_web < 0.3 then 'https://www.' || company_domain end,
        ($13::text[])[1 + floor(r_size * ${COMPANY_SIZES.length})::int],
        ($12::text[])[1 + company % ${INDUSTRIES.length}],
        ($14::text[])[place], ($15::text[])[place],
        ($17::text[])[origin], ($18::text[])[origin], ($19::text[])[origin],
        case when r_campaign < 0.4 then ($20::text[])[1 + floor(r_campaign * 2.5 * ${CAMPAIGNS.length})::int] end,
        (${stageNames})[stage_i],
        case when r_owner < 0.7 then users[1 + floor(r_owner / 0.7 * 5)::int] end,
        case when r_tags < 0.15 then array[($21::text[])[1 + floor(r_tags / 0.15 * ${TAGS.length})::int]]
             when r_tags < 0.22 then array[($21::text[])[1 + floor(r_tags * 1000)::int % ${TAGS.length}],
                                           ($21::text[])[1 + (floor(r_tags * 1000)::int + 3) % ${TAGS.length}]]
             else '{}'::text[] end,
        case when r_optin < 0.3 then true when r_optin < 0.5 then false end,
        r_optin > 0.985,
        case when r_custom < 0.3 then jsonb_build_object('budget', (floor(r_custom * 1000) * 100)::int,
                                                          'segment', (array['smb','mid-market','enterprise'])[1 + floor(r_custom * 10)::int % 3])
             else '{}'::jsonb end,
        score, case when score >= 80 then 'A' when score >= 60 then 'B' when score >= 40 then 'C' when score > 0 then 'D' end,
        case when score > 0 then created_at + interval '5 minutes' end,
        created_at,
        created_at + (now() - created_at) * r_upd * 0.3,
        case when stage_i = 5 then created_at + (now() - created_at) * r_upd end,
        created_at + (now() - created_at) * r_upd * 0.5
      from (
        select b.*,
          ($1::text[])[1 + floor(r_first * ${SLOTS})::int] as first_name,
          coalesce(nullif(($2::text[])[1 + floor(r_last * ${SLOTS})::int], ''),
                   ($3::text[])[1 + floor(r_ta * ${TAIL_A.length})::int] || ($4::text[])[1 + floor(r_tb * ${TAIL_B.length})::int]
                   || ($5::text[])[1 + floor(r_tc * ${TAIL_C.length})::int]) as last_name,
          ($7::text[])[1 + company % ${nw1}] || ' ' || ($8::text[])[1 + (company / ${nw1}) % ${nw2}] || ' '
            || ($9::text[])[1 + (company / ${nw1 * nw2}) % ${COMPANY_SUFFIX.length}] as company_name,
          lower(($7::text[])[1 + company % ${nw1}] || ($8::text[])[1 + (company / ${nw1}) % ${nw2}]) || '.'
            || ($10::text[])[1 + company % ${TLDS.length}] as company_domain,
          1 + floor(r_place * ${PLACES.length})::int as place,
          1 + floor(r_origin * ${ORIGINS.length})::int as origin,
          case ${stageCase} end as stage_i
        from (
          select s.*, floor(random() ^ 2 * ${COMPANY_COUNT})::int as company,
            random() r_first, random() r_last, random() r_ta, random() r_tb, random() r_tc, random() r_domain,
            random() r_local, random() r_phone, random() r_title, random() r_size, random() r_web, random() r_place,
            random() r_origin, random() r_campaign, random() r_stage, random() r_score, random() r_owner, random() r_tags,
            random() r_optin, random() r_custom, random() r_upd
          from (
            select t.id as tenant_id, t.users, g.n, now() - random() * interval '730 days' as created_at
            from bench_tenants t cross join lateral generate_series(1, t.size) g(n)
            order by created_at
          ) s
        ) b
      ) x
      cross join lateral (select
          case when r_local < 0.45 then lower(first_name) || '.' || lower(last_name)
               when r_local < 0.70 then left(lower(first_name), 1) || lower(last_name)
               when r_local < 0.85 then lower(first_name) || '_' || lower(last_name)
               else lower(first_name) end as local,
          greatest(0, least(100, (${stageBase})[stage_i] + floor((r_score - 0.5) * 40)::int)) as score) y`,
      params,
    );
    await c.query(`SET session_replication_role = origin`);
    const inserted = res.rowCount ?? 0;
    const loadMs = performance.now() - t0;
    log(`  inserted ${int(inserted)} leads in ${sec(loadMs)} (secondary indexes dropped, triggers off)`);

    const t1 = performance.now();
    for (const ix of indexes) {
      const s = performance.now();
      await c.query(ix.indexdef);
      log(`    rebuilt ${ix.indexname} in ${sec(performance.now() - s)}`);
    }
    const orphans = await c.query(
      `select count(*)::int as n from leads l where not exists (select 1 from tenants t where t.id = l.tenant_id)`,
    );
    if (orphans.rows[0].n !== 0) throw new Error('generator: leads without a tenant');
    log(`  indexes rebuilt in ${sec(performance.now() - t1)}; foreign key to tenants verified`);
    const t2 = performance.now();
    await c.query(`VACUUM (ANALYZE) leads`);
    await c.query(`ANALYZE tenants, users, memberships`);
    log(`  VACUUM ANALYZE in ${sec(performance.now() - t2)}`);
    return tenants;
  } finally {
    await c.end();
  }
}
