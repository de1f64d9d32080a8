-- Lead pipeline (enrichment → scoring → assignment): tenant isolation for its tables, the
-- triggers that queue its jobs in the lead change's own transaction, and the one narrow
-- cross-tenant read its periodic jobs need.
SELECT leadflow_enable_tenant_rls('job_runs');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('lead_assignments');
--> statement-breakpoint
-- Periodic jobs (SLA sweep, nightly training, pruning) run per tenant, so they must first learn
-- which tenants exist. A transaction that sets app.system_scan = 'tenant_ids' may read the tenants
-- table (ids only are used: worker/pipeline/tenants.server.ts); nothing else is widened, and tenant
-- data is still read per tenant through withTenant. Capability-style, like 0002's lookups.
CREATE POLICY tenant_system_scan ON tenants FOR SELECT
  USING (nullif(current_setting('app.system_scan', true), '') = 'tenant_ids');
--> statement-breakpoint
-- Queues process_leads for changed leads of one tenant. A single-row change gets the job key
-- 'lead:<id>' in 'replace' mode with a 200 ms delay: repeated saves of the same lead within the
-- window collapse into one run (and a change made while the job runs queues a fresh one, since
-- add_job never replaces a locked job). Multi-row statements (imports, bulk edits) queue one job
-- per 500 leads through a single add_jobs call, at a lower priority than interactive changes.
CREATE OR REPLACE FUNCTION leadflow_enqueue_pipeline(p_tenant uuid, p_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE n int := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF n = 0 THEN RETURN; END IF;
  IF n = 1 THEN
    PERFORM graphile_worker.add_job(
      'process_leads',
      json_build_object('tenantId', p_tenant, 'leadIds', p_ids),
      run_at => now() + interval '200 milliseconds',
      job_key => 'lead:' || p_ids[1],
      job_key_mode => 'replace',
      max_attempts => 10
    );
    RETURN;
  END IF;
  PERFORM graphile_worker.add_jobs(array(
    SELECT ROW('process_leads', json_build_object('tenantId', p_tenant, 'leadIds', p_ids[s:least(s + 499, n)]),
               NULL, NULL, 10, NULL, 5, NULL)::graphile_worker.job_spec
    FROM generate_series(1, n, 500) AS s
  ));
END
$fn$;
--> statement-breakpoint
-- NOTE: the pipeline's own writes (enrichment, fill-ins, score, stage from a threshold, owner) run
-- with leadflow.pipeline_write = 'on' (transaction-local) so they never queue the pipeline again.
CREATE OR REPLACE FUNCTION leadflow_pipeline_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  IF current_setting('leadflow.pipeline_write', true) = 'on' THEN RETURN NULL; END IF;
  FOR r IN SELECT tenant_id, array_agg(id ORDER BY id) AS ids FROM new_leads GROUP BY tenant_id LOOP
    PERFORM leadflow_enqueue_pipeline(r.tenant_id, r.ids);
  END LOOP;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
-- An update queues the lead only when an input of the pipeline changed: the columns below. Not
-- inputs: the pipeline's outputs (enrichment, score_*, scored_at, predicted_probability,
-- owner_id) and bookkeeping (updated_at, last_activity_at, converted_at, first_touch, last_touch,
-- consent, and the generated search/email_key). A row constructor, not to_jsonb(row): this runs
-- for every row of every update statement. NOTE: a new lead column that scoring, enrichment or
-- assignment reads must be added here (worker/pipeline/pipeline.test.ts checks every column is
-- listed as an input or as ignored).
CREATE OR REPLACE FUNCTION leadflow_pipeline_after_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
-- ignored: enrichment score score_grade score_explanation scored_at predicted_probability owner_id
--          updated_at last_activity_at converted_at first_touch last_touch consent search email_key
--          tenant_id id created_at
BEGIN
  IF current_setting('leadflow.pipeline_write', true) = 'on' THEN RETURN NULL; END IF;
  FOR r IN
    SELECT n.tenant_id, array_agg(n.id ORDER BY n.id) AS ids
    FROM new_leads n JOIN old_leads o ON o.tenant_id = n.tenant_id AND o.id = n.id
    WHERE (n.email, n.first_name, n.last_name, n.phone, n.title, n.company_name, n.website, n.company_size,
           n.industry, n.country, n.region, n.city, n.timezone, n.channel, n.source, n.medium, n.campaign,
           n.referrer, n.landing_page, n.stage, n.tags, n.email_opt_in, n.sms_opt_in, n.unsubscribed,
           n.do_not_contact, n.custom)
          IS DISTINCT FROM
          (o.email, o.first_name, o.last_name, o.phone, o.title, o.company_name, o.website, o.company_size,
           o.industry, o.country, o.region, o.city, o.timezone, o.channel, o.source, o.medium, o.campaign,
           o.referrer, o.landing_page, o.stage, o.tags, o.email_opt_in, o.sms_opt_in, o.unsubscribed,
           o.do_not_contact, o.custom)
    GROUP BY n.tenant_id
  LOOP
    PERFORM leadflow_enqueue_pipeline(r.tenant_id, r.ids);
  END LOOP;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
-- New interactions (form submissions, email opens, meetings …) change the behaviour score. Event
-- types that always come with a lead INSERT/UPDATE (already queued above) or that the pipeline
-- writes itself are skipped.
CREATE OR REPLACE FUNCTION leadflow_pipeline_after_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  IF current_setting('leadflow.pipeline_write', true) = 'on' THEN RETURN NULL; END IF;
  FOR r IN
    SELECT tenant_id, array_agg(DISTINCT lead_id) AS ids
    FROM new_events
    WHERE type <> ALL (ARRAY['created', 'imported', 'updated', 'stage_changed', 'assigned', 'score_threshold_crossed'])
    GROUP BY tenant_id
  LOOP
    PERFORM leadflow_enqueue_pipeline(r.tenant_id, r.ids);
  END LOOP;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER leads_pipeline_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION leadflow_pipeline_after_insert();
--> statement-breakpoint
CREATE TRIGGER leads_pipeline_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION leadflow_pipeline_after_update();
--> statement-breakpoint
CREATE TRIGGER lead_events_pipeline AFTER INSERT ON lead_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION leadflow_pipeline_after_event();
--> statement-breakpoint
-- Capacity caps count a rep's open leads on every assignment batch. Partial (owned leads only),
-- so unassigned leads — and the bulk re-scoring of them — never touch it. Kept out of
-- db/schema.ts's leads block on purpose (SQL-only, like the RLS policies).
CREATE INDEX IF NOT EXISTS leads_tenant_owner_idx ON leads (tenant_id, owner_id, stage) WHERE owner_id IS NOT NULL;
