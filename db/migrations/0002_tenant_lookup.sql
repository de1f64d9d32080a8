-- Capability-style lookup: a transaction that states a slug (app.lookup_slug) may read the id of
-- that one tenant, and nothing else. Used by the CLI (`--tenant <slug>`) and public entry points
-- that know a tenant by name before any tenant context exists.
CREATE POLICY tenant_lookup_by_slug ON tenants FOR SELECT
  USING (slug = nullif(current_setting('app.lookup_slug', true), ''));
