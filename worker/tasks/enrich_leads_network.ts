import { z } from 'zod';
import { database } from '../../app/lib/db.server';
import { pipelineContext } from '../pipeline/context.server';
import { processLeads } from '../pipeline/process.server';
import { defineTenantTask } from '../pipeline/task.server';

const payloadSchema = z.object({ tenantId: z.uuid(), leadIds: z.array(z.uuid()).min(1).max(1000) });

/**
 * The network pass (LEADFLOW_ENRICH_NETWORK): MX lookups, RDAP and the company website, cached per
 * domain in enrichment_cache; then the same fill-ins and scoring as process_leads. Runs after the
 * local pass so a slow website never delays scoring or assignment.
 */
export default defineTenantTask('enrich_leads_network', payloadSchema, async ({ tenantId, leadIds }) => {
  const network = pipelineContext().network;
  if (!network) return null; // switched off since the job was queued
  const summary = await processLeads(database(), tenantId, leadIds, { enricher: network, concurrency: 8 });
  return { ...summary };
});
