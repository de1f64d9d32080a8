/** Periodic work, in graphile-worker's crontab format (minute hour day month weekday task). */
export const crontab = ['0 * * * * prune_rate_limits'].join('\n');
