/** Periodic work, in graphile-worker's crontab format (minute hour day month weekday task). */
export const crontab = [
  '0 * * * * prune_rate_limits',
  // Workflow outbox: delivered events (and those past WORKFLOW_OUTBOX_RETENTION_HOURS) with their
  // delivery rows, so the deliverer's scan stays bounded.
  '*/10 * * * * prune_workflow_outbox ?max=1',
  // Published workflows whose lead-event webhook has no secret yet (published before 0013).
  '20 * * * * secure_workflow_webhooks ?max=3',
  // Lead pipeline: SLA reassignment every minute; nightly predictive training + re-score (decay);
  // daily pruning of the enrichment cache and job history.
  '* * * * * reassign_overdue_leads ?max=1',
  '0 3 * * * nightly_lead_scoring ?max=3',
  '30 4 * * * prune_lead_pipeline ?max=3',
].join('\n');
