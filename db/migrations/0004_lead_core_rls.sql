SELECT leadflow_enable_tenant_rls('lead_events');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('custom_field_definitions');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('saved_views');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('api_keys');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('idempotency_keys');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('imports');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('import_errors');
--> statement-breakpoint
-- The interaction history is append-only for the application (deleting a lead cascades).
REVOKE UPDATE, DELETE ON lead_events FROM leadflow_app;
--> statement-breakpoint
-- Capability-style lookups before a tenant is known (see 0002): knowing the secret reveals its one row.
-- A capture form knows its tenant's public capture key...
CREATE POLICY tenant_lookup_by_capture_key ON tenants FOR SELECT
  USING (capture_key = nullif(current_setting('app.lookup_capture_key', true), ''));
--> statement-breakpoint
-- ...and an API client its key, whose SHA-256 finds the key row (and so the tenant).
CREATE POLICY api_key_lookup_by_hash ON api_keys FOR SELECT
  USING (key_hash = nullif(current_setting('app.lookup_api_key_hash', true), ''));
