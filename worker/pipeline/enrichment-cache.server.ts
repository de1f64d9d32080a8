/**
 * The enrichment providers' cache in Postgres (`enrichment_cache`): one row per provider and key
 * (the registrable domain for RDAP and websites), with an expiry. Shared by all tenants — it holds
 * public facts about domains only — and by every worker process, so a domain is fetched once per
 * TTL however many leads and workers see it. A small in-memory LRU sits in front of it.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { MemoryLruCache, type CacheEntry, type EnrichmentCache } from '../enrichment';

export class PgEnrichmentCache implements EnrichmentCache {
  readonly #db: Db;
  readonly #now: () => number;
  constructor(db: Db, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const rows = await this.#db.execute<{ value: CacheEntry }>(
      sql`select value from enrichment_cache where key = ${key} and expires_at > ${new Date(this.#now()).toISOString()}::timestamptz`,
    );
    return rows.rows[0]?.value;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const expiresAt = new Date(this.#now() + ttlMs).toISOString();
    await this.#db.execute(sql`
      insert into enrichment_cache (key, value, expires_at) values (${key}, ${JSON.stringify(entry)}::jsonb, ${expiresAt}::timestamptz)
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`);
  }

  /** Drops expired rows (crontab). */
  async prune(): Promise<number> {
    const rows = await this.#db.execute(sql`delete from enrichment_cache where expires_at <= ${new Date(this.#now()).toISOString()}::timestamptz`);
    return rows.rowCount ?? 0;
  }
}

/** Memory first, then Postgres; writes go to both. */
export class TieredEnrichmentCache implements EnrichmentCache {
  constructor(
    private readonly memory: MemoryLruCache,
    private readonly durable: EnrichmentCache,
  ) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit;
    const stored = await this.durable.get(key);
    // NOTE: the remaining TTL is not known here; keep it in memory briefly (the durable row rules).
    if (stored) this.memory.set(key, stored, 5 * 60_000);
    return stored;
  }

  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    this.memory.set(key, entry, Math.min(ttlMs, 5 * 60_000));
    await this.durable.set(key, entry, ttlMs);
  }
}
