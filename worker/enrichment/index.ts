// Public surface of the enrichment library (worker tasks and the CLI import from here).
export { registrableDomain, publicSuffix, topLevelDomain, hostOf } from './domain.js';
export {
  checkEmail,
  checkMailHost,
  parseEmailAddress,
  isValidEmailSyntax,
  type EmailCheck,
  type EmailReason,
  type DnsStatus,
} from './email.js';
export { createNodeResolver, createStaticResolver, type Resolver, type MxRecord } from './dns.js';
export { isFreeMailDomain, isDisposableDomain, isRoleLocalPart } from './lists.js';
export { safeFetch, forbiddenAddressReason, HttpError, SsrfError, type SafeFetchOptions, type SafeResponse } from './http.js';
export { lookupRdapDomain, parseRdapDomain, type RdapDomain } from './rdap.js';
export { fetchWebsite, parseHomePage, type WebsiteMetadata } from './website.js';
export { parseSocialUrl, guessSocialProfiles, type SocialProfile } from './social.js';
export {
  NaiveBayesIndustryClassifier,
  OpenAICompatibleClassifier,
  INDUSTRIES,
  type Industry,
  type IndustryClassifier,
  type IndustryResult,
} from './industry.js';
export { resolveGeography, normalizeCountry, countryFromTld, timezoneForCountry, type Geography } from './geo.js';
export {
  defineProvider,
  MemoryLruCache,
  ProviderError,
  type EnrichmentCache,
  type CacheEntry,
  type Provenance,
  type Enriched,
} from './provider.js';
export { createEnricher, enrichLead, type LeadInput, type EnrichmentResult, type EnrichmentDeps } from './pipeline.js';
export { enrichmentConfigFromEnv, createIndustryClassifier, type EnrichmentConfig } from './config.js';
export { runDomainCommand, runEmailCheckCommand } from './cli.js';
