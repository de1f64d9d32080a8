ALTER TABLE "workflows" ADD COLUMN "inbound_credential_id" text;--> statement-breakpoint
ALTER TABLE "workflows" ADD COLUMN "inbound_secret" text;