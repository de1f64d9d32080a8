/**
 * The lead pipeline for a batch of one tenant's leads (≤ 500, from one trigger statement):
 * enrich → fill empty fields → score (+ predict) → threshold stage moves → assign.
 *
 * Each step is safe to repeat (Graphile Worker retries failed jobs): enrichment and scoring are
 * recomputed and overwritten, fill-ins only ever fill empty columns, threshold crossings are taken
 * against the score stored at write time, and assignment only touches leads without an owner.
 * No transaction is held open while enriching; the writes are one UPDATE per batch.
 */
import type { Database } from '../../db';
import { assignLeads } from '../../app/models/assignment.server';
import type { Enricher, LeadEnrichment } from '../enrichment/pipeline';
import { fillInsFor, withFillIns, type FillIns, type PipelineLead } from './lead-view';
import { scoreLeadForPipeline } from './scoring';
import { loadEvents, loadLeads, loadScoringConfig, writeResults, type LeadWrite } from './store.server';

export interface ProcessOptions {
  enricher: Enricher;
  /** Assign leads without an owner (default true). */
  assign?: boolean;
  now?: () => Date;
  /** Enrichments running at once (network mode waits on I/O). */
  concurrency?: number;
}

export interface ProcessSummary {
  leads: number;
  enriched: number;
  enrichmentErrors: number;
  filled: number;
  scored: number;
  crossings: number;
  stageChanges: number;
  assigned: number;
}

const NETWORK_STEPS = ['rdap', 'website'] as const;

/**
 * Steps this run did not produce (a network step after a local pass) are kept from the previous
 * enrichment while they still describe the same company domain.
 */
export function mergeEnrichment(previous: unknown, next: LeadEnrichment): LeadEnrichment {
  if (typeof previous !== 'object' || previous === null) return next;
  const prev = previous as LeadEnrichment;
  const merged: LeadEnrichment = { ...next };
  const sameDomain = prev.domain?.value?.companyDomain && prev.domain.value.companyDomain === next.domain?.value.companyDomain;
  if (sameDomain) {
    for (const step of NETWORK_STEPS) if (!merged[step] && prev[step]) (merged as Record<string, unknown>)[step] = prev[step];
  }
  return merged;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function processLeads(db: Database, tenantId: string, leadIds: readonly string[], options: ProcessOptions): Promise<ProcessSummary> {
  const now = options.now ?? (() => new Date());
  const summary: ProcessSummary = { leads: 0, enriched: 0, enrichmentErrors: 0, filled: 0, scored: 0, crossings: 0, stageChanges: 0, assigned: 0 };
  const ids = [...new Set(leadIds)];
  const { leads, events, config } = await db.withTenant(tenantId, async (tx) => ({
    leads: await loadLeads(tx, ids),
    events: await loadEvents(tx, ids),
    config: await loadScoringConfig(tx),
  }));
  summary.leads = leads.length;
  if (leads.length === 0) return summary;

  const enriched = await mapLimit(leads, options.concurrency ?? 16, async (lead) => {
    const result = await options.enricher.enrichLead({
      email: lead.email,
      website: lead.website,
      phone: lead.phone,
      country: lead.country,
      companyName: lead.companyName,
    });
    return { lead, result };
  });

  const scoredAt = now();
  const writes: LeadWrite[] = enriched.map(({ lead, result }) => {
    const enrichment = mergeEnrichment(lead.enrichment, result.enrichment);
    const fill: FillIns = fillInsFor(lead, enrichment);
    const view: PipelineLead = withFillIns({ ...lead, enrichment }, fill);
    summary.enriched++;
    summary.enrichmentErrors += result.errors.length;
    if (Object.keys(fill).length) summary.filled++;
    const score = scoreLeadForPipeline(config.scorer, config.predictive, view, events.get(lead.id) ?? [], scoredAt.getTime());
    // Errors are kept next to the steps (provenance of what could not be found).
    const stored = result.errors.length ? { ...enrichment, errors: result.errors } : enrichment;
    return { score, enrichment: stored, fill };
  });

  const written = await db.withTenant(tenantId, (tx) => writeResults(tx, tenantId, config, writes, { now: scoredAt }));
  summary.scored = written.written;
  summary.crossings = written.crossings;
  summary.stageChanges = written.stageChanges;

  if (options.assign ?? true) {
    const unowned = leads.filter((l) => !l.ownerId).map((l) => l.id);
    if (unowned.length) {
      const assigned = await db.withTenant(tenantId, (tx) => assignLeads(tx, tenantId, unowned, { now: now() }));
      summary.assigned = assigned.length;
    }
  }
  return summary;
}
