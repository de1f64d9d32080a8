-- CSV import (issue 3): import_errors gets a real severity instead of a "[warning] " prefix on the
-- message; the rows written before this migration are converted (prefix stripped, severity set).
-- imports_recent_idx serves the import page's list of recent imports (newest first, keyset on
-- created_at, id).
ALTER TABLE "import_errors" ADD COLUMN "severity" text DEFAULT 'error' NOT NULL;--> statement-breakpoint
-- Every tenant's rows: FORCE RLS would hide them from a non-superuser owner running this
-- migration, so it is lifted for the UPDATE only (the migration is one transaction).
ALTER TABLE "import_errors" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
UPDATE "import_errors" SET "severity" = 'warning', "message" = substr("message", length('[warning] ') + 1)
  WHERE "message" LIKE '[warning] %';--> statement-breakpoint
ALTER TABLE "import_errors" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "imports_recent_idx" ON "imports" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
ALTER TABLE "import_errors" ADD CONSTRAINT "import_errors_severity_check" CHECK ("import_errors"."severity" in ('error', 'warning'));
