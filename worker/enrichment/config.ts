// Enrichment settings from the environment, validated once. The platform's config module
// calls enrichmentConfigFromEnv(process.env) at start-up; nothing here reads process.env.
import { z } from 'zod';
import { DEFAULT_RDAP_BASE_URL } from './rdap.js';
import { NaiveBayesIndustryClassifier, OpenAICompatibleClassifier, type IndustryClassifier } from './industry.js';
import type { Resolver } from './dns.js';

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const enrichmentEnvSchema = z
  .object({
    /** Comma-separated DNS servers for MX and HTTP resolution ("1.1.1.1,8.8.8.8"); system resolvers when empty. */
    LEADFLOW_DNS_SERVERS: list,
    LEADFLOW_RDAP_BASE_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_RDAP_BASE_URL),
    LEADFLOW_ENRICH_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    LEADFLOW_ENRICH_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** OpenAI-compatible endpoint for the LLM industry classifier, e.g. https://api.openai.com/v1 */
    LEADFLOW_LLM_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    LEADFLOW_LLM_MODEL: z.string().min(1).optional(),
    LEADFLOW_LLM_API_KEY: z.string().min(1).optional(),
  })
  .refine((env) => !env.LEADFLOW_LLM_BASE_URL === !env.LEADFLOW_LLM_MODEL, {
    message: 'LEADFLOW_LLM_BASE_URL and LEADFLOW_LLM_MODEL are set together',
  });

export interface EnrichmentConfig {
  dnsServers: string[];
  rdapBaseUrl: string;
  httpTimeoutMs: number;
  maxBytes: number;
  llm: { baseUrl: string; model: string; apiKey: string | null } | null;
}

export function enrichmentConfigFromEnv(env: Record<string, string | undefined>): EnrichmentConfig {
  const e = enrichmentEnvSchema.parse(env);
  return {
    dnsServers: e.LEADFLOW_DNS_SERVERS,
    rdapBaseUrl: e.LEADFLOW_RDAP_BASE_URL,
    httpTimeoutMs: e.LEADFLOW_ENRICH_HTTP_TIMEOUT_MS,
    maxBytes: e.LEADFLOW_ENRICH_MAX_BYTES,
    llm:
      e.LEADFLOW_LLM_BASE_URL && e.LEADFLOW_LLM_MODEL
        ? { baseUrl: e.LEADFLOW_LLM_BASE_URL, model: e.LEADFLOW_LLM_MODEL, apiKey: e.LEADFLOW_LLM_API_KEY ?? null }
        : null,
  };
}

/** The LLM classifier when one is configured, else the offline model. */
export function createIndustryClassifier(config: Pick<EnrichmentConfig, 'llm'>, resolver?: Resolver): IndustryClassifier {
  if (config.llm) return new OpenAICompatibleClassifier({ ...config.llm, resolver });
  return new NaiveBayesIndustryClassifier();
}
