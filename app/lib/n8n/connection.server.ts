/**
 * Which n8n Leadflow talks to: N8N_URL + N8N_API_KEY in production, otherwise the local n8n that
 * `npm start` supervises, whose API key is kept encrypted in system_secrets.
 */
import { eq } from 'drizzle-orm';
import { schema } from '../../../db';
import { decryptSecret, encryptSecret } from '../crypto.server';
import { database } from '../db.server';
import { env } from '../env.server';
import { createN8nClient, type N8nClient } from './client.server';

export const N8N_SECRET_NAME = 'n8n.local';

export interface StoredN8nSecret {
  url: string;
  ownerEmail: string;
  ownerPassword: string;
  apiKey: string;
}

export class N8nNotConfiguredError extends Error {
  constructor() {
    super('No n8n is configured: start Leadflow with `npm start` (it runs a local n8n) or set N8N_URL and N8N_API_KEY.');
    this.name = 'N8nNotConfiguredError';
  }
}

function encryptionKey(): string {
  const key = env().LEADFLOW_ENCRYPTION_KEY;
  if (!key) throw new Error('LEADFLOW_ENCRYPTION_KEY is required to store the n8n API key');
  return key;
}

export async function readStoredN8n(): Promise<StoredN8nSecret | null> {
  const rows = await database().db.select().from(schema.systemSecrets).where(eq(schema.systemSecrets.name, N8N_SECRET_NAME)).limit(1);
  if (!rows[0]) return null;
  return JSON.parse(decryptSecret(rows[0].ciphertext, encryptionKey())) as StoredN8nSecret;
}

export async function storeN8n(secret: StoredN8nSecret): Promise<void> {
  const ciphertext = encryptSecret(JSON.stringify(secret), encryptionKey());
  await database()
    .db.insert(schema.systemSecrets)
    .values({ name: N8N_SECRET_NAME, ciphertext })
    .onConflictDoUpdate({ target: schema.systemSecrets.name, set: { ciphertext, updatedAt: new Date() } });
  cached = undefined;
}

let cached: { client: N8nClient; at: number } | undefined;

/** The n8n API client (cached for a minute so a rotated local key is picked up). */
export async function n8nClient(): Promise<N8nClient> {
  if (cached && Date.now() - cached.at < 60_000) return cached.client;
  const e = env();
  let client: N8nClient;
  if (e.N8N_URL && e.N8N_API_KEY) {
    client = createN8nClient({ baseUrl: e.N8N_URL, apiKey: e.N8N_API_KEY, timeoutMs: 15_000 });
  } else {
    const stored = await readStoredN8n();
    if (!stored) throw new N8nNotConfiguredError();
    client = createN8nClient({ baseUrl: stored.url, apiKey: stored.apiKey, timeoutMs: 15_000 });
  }
  cached = { client, at: Date.now() };
  return client;
}

/** Where n8n calls Leadflow back (the bulk lead endpoint). */
export function leadflowInternalUrl(): string {
  const e = env();
  return (e.LEADFLOW_INTERNAL_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');
}
