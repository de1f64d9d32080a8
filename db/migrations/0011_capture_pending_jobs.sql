-- Batched job queueing for public form captures (issue 3, capture throughput).
--
-- graphile_worker.add_job(s) runs pg_notify('jobs:insert'). A transaction that has NOTIFYed takes a
-- cluster-wide lock from pre-commit until its commit record is flushed, so when every capture
-- queued its own process_leads job (0008) all capture commits — and their WAL flushes — ran one
-- after another. A transaction that sets leadflow.batch_jobs = 'on' (transaction-local; the
-- capture endpoint does, app/models/capture-store.server.ts) records the work in a plain table
-- instead, in the same transaction; the worker turns those rows into jobs every ~200 ms with one
-- add_jobs call (worker/pending-jobs.ts): one NOTIFY per flush instead of one per capture. Every
-- other path (UI, API, import, jobs) is unchanged: it never sets the flag.
CREATE TABLE lead_pending_jobs (
	tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	task text NOT NULL CHECK (task IN ('process_leads', 'deliver_workflow_events')),
	lead_id uuid,
	queued_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('lead_pending_jobs');
--> statement-breakpoint
REVOKE UPDATE ON lead_pending_jobs FROM leadflow_app;
--> statement-breakpoint
-- The flush reads and deletes every tenant's rows (ids only; it queues jobs that then work per
-- tenant through withTenant). Capability-style like 0008's tenant_system_scan: only a transaction
-- that states app.system_scan = 'pending_jobs' (leadflow_flush_pending_jobs below) sees them.
CREATE POLICY pending_jobs_flush_read ON lead_pending_jobs FOR SELECT
  USING (nullif(current_setting('app.system_scan', true), '') = 'pending_jobs');
--> statement-breakpoint
CREATE POLICY pending_jobs_flush_delete ON lead_pending_jobs FOR DELETE
  USING (nullif(current_setting('app.system_scan', true), '') = 'pending_jobs');
--> statement-breakpoint
-- As in 0008, plus the batched branch.
CREATE OR REPLACE FUNCTION leadflow_enqueue_pipeline(p_tenant uuid, p_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE n int := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF n = 0 THEN RETURN; END IF;
  IF current_setting('leadflow.batch_jobs', true) = 'on' THEN
    INSERT INTO lead_pending_jobs (tenant_id, task, lead_id) SELECT p_tenant, 'process_leads', unnest(p_ids);
    RETURN;
  END IF;
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
-- As in 0006, plus the batched branch (the outbox rows themselves are written as before).
CREATE OR REPLACE FUNCTION leadflow_queue_delivery() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('leadflow.batch_jobs', true) = 'on' THEN
    INSERT INTO lead_pending_jobs (tenant_id, task)
    VALUES (nullif(current_setting('app.tenant_id', true), '')::uuid, 'deliver_workflow_events');
    RETURN;
  END IF;
  PERFORM graphile_worker.add_job(
    'deliver_workflow_events',
    json_build_object('tenantId', current_setting('app.tenant_id', true)),
    queue_name => 'delivery:' || current_setting('app.tenant_id', true),
    run_at => now() + interval '200 milliseconds',
    job_key => 'deliver:' || current_setting('app.tenant_id', true),
    job_key_mode => 'preserve_run_at',
    max_attempts => 25
  );
END
$fn$;
--> statement-breakpoint
-- Takes up to p_limit pending rows and queues their jobs in one add_jobs call: process_leads per
-- tenant in chunks of 500 distinct leads (the interactive priority, like a single-lead change),
-- and one deliver_workflow_events per tenant with the same queue and job key as
-- leadflow_queue_delivery (preserve_run_at; no extra delay: the flush interval is the batching
-- window). One flush at a time: a worker that finds another one flushing skips this round.
-- Returns how many rows it took.
CREATE OR REPLACE FUNCTION leadflow_flush_pending_jobs(p_limit int DEFAULT 5000) RETURNS int
LANGUAGE plpgsql AS $fn$
DECLARE
  taken int;
  specs graphile_worker.job_spec[];
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('leadflow_flush_pending_jobs')) THEN RETURN 0; END IF;
  PERFORM set_config('app.system_scan', 'pending_jobs', true);
  WITH picked AS (
    DELETE FROM lead_pending_jobs
    WHERE id IN (SELECT id FROM lead_pending_jobs ORDER BY id LIMIT p_limit)
    RETURNING tenant_id, task, lead_id
  ), per_tenant AS (
    SELECT tenant_id, array_agg(DISTINCT lead_id) AS ids
    FROM picked WHERE task = 'process_leads' AND lead_id IS NOT NULL GROUP BY tenant_id
  ), wanted AS (
    SELECT ROW('process_leads', json_build_object('tenantId', p.tenant_id, 'leadIds', p.ids[s:least(s + 499, cardinality(p.ids))]),
               NULL, NULL, 10, NULL, NULL, NULL)::graphile_worker.job_spec AS spec
    FROM per_tenant p, generate_series(1, cardinality(p.ids), 500) AS s
    UNION ALL
    SELECT ROW('deliver_workflow_events', json_build_object('tenantId', d.tenant_id), 'delivery:' || d.tenant_id,
               NULL, 25, 'deliver:' || d.tenant_id, NULL, NULL)::graphile_worker.job_spec
    FROM (SELECT DISTINCT tenant_id FROM picked WHERE task = 'deliver_workflow_events') d
  )
  SELECT (SELECT count(*) FROM picked), array(SELECT spec FROM wanted) INTO taken, specs;
  IF cardinality(specs) > 0 THEN
    PERFORM graphile_worker.add_jobs(specs, job_key_preserve_run_at => true);
  END IF;
  PERFORM set_config('app.system_scan', '', true);
  RETURN taken;
END
$fn$;
