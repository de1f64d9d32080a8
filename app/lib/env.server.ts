/**
 * Configuration, validated once. Every other module reads settings from here, never from
 * process.env directly. A missing or bad setting stops the start with a message naming it.
 */
import { z } from 'zod';
import { enrichmentConfigFromEnv, type EnrichmentConfig } from '../../worker/enrichment/config';

const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Owner connection: migrations and seeds. Unset in development → embedded PostgreSQL. */
    DATABASE_URL: postgresUrl.optional(),
    /** Application-role connection (leadflow_app). Derived from DATABASE_URL when unset. */
    APP_DATABASE_URL: postgresUrl.optional(),
    /** Password given to leadflow_app when it is created (derived URLs use it). */
    APP_DB_PASSWORD: z.string().min(8).optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** 32 random bytes, base64 or hex: encrypts secrets kept in the database. */
    LEADFLOW_ENCRYPTION_KEY: z
      .string()
      .refine((v) => {
        const hex = /^[0-9a-f]{64}$/i.test(v);
        const b64 = Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(v);
        return hex || b64;
      }, 'must be 32 random bytes as hex (64 chars) or base64 (44 chars)')
      .optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.string().url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    /** Run the Graphile Worker inside the web process (npm start) or not (a separate worker). */
    RUN_WORKER: bool.default(true),
    SEED_DEMO: bool.optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    DATA_DIR: z.string().default('.data'),
    N8N_URL: z.string().url().optional(),
    N8N_API_KEY: z.string().min(1).optional(),
    N8N_PORT: z.coerce.number().int().min(1024).max(65535).default(5678),
    /** Run the supervised local n8n with `npm start` (when N8N_URL is unset). */
    RUN_N8N: bool.default(true),
    /** Secrets of the local n8n (generated into .data in development). */
    N8N_ENCRYPTION_KEY: z.string().min(16).optional(),
    N8N_JWT_SECRET: z.string().min(16).optional(),
    /** How n8n reaches Leadflow's API (callbacks from workflows). */
    LEADFLOW_INTERNAL_URL: z.string().url().optional(),
    /** Capture submissions allowed per minute per capture key, and per client IP (per instance). */
    CAPTURE_RATE_PER_KEY: z.coerce.number().int().min(1).default(6000),
    CAPTURE_RATE_PER_IP: z.coerce.number().int().min(1).default(120),
    LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    /**
     * Workflow outbox events still undelivered after this many hours are dropped by the periodic
     * prune (delivered ones go sooner). At least 96: the delivery job retries for ~95 h (25
     * attempts, exponential backoff) and an event is never dropped while it may still be retried.
     */
    WORKFLOW_OUTBOX_RETENTION_HOURS: z.coerce.number().int().min(96).default(168),
    /**
     * CSV import batches written at once, each on its own database connection (they commit in file
     * order). 2 suits a 2-core database server; more helps only where the server has idle cores.
     */
    IMPORT_WRITERS: z.coerce.number().int().min(1).max(8).default(2),
    // --- Lead pipeline (enrichment → scoring → assignment) ---
    /** Network enrichment (MX lookups, RDAP, company websites) after the local pass. Off: local only. */
    LEADFLOW_ENRICH_NETWORK: bool.default(false),
    /**
     * Run the lead-pipeline tasks in this process's worker. Default on, except NODE_ENV=test:
     * test files share one database and seed scores by hand, so only the pipeline's own tests
     * (on their own database) turn it on.
     */
    LEADFLOW_PIPELINE_TASKS: bool.optional(),
  });

/** Rules across settings, checked on the raw values so they are reported with type errors too. */
function crossChecks(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (raw.NODE_ENV === 'production') {
    for (const key of ['DATABASE_URL', 'SESSION_SECRET', 'LEADFLOW_ENCRYPTION_KEY']) {
      if (!raw[key]) problems.push(`${key}: is required in production`);
    }
  }
  if (Boolean(raw.N8N_URL) !== Boolean(raw.N8N_API_KEY)) problems.push('N8N_API_KEY: N8N_URL and N8N_API_KEY go together');
  return problems;
}

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses a whole environment; throws ConfigError naming every bad setting. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (docker-compose passes `FOO=` for absent values).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...crossChecks(cleaned),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

let cached: Env | undefined;
/** The process configuration (parsed once, lazily). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The application-role URL: APP_DATABASE_URL, or DATABASE_URL with the leadflow_app user. */
export function appDatabaseUrl(e: Env = env()): string {
  if (e.APP_DATABASE_URL) return e.APP_DATABASE_URL;
  if (!e.DATABASE_URL) throw new ConfigError(['DATABASE_URL: is required (or APP_DATABASE_URL)']);
  const url = new URL(e.DATABASE_URL);
  url.username = 'leadflow_app';
  url.password = e.APP_DB_PASSWORD ?? '';
  return url.toString();
}

/** The cookie-signing secret; required (npm start generates one for development). */
export function sessionSecret(e: Env = env()): string {
  if (!e.SESSION_SECRET) throw new ConfigError(['SESSION_SECRET: is required']);
  return e.SESSION_SECRET;
}

// --- Lead pipeline ---------------------------------------------------------------------------
let enrichmentCached: EnrichmentConfig | undefined;
/** Enrichment settings (LEADFLOW_DNS_SERVERS, LEADFLOW_RDAP_BASE_URL, LEADFLOW_LLM_*…), parsed once. */
export function enrichmentConfig(): EnrichmentConfig {
  enrichmentCached ??= enrichmentConfigFromEnv(process.env);
  return enrichmentCached;
}

/** Whether this worker runs the lead-pipeline tasks (see LEADFLOW_PIPELINE_TASKS). */
export function pipelineTasksEnabled(e: Env = env()): boolean {
  return e.LEADFLOW_PIPELINE_TASKS ?? e.NODE_ENV !== 'test';
}
