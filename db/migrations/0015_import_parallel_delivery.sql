-- Parallel import writers (app/models/lead-import.server.ts): an import writes up to two batches at
-- once, each in its own transaction, committing in file order. The workflow-delivery enqueue of
-- leadflow_queue_delivery upserts one graphile_worker job per tenant by job key ('deliver:<tenant>'):
-- two open import transactions would queue on that job row's lock, and since the later batch also
-- waits (in the app) for the earlier one's commit, the wait could close a cycle the server cannot
-- see. Import transactions therefore set leadflow.batch_jobs = 'delivery': the delivery request is
-- recorded in lead_pending_jobs (insert-only, no shared row) and the worker's 200 ms flush queues
-- it, as for captures (0011). Pipeline jobs (keyless add_jobs, priority 5 for bulk) are unchanged.
CREATE OR REPLACE FUNCTION leadflow_queue_delivery() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('leadflow.batch_jobs', true) IN ('on', 'delivery') THEN
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
