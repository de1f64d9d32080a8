DROP INDEX "job_runs_recent_idx";--> statement-breakpoint
DROP INDEX "lead_events_lead_idx";--> statement-breakpoint
DROP INDEX "leads_tenant_stage_created_idx";--> statement-breakpoint
DROP INDEX "leads_tenant_created_idx";--> statement-breakpoint
DROP INDEX "leads_tenant_score_idx";--> statement-breakpoint
DROP INDEX "leads_tenant_stage_score_idx";--> statement-breakpoint
DROP INDEX "notifications_user_idx";--> statement-breakpoint
CREATE INDEX "job_runs_recent_idx" ON "job_runs" USING btree ("tenant_id","finished_at","id");--> statement-breakpoint
CREATE INDEX "lead_events_lead_idx" ON "lead_events" USING btree ("tenant_id","lead_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "leads_tenant_stage_created_idx" ON "leads" USING btree ("tenant_id","stage","created_at","id");--> statement-breakpoint
CREATE INDEX "leads_tenant_created_idx" ON "leads" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "leads_tenant_score_idx" ON "leads" USING btree ("tenant_id","score","id");--> statement-breakpoint
CREATE INDEX "leads_tenant_stage_score_idx" ON "leads" USING btree ("tenant_id","stage","score","id");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("tenant_id","user_id","created_at","id");--> statement-breakpoint
-- Search: the prefix tsquery as an IMMUTABLE function (folded to a constant at plan time, so the
-- planner can estimate it and use leads_search_idx) — same tokenisation as before.
CREATE OR REPLACE FUNCTION leadflow_prefix_tsquery(q text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ select to_tsquery('simple'::regconfig, coalesce(string_agg(quote_literal(lexeme) || ':*', ' & '), '')) from unnest(to_tsvector('simple'::regconfig, q)) $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION leadflow_prefix_tsquery(text) TO PUBLIC;
--> statement-breakpoint
-- Under RLS a qual whose function is not LEAKPROOF cannot be an index condition; tsvector @@ tsquery
-- raises no data-dependent error, so mark it (needs a superuser; ADR 0006 — without it search stays
-- correct but scans the tenant's rows).
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
  ELSE
    RAISE NOTICE 'leadflow: not a superuser, ts_match_vq left NOT LEAKPROOF; lead search cannot use its GIN index under RLS (docs/decisions/0006-search-under-rls.md)';
  END IF;
END $$;
