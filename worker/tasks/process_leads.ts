import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { pipelineContext } from '../pipeline/context.server';
import { processLeads } from '../pipeline/process.server';
import { defineTenantTask } from '../pipeline/task.server';

const payloadSchema = z.object({ tenantId: z.uuid(), leadIds: z.array(z.uuid()).min(1).max(1000) });

/**
 * Queued by the lead triggers (db/migrations/0008) in the lead change's own transaction: enrich
 * with local providers, fill empty fields, score with an explanation (+ prediction), move the
 * stage on a threshold crossing, assign leads without an owner. With network enrichment on, a
 * follow-up job adds MX/RDAP/website results and re-scores.
 */
export default defineTenantTask('process_leads', payloadSchema, async ({ tenantId, leadIds }, helpers) => {
  const context = pipelineContext();
  const summary = await processLeads(database(), tenantId, leadIds, { enricher: context.local });
  if (context.network) {
    await helpers.addJob(
      'enrich_leads_network',
      { tenantId, leadIds },
      leadIds.length === 1 ? { jobKey: `enrich:${leadIds[0]}`, jobKeyMode: 'replace', maxAttempts: 5 } : { maxAttempts: 5, priority: 5 },
    );
  }
  return { ...summary };
});
