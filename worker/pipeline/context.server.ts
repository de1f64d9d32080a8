/**
 * The pipeline's long-lived dependencies, built once per process: the local enricher (no network:
 * email syntax and lists, domains, phone/country/time zone, the offline industry classifier) and,
 * when LEADFLOW_ENRICH_NETWORK is on, the network enricher (MX lookups, RDAP, company website)
 * whose results are cached in Postgres per domain.
 *
 * Tests and benchmarks replace the enrichment dependencies with `configurePipeline` (loopback
 * servers, static resolvers) before starting the worker.
 */
import { database } from '../../app/lib/db.server';
import { enrichmentConfig, env } from '../../app/lib/env.server';
import {
  createEnricher,
  createIndustryClassifier,
  createNodeResolver,
  MemoryLruCache,
  NaiveBayesIndustryClassifier,
  type EnrichmentDeps,
  type IndustryClassifier,
} from '../enrichment';
import type { Enricher } from '../enrichment/pipeline';
import { PgEnrichmentCache, TieredEnrichmentCache } from './enrichment-cache.server';

export interface PipelineContext {
  local: Enricher;
  /** Null when network enrichment is off. */
  network: Enricher | null;
}

export interface PipelineOverrides {
  /** Turn the network pass on/off regardless of LEADFLOW_ENRICH_NETWORK. */
  network?: boolean;
  /** Dependencies of the network enricher (resolver, allowCidrs, rdap/website options…). */
  networkDeps?: EnrichmentDeps;
  /** Extra dependencies of the local enricher (e.g. `now`). */
  localDeps?: EnrichmentDeps;
}

let overrides: PipelineOverrides = {};
let instance: PipelineContext | undefined;
let classifier: IndustryClassifier | undefined;

/** Replaces the enrichment dependencies (tests, benchmarks); the next job builds them anew. */
export function configurePipeline(next: PipelineOverrides): void {
  overrides = next;
  instance = undefined;
}

export function pipelineContext(): PipelineContext {
  if (instance) return instance;
  // Trained once per process (≈ 375 short texts): every enricher shares it.
  classifier ??= new NaiveBayesIndustryClassifier();
  const local = createEnricher({
    resolver: null,
    rdap: false,
    website: false,
    industry: classifier,
    cache: new MemoryLruCache({ maxEntries: 20_000 }),
    ...overrides.localDeps,
  });
  const networkOn = overrides.network ?? env().LEADFLOW_ENRICH_NETWORK;
  let network: Enricher | null = null;
  if (networkOn) {
    const config = enrichmentConfig();
    const resolver = overrides.networkDeps?.resolver ?? createNodeResolver({ servers: config.dnsServers });
    network = createEnricher({
      resolver,
      rdap: { baseUrl: config.rdapBaseUrl, timeoutMs: config.httpTimeoutMs },
      website: { timeoutMs: config.httpTimeoutMs, maxBytes: config.maxBytes },
      industry: config.llm ? createIndustryClassifier(config, resolver) : classifier,
      cache: new TieredEnrichmentCache(new MemoryLruCache({ maxEntries: 5_000 }), new PgEnrichmentCache(database().db)),
      ...overrides.networkDeps,
    });
  }
  instance = { local, network };
  return instance;
}
