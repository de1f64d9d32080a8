-- The outbox triggers computed each changed lead's JSON (and, for updates, a diff of the old and
-- new row) before checking whether any workflow listens: a set-based batch of 500 stage changes
-- paid for 1,000 row-to-JSON conversions for nothing. Check first, per statement.
CREATE OR REPLACE FUNCTION leadflow_outbox_after_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE queued int;
BEGIN
  -- Fast exit: most tenants (and most bulk writes) have no published workflow listening. RLS
  -- scopes this to the current tenant's workflows.
  IF NOT EXISTS (SELECT 1 FROM workflows w WHERE w.status = 'published' AND w.trigger_events && ARRAY['lead.created']) THEN
    RETURN NULL;
  END IF;
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
  -- Fast exit: most tenants (and most bulk writes) have no published workflow listening. RLS
  -- scopes this to the current tenant's workflows.
  IF NOT EXISTS (SELECT 1 FROM workflows w WHERE w.status = 'published' AND w.trigger_events && ARRAY['lead.updated', 'lead.stage_changed', 'lead.score_changed']) THEN
    RETURN NULL;
  END IF;
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
  -- Fast exit: most tenants (and most bulk writes) have no published workflow listening. RLS
  -- scopes this to the current tenant's workflows.
  IF NOT EXISTS (SELECT 1 FROM workflows w WHERE w.status = 'published' AND w.trigger_events && ARRAY['form.submitted']) THEN
    RETURN NULL;
  END IF;
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
