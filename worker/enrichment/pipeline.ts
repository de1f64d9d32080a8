// enrichLead: run the enrichment steps for one lead. Independent steps run concurrently;
// each is a provider (timeout, retries, cache, provenance) and a failure is recorded in
// `errors` without failing the others.
import { createHash } from 'node:crypto';
import { registrableDomain, hostOf } from './domain.js';
import { checkEmail, parseEmailAddress, type EmailCheck } from './email.js';
import { isDisposableDomain, isFreeMailDomain } from './lists.js';
import type { Resolver } from './dns.js';
import { resolveGeography, type Geography } from './geo.js';
import { inputText, NaiveBayesIndustryClassifier, type IndustryClassifier, type IndustryResult } from './industry.js';
import {
  defineProvider,
  MemoryLruCache,
  ProviderError,
  type Enriched,
  type EnrichmentCache,
  type Provider,
  type ProviderDeps,
  type ProviderSpec,
} from './provider.js';
import { lookupRdapDomain, type RdapClientOptions, type RdapDomain } from './rdap.js';
import { guessSocialProfiles, mergeProfiles, type SocialProfile } from './social.js';
import { fetchWebsite, type WebsiteFetchOptions, type WebsiteMetadata } from './website.js';

export interface LeadInput {
  email?: string | null;
  website?: string | null;
  phone?: string | null;
  country?: string | null;
  companyName?: string | null;
  description?: string | null;
}

export interface DomainFacts {
  emailDomain: string | null;
  websiteHost: string | null;
  /** The company's registrable domain: the website's, else the email's unless it is free or disposable mail. */
  companyDomain: string | null;
}

export type WebsiteResult = WebsiteMetadata & { status: number; truncated: boolean; redirects: string[] };

export interface LeadEnrichment {
  domain?: Enriched<DomainFacts>;
  email?: Enriched<EmailCheck>;
  rdap?: Enriched<RdapDomain | null>;
  website?: Enriched<WebsiteResult>;
  industry?: Enriched<IndustryResult>;
  social?: Enriched<SocialProfile[]>;
  geo?: Enriched<Geography>;
}

export type EnrichmentStep = keyof LeadEnrichment;

export interface EnrichmentError {
  step: EnrichmentStep;
  provider: string;
  code: string;
  message: string;
  retryable: boolean;
  attempts: number;
}

export interface EnrichmentResult {
  enrichment: LeadEnrichment;
  errors: EnrichmentError[];
}

type StepTuning = Partial<Pick<ProviderSpec<unknown, unknown>, 'timeoutMs' | 'retries' | 'backoff' | 'ttlMs'>>;

export interface EnrichmentDeps extends ProviderDeps {
  /** DNS for MX checks and for every HTTP request; null = no MX check (HTTP then uses the node resolver). */
  resolver?: Resolver | null;
  cache?: EnrichmentCache | null;
  /** Shared by the website, RDAP and LLM requests (tests allow 127.0.0.1 here). */
  allowCidrs?: readonly string[];
  allowHosts?: readonly string[];
  rdap?: Omit<RdapClientOptions, 'resolver' | 'allowCidrs' | 'allowHosts'> | false;
  website?: Omit<WebsiteFetchOptions, 'resolver' | 'allowCidrs' | 'allowHosts'> | false;
  /** Default: the offline naive Bayes classifier. false disables the step. */
  industry?: IndustryClassifier | false;
  /** Pattern guesses for networks the site does not link (default true). */
  guessSocialProfiles?: boolean;
  tuning?: Partial<Record<EnrichmentStep, StepTuning>>;
}

export interface Enricher {
  enrichLead(lead: LeadInput, options?: { signal?: AbortSignal }): Promise<EnrichmentResult>;
}

const DAY = 24 * 3600 * 1000;

