-- Tenant isolation enforced by the database (see README "How tenancy is enforced").
-- The application and worker connect as leadflow_app: it owns nothing, has NOBYPASSRLS, and sees a
-- tenant's rows only inside a transaction that ran set_config('app.tenant_id', $1, true).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leadflow_app') THEN
    CREATE ROLE leadflow_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO leadflow_app', current_database());
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO leadflow_app;
--> statement-breakpoint
-- One function per table keeps each migration explicit ("SELECT leadflow_enable_tenant_rls('x')")
-- while the policy text lives in one place. NOTE: nullif(..., '') matters: on a pooled connection a
-- transaction-local setting reads back as '' after its transaction ended, and ''::uuid would error.
CREATE OR REPLACE FUNCTION leadflow_enable_tenant_rls(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
  EXECUTE format($p$CREATE POLICY tenant_isolation ON %s
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO leadflow_app', tbl);
END
$fn$;
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('memberships');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('leads');
--> statement-breakpoint
SELECT leadflow_enable_tenant_rls('audit_log');
--> statement-breakpoint
-- The audit log is append-only for the application.
REVOKE UPDATE, DELETE ON audit_log FROM leadflow_app;
--> statement-breakpoint
-- A user may read their own memberships in every tenant (login and the tenant switcher run before a
-- tenant is chosen). Permissive policies are OR-ed: this adds reads, never writes.
CREATE POLICY membership_self_read ON memberships FOR SELECT
  USING (user_id = nullif(current_setting('app.user_id', true), '')::uuid);
--> statement-breakpoint
-- Tenants: visible when it is the current tenant, a client of the current (agency) tenant, or one the
-- current user belongs to. Writable only as the current tenant (sign-up sets the new id first).
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_self ON tenants
  USING (
    id = nullif(current_setting('app.tenant_id', true), '')::uuid
    OR parent_tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
    OR id IN (SELECT m.tenant_id FROM memberships m
              WHERE m.user_id = nullif(current_setting('app.user_id', true), '')::uuid)
  )
  WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON tenants TO leadflow_app;
--> statement-breakpoint
-- Identity tables are global (a person can belong to several tenants); the app may not delete them.
GRANT SELECT, INSERT, UPDATE ON users, sessions TO leadflow_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits, system_heartbeats TO leadflow_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON system_secrets TO leadflow_app;
