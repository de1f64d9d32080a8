/**
 * Per-tenant API keys. The key is shown once; only its SHA-256 is stored. A request finds its key
 * row through a capability lookup (the hash), which also tells the tenant (see 0004 migration).
 */
import crypto from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { schema, type Database, type Tx } from '../../db';
import { audit } from './audit.server';

export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(
  tx: Tx,
  tenantId: string,
  input: { name: string; scopes: ApiScope[]; createdBy?: string | null },
): Promise<{ id: string; key: string; prefix: string }> {
  const key = `lf_${crypto.randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, 10);
  const [row] = await tx
    .insert(schema.apiKeys)
    .values({ tenantId, name: input.name, prefix, keyHash: hashApiKey(key), scopes: input.scopes, createdBy: input.createdBy ?? null })
    .returning({ id: schema.apiKeys.id });
  await audit(tx, { tenantId, actorUserId: input.createdBy, action: 'api_key.created', target: row.id, data: { name: input.name, scopes: input.scopes } });
  return { id: row.id, key, prefix };
}

export async function listApiKeys(tx: Tx) {
  return tx
    .select({
      id: schema.apiKeys.id,
      name: schema.apiKeys.name,
      prefix: schema.apiKeys.prefix,
      scopes: schema.apiKeys.scopes,
      createdAt: schema.apiKeys.createdAt,
      lastUsedAt: schema.apiKeys.lastUsedAt,
      revokedAt: schema.apiKeys.revokedAt,
    })
    .from(schema.apiKeys)
    .orderBy(desc(schema.apiKeys.createdAt));
}

export async function revokeApiKey(tx: Tx, tenantId: string, id: string, actorUserId?: string | null): Promise<boolean> {
  const rows = await tx
    .update(schema.apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(schema.apiKeys.id, id), isNull(schema.apiKeys.revokedAt)))
    .returning({ id: schema.apiKeys.id });
  if (rows[0]) await audit(tx, { tenantId, actorUserId, action: 'api_key.revoked', target: id });
  return rows.length > 0;
}

export interface ApiPrincipal {
  tenantId: string;
  keyId: string;
  scopes: ApiScope[];
}

/** Resolves a presented key to its tenant and scopes; null when unknown or revoked. */
export async function authenticateApiKey(database: Database, key: string): Promise<ApiPrincipal | null> {
  if (!/^lf_[A-Za-z0-9_-]{20,100}$/.test(key)) return null;
  const hash = hashApiKey(key);
  const row = await database.db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.lookup_api_key_hash', ${hash}, true)`);
    const rows = await tx.execute<{ tenant_id: string; id: string; scopes: string[]; revoked_at: Date | null; last_used_at: Date | null }>(
      sql`select tenant_id, id, scopes, revoked_at, last_used_at from api_keys where key_hash = ${hash}`,
    );
    return rows.rows[0];
  });
  if (!row || row.revoked_at) return null;
  // Touch last_used_at at most once a minute (not a write per request).
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await database.withTenant(row.tenant_id, (tx) =>
      tx.update(schema.apiKeys).set({ lastUsedAt: new Date() }).where(eq(schema.apiKeys.id, row.id)),
    );
  }
  return { tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes as ApiScope[] };
}
