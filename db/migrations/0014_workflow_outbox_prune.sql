-- Issue 4, bounded outbox: the periodic prune (worker/tasks/prune_workflow_outbox.ts) deletes an
-- outbox event's delivery rows by event id; the primary key leads with workflow_id.
CREATE INDEX "workflow_deliveries_event_idx" ON "workflow_deliveries" USING btree ("tenant_id","event_id");