function websiteOrigin(website: string | null | undefined): string | null {
  if (!website || !/^https?:\/\//i.test(website.trim())) return null;
  try {
    return `${new URL(website.trim()).origin}/`;
  } catch {
    return null;
  }
}

function toError(step: EnrichmentStep, error: unknown): EnrichmentError {
  if (error instanceof ProviderError) {
    return {
      step,
      provider: error.provider,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      attempts: error.attempts,
    };
  }
  return {
    step,
    provider: step,
    code: 'failed',
    message: error instanceof Error ? error.message : String(error),
    retryable: false,
    attempts: 1,
  };
}

function immediate<T>(provider: string, value: T, confidence: number, now: () => number): Enriched<T> {
  return { value, provenance: { provider, fetchedAt: new Date(now()).toISOString(), confidence, cached: false, attempts: 1 } };
}

/** Build the providers once (they share the cache and de-duplicate concurrent calls per domain). */
export function createEnricher(deps: EnrichmentDeps = {}): Enricher {
  const now = deps.now ?? Date.now;
  const providerDeps: ProviderDeps = {
    cache: deps.cache === undefined ? new MemoryLruCache({ now }) : deps.cache,
    now,
    random: deps.random,
    sleep: deps.sleep,
  };
  const httpResolver = deps.resolver ?? undefined;
  const tuning = (step: EnrichmentStep) => deps.tuning?.[step] ?? {};
  const classifier: IndustryClassifier | null =
    deps.industry === false ? null : (deps.industry ?? new NaiveBayesIndustryClassifier());

  const emailProvider: Provider<string, EmailCheck> = defineProvider(
    {
      name: 'email',
      key: (address) => address.trim().toLowerCase(),
      ttlMs: DAY,
      timeoutMs: 15_000,
      ...tuning('email'),
      run: async (address, { signal }) => {
        const value = await checkEmail(address, { dns: deps.resolver ?? null, signal });
        const confidence = value.dns === 'ok' || value.dns === 'no_mail_host' ? 0.95 : 0.8;
        return { value, confidence };
      },
    },
    providerDeps,
  );

  const rdapProvider: Provider<string, RdapDomain | null> = defineProvider(
    {
      name: 'rdap',
      key: (domain) => domain,
      ttlMs: 30 * DAY,
      timeoutMs: 15_000,
      ...tuning('rdap'),
      run: async (domain, { signal }) => {
        const options = deps.rdap || {};
        const value = await lookupRdapDomain(
          domain,
          {
            now: () => new Date(now()),
            ...options,
            resolver: httpResolver,
            allowCidrs: deps.allowCidrs,
            allowHosts: deps.allowHosts,
          },
          signal,
        );
        return { value, confidence: value === null ? 0.6 : value.registeredAt ? 0.95 : 0.8 };
      },
    },
    providerDeps,
  );

  const websiteProvider: Provider<string, WebsiteResult> = defineProvider(
    {
      name: 'website',
      key: (site) => site,
      ttlMs: 7 * DAY,
      timeoutMs: 20_000,
      ...tuning('website'),
      run: async (site, { signal }) => {
        const options = deps.website || {};
        const value = await fetchWebsite(
          site,
          { ...options, resolver: httpResolver, allowCidrs: deps.allowCidrs, allowHosts: deps.allowHosts },
          signal,
        );
        return { value, confidence: value.truncated ? 0.8 : 0.9 };
      },
    },
    providerDeps,
  );

  type IndustryJob = { key: string | null; input: { name?: string | null; description?: string | null; text?: string | null } };
  const industryProvider: Provider<IndustryJob, IndustryResult> | null = classifier
    ? defineProvider(
        {
          name: classifier.name,
          key: (job) => job.key,
          ttlMs: 30 * DAY,
          timeoutMs: 30_000,
          ...tuning('industry'),
          run: async (job, { signal }) => {
            const value = await classifier.classify(job.input, signal);
            return { value, confidence: value.confidence };
          },
        },
        providerDeps,
      )
    : null;

  async function enrichLead(lead: LeadInput, options: { signal?: AbortSignal } = {}): Promise<EnrichmentResult> {
    const enrichment: LeadEnrichment = {};
    const errors: EnrichmentError[] = [];
    const signal = options.signal;
    const run = async <T>(step: EnrichmentStep, work: () => Promise<Enriched<T>>): Promise<Enriched<T> | undefined> => {
      try {
        const result = await work();
        (enrichment as Record<string, unknown>)[step] = result;
        return result;
      } catch (error) {
        errors.push(toError(step, error));
        return undefined;
      }
    };

    // 1. Domains (pure, instant).
    const email = lead.email?.trim() || null;
    const emailDomain = email && email.includes('@') ? hostOf(email) : null;
    const websiteHost = lead.website?.trim() ? hostOf(lead.website) : null;

    // The email's domain is the company's unless it is free or disposable mail (list look-ups, no I/O).
    const emailParsed = email ? parseEmailAddress(email) : null;
    const emailCompanyDomain =
      emailParsed?.ok && !isFreeMailDomain(emailParsed.asciiDomain) && !isDisposableDomain(emailParsed.asciiDomain)
        ? registrableDomain(emailParsed.domain)
        : null;
    const companyDomain = (websiteHost ? registrableDomain(websiteHost) : null) ?? emailCompanyDomain;
    enrichment.domain = immediate('domain', { emailDomain, websiteHost, companyDomain }, 1, now);

    // 2. Independent network steps, concurrently.
    // A website given as a URL keeps its scheme and port; the home page is its root.
    const site = websiteOrigin(lead.website) ?? websiteHost ?? companyDomain;
    const [, , website] = await Promise.all([
      email ? run('email', () => emailProvider(email, { signal })) : undefined,
      companyDomain && deps.rdap !== false ? run('rdap', () => rdapProvider(companyDomain, { signal })) : undefined,
      site && deps.website !== false ? run('website', () => websiteProvider(site, { signal })) : undefined,
    ]);

    // 3. Steps that read the website.
    const page = website?.value;
    if (industryProvider) {
      const input = {
        name: lead.companyName,
        description: lead.description ?? page?.description ?? null,
        text: page?.textSample ?? null,
      };
      if (input.name || input.description || input.text) {
        // Per domain and per text: the same company page is classified once (an LLM call costs).
        const digest = createHash('sha256').update(inputText(input)).digest('hex').slice(0, 16);
        const key = `${companyDomain ?? '-'}:${digest}`;
        await run('industry', () => industryProvider({ key, input }, { signal }));
      }
    }
    const linked = page?.socialProfiles ?? [];
    const guessed = deps.guessSocialProfiles === false || !companyDomain ? [] : guessSocialProfiles(companyDomain, linked);
    const profiles = mergeProfiles([...linked, ...guessed]);
    if (profiles.length > 0) {
      enrichment.social = immediate('social', profiles, linked.length > 0 ? 0.9 : 0.2, now);
    }
    if (lead.phone || lead.country || companyDomain || emailDomain) {
      const geo = resolveGeography({
        phone: lead.phone ?? page?.contacts.phones[0] ?? null,
        country: lead.country,
        domain: companyDomain ?? emailDomain,
        hints: page?.contacts.countries,
      });
      if (geo.country || geo.phone) enrichment.geo = immediate('geo', geo, geo.confidence, now);
    }
    return { enrichment, errors };
  }

  return { enrichLead };
}

/** One-off convenience; a worker should keep one enricher (its providers share a cache). */
export function enrichLead(
  lead: LeadInput,
  deps: EnrichmentDeps = {},
  options: { signal?: AbortSignal } = {},
): Promise<EnrichmentResult> {
  return createEnricher(deps).enrichLead(lead, options);
}
