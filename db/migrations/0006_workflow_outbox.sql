SELECT leadflow_enable_tenant_rls('workflows');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('workflow_versions');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('n8n_tenant_resources');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('lead_outbox');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('workflow_deliveries');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('workflow_operations');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('scoring_models');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('predictive_models');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('assignment_rules');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('rep_settings');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('notifications');
--> statement-breakpoint
-- Published versions are immutable.
REVOKE UPDATE, DELETE ON workflow_versions FROM leadflow_app;
--> statement-breakpoint
-- Enrichment facts about public domains are shared by all tenants (no tenant data inside).
GRANT SELECT, INSERT, UPDATE, DELETE ON enrichment_cache TO leadflow_app;
--> statement-breakpoint
-- The lead as workflows see it: its columns (snake_case) without internals, plus the aliases the
-- template placeholders use ({{lead.company}}, {{lead.job_title}}).
CREATE OR REPLACE FUNCTION leadflow_lead_json(l leads) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT (to_jsonb(l) - 'search' - 'email_key' - 'tenant_id')
         || jsonb_build_object('company', l.company_name, 'job_title', l.title)
$$;
--> statement-breakpoint
-- Transactional outbox, written by the database itself in the same transaction as every lead
-- change, whichever path made it (UI, API, capture, import, workflows, jobs). Statement-level
-- triggers with transition tables: one INSERT … SELECT per statement, and nothing at all when the
-- tenant has no published workflow listening to that event type. Each write also queues (or
-- joins) the tenant's delivery job; 'preserve_run_at' makes the job a short batching window.
CREATE OR REPLACE FUNCTION leadflow_outbox_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE queued int;
BEGIN
  WITH ins AS (
    INSERT INTO lead_outbox (tenant_id, id, type, lead_id, payload)
    SELECT l.tenant_id, gen_random_uuid(), 'lead.created', l.id,
           jsonb_build_object('type', 'lead.created', 'occurredAt', now(), 'tenantId', l.tenant_id, 'lead', leadflow_lead_json(l))
    FROM new_leads l
    WHERE EXISTS (SELECT 1 FROM workflows w WHERE w.tenant_id = l.tenant_id AND w.status = 'published'
                  AND 'lead.created' = ANY (w.trigger_events))
    RETURNING tenant_id
  )
  SELECT count(*) INTO queued FROM ins;
  IF queued > 0 THEN PERFORM leadflow_queue_delivery(); END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION leadflow_outbox_after_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE queued int;
BEGIN
  WITH pairs AS (
    SELECT n.tenant_id, n.id, leadflow_lead_json(n) AS lead, leadflow_lead_json(o) AS previous,
           n.stage IS DISTINCT FROM o.stage AS stage_changed, n.score IS DISTINCT FROM o.score AS score_changed
    FROM new_leads n JOIN old_leads o ON o.tenant_id = n.tenant_id AND o.id = n.id
  ), diffs AS (
    SELECT p.*, (SELECT coalesce(jsonb_agg(k.key ORDER BY k.key), '[]'::jsonb)
                 FROM jsonb_each(p.lead) k
                 WHERE k.key NOT IN ('updated_at') AND k.value IS DISTINCT FROM p.previous -> k.key) AS changes
    FROM pairs p
  ), events AS (
    SELECT d.tenant_id, d.id, t.type, d.lead, d.previous, d.changes
    FROM diffs d
    CROSS JOIN LATERAL (VALUES ('lead.updated', jsonb_array_length(d.changes) > 0),
                               ('lead.stage_changed', d.stage_changed),
                               ('lead.score_changed', d.score_changed)) AS t(type, applies)
    WHERE t.applies
  ), ins AS (
    INSERT INTO lead_outbox (tenant_id, id, type, lead_id, payload)
    SELECT e.tenant_id, gen_random_uuid(), e.type, e.id,
           jsonb_build_object('type', e.type, 'occurredAt', now(), 'tenantId', e.tenant_id, 'lead', e.lead,
                              'previous', e.previous, 'changes', e.changes)
    FROM events e
    WHERE EXISTS (SELECT 1 FROM workflows w WHERE w.tenant_id = e.tenant_id AND w.status = 'published'
                  AND e.type = ANY (w.trigger_events))
    RETURNING tenant_id
  )
  SELECT count(*) INTO queued FROM ins;
  IF queued > 0 THEN PERFORM leadflow_queue_delivery(); END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION leadflow_outbox_after_event() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE queued int;
BEGIN
  WITH ins AS (
    INSERT INTO lead_outbox (tenant_id, id, type, lead_id, payload)
    SELECT e.tenant_id, gen_random_uuid(), 'form.submitted', e.lead_id,
           jsonb_build_object('type', 'form.submitted', 'occurredAt', e.occurred_at, 'tenantId', e.tenant_id,
                              'lead', leadflow_lead_json(l), 'form', e.payload)
    FROM new_events e JOIN leads l ON l.tenant_id = e.tenant_id AND l.id = e.lead_id
    WHERE (e.type = 'form_submitted' OR (e.type = 'merged' AND e.payload ->> 'via' = 'form_submitted'))
      AND EXISTS (SELECT 1 FROM workflows w WHERE w.tenant_id = e.tenant_id AND w.status = 'published'
                  AND 'form.submitted' = ANY (w.trigger_events))
    RETURNING tenant_id
  )
  SELECT count(*) INTO queued FROM ins;
  IF queued > 0 THEN PERFORM leadflow_queue_delivery(); END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
-- Queues the current tenant's delivery job: one pending job per tenant (job key), run serially per
-- tenant (its own queue), after a 200 ms batching window (preserve_run_at).
CREATE OR REPLACE FUNCTION leadflow_queue_delivery() RETURNS void LANGUAGE sql AS $$
  SELECT graphile_worker.add_job(
    'deliver_workflow_events',
    json_build_object('tenantId', current_setting('app.tenant_id', true)),
    queue_name => 'delivery:' || current_setting('app.tenant_id', true),
    run_at => now() + interval '200 milliseconds',
    job_key => 'deliver:' || current_setting('app.tenant_id', true),
    job_key_mode => 'preserve_run_at',
    max_attempts => 25
  )
$$;
--> statement-breakpoint
CREATE TRIGGER leads_outbox_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION leadflow_outbox_after_insert();
--> statement-breakpoint
CREATE TRIGGER leads_outbox_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION leadflow_outbox_after_update();
--> statement-breakpoint
CREATE TRIGGER lead_events_outbox AFTER INSERT ON lead_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION leadflow_outbox_after_event();
