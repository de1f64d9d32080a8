/**
 * Bounding the workflow outbox (issue 4): the outbox triggers (db/migrations/0006, 0009, 0011)
 * write lead events to `lead_outbox`, the deliverer (deliverPendingEvents in
 * workflow-deploy.server.ts) records one `workflow_deliveries` row per (workflow, event) it
 * delivered. Without pruning both tables, and the deliverer's pending scan, grow with a tenant's
 * whole history.
 *
 * An event is deleted, with its delivery rows, when either
 * - it is pending for no published workflow: every published workflow that listens to its type and
 *   was published at or before the event has a delivery row for it (exactly the deliverer's
 *   definition of pending, so a pruned event is one the deliverer would never send again); or
 * - it is older than the retention window (WORKFLOW_OUTBOX_RETENTION_HOURS, default 7 days), even
 *   if undelivered: the delivery job's own retry schedule (25 attempts, ~95 h of backoff) has long
 *   given up by then, and the window is never shorter than it (env.server.ts). Such events are
 *   counted apart (`undelivered`) so the task can log them.
 * Delivery rows whose event is gone (an event pruned by age while its batch was in flight) are
 * swept at the end of each tenant's run.
 *
 * NOTE (per-workflow cursor): the deliverer could remember "delivered up to (created_at, id)" per
 * workflow instead of a delivery row per event, but outbox rows become visible in commit order,
 * not in created_at (transaction start) or id (random) order, so an event committed late behind
 * the cursor would be skipped for ever. The delivery log stays; pruning bounds it.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db';

/** Outbox rows examined per transaction (keyset over the primary key: each row read once a run). */
export const OUTBOX_PRUNE_BATCH = 5_000;

export interface OutboxPruneResult {
  /** Outbox events deleted. */
  events: number;
  /** Of those, events still pending for some workflow, deleted because older than the retention window. */
  undelivered: number;
  /** Delivery rows deleted (with their events, and orphans). */
  deliveries: number;
}

/** Prunes one tenant's outbox and delivery log, as the application role under RLS. Safe to repeat. */
export async function pruneWorkflowOutbox(
  db: Database,
  tenantId: string,
  opts: { retentionHours: number; batch?: number },
): Promise<OutboxPruneResult> {
  const batch = opts.batch ?? OUTBOX_PRUNE_BATCH;
  const total: OutboxPruneResult = { events: 0, undelivered: 0, deliveries: 0 };
  let cursor = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const row = await db.withTenant(tenantId, async (tx) => {
      const res = await tx.execute<{
        last_id: string | null;
        scanned: number;
        events: number;
        undelivered: number;
        deliveries: number;
      }>(sql`
        with scanned as (
          select o.id, o.type, o.created_at from lead_outbox o
          where o.tenant_id = ${tenantId}::uuid and o.id > ${cursor}::uuid
          order by o.id
          limit ${batch}
        ), targets as (
          -- The deliverer's targets (deliverPendingEvents): keep the two definitions in step.
          select w.id, w.trigger_events, w.published_at from workflows w
          where w.tenant_id = ${tenantId}::uuid and w.status = 'published' and w.webhook_path is not null
            and cardinality(w.trigger_events) > 0
        ), flagged as materialized (
          select s.id, s.created_at < now() - make_interval(hours => ${opts.retentionHours}) as expired,
                 exists (select 1 from targets w
                         where s.type = any(w.trigger_events) and s.created_at >= w.published_at
                           and not exists (select 1 from workflow_deliveries d
                                           where d.tenant_id = ${tenantId}::uuid and d.workflow_id = w.id and d.event_id = s.id)) as pending
          from scanned s
        ), del_events as (
          -- = any(array): primary-key probes, whatever the planner thinks of the CTE's row count.
          delete from lead_outbox o
          where o.tenant_id = ${tenantId}::uuid and o.id = any(array(select f.id from flagged f where f.expired or not f.pending))
          returning o.id
        ), del_deliveries as (
          -- workflow_deliveries_event_idx (0014): probes by event, not a scan of the tenant's log.
          delete from workflow_deliveries d
          where d.tenant_id = ${tenantId}::uuid and d.event_id = any(array(select e.id from del_events e))
          returning 1
        )
        select (select id from scanned order by id desc limit 1) as last_id,
               (select count(*) from scanned)::int as scanned,
               (select count(*) from del_events)::int as events,
               (select count(*) from flagged where expired and pending)::int as undelivered,
               (select count(*) from del_deliveries)::int as deliveries`);
      return res.rows[0];
    });
    total.events += row.events;
    total.undelivered += row.undelivered;
    total.deliveries += row.deliveries;
    if (row.scanned < batch || !row.last_id) break;
    cursor = row.last_id;
  }
  const orphans = await db.withTenant(tenantId, (tx) =>
    tx.execute(sql`
      delete from workflow_deliveries d
      where d.tenant_id = ${tenantId}::uuid
        and not exists (select 1 from lead_outbox o where o.tenant_id = ${tenantId}::uuid and o.id = d.event_id)`),
  );
  total.deliveries += orphans.rowCount ?? 0;
  return total;
}
