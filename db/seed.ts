/**
 * Demo data for a fresh local install: a demo tenant, its owner login and a few leads.
 * Runs through the same models (and RLS) as the app.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from './index';
import { createLead } from '../app/models/lead.server';
import { createTenant, addMembership } from '../app/models/tenant.server';
import { createUser } from '../app/models/user.server';

export const DEMO_EMAIL = 'demo@leadflow.local';

/** Seeds only when no user exists yet; returns the demo login when it did. */
export async function seedDemo(database: Database): Promise<{ email: string; password: string; slug: string } | null> {
  const existing = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from users`);
  if (Number(existing.rows[0]?.n) > 0) return null;
  const password = `demo-${crypto.randomBytes(6).toString('base64url')}`;
  await createTenant(database, { slug: 'demo', name: 'Demo Company' }, async (tx, tenant) => {
    const user = await createUser(tx, { email: DEMO_EMAIL, name: 'Demo Owner', password });
    await addMembership(tx, tenant.id, user.id, 'owner', user.id);
    const people = [
      ['Ada', 'Lovelace', 'ada@analytical.example', 'Analytical Engines', 'new'],
      ['Grace', 'Hopper', 'grace@cobol.example', 'Navy Computing', 'working'],
      ['Alan', 'Turing', 'alan@bletchley.example', 'Bletchley Park', 'mql'],
      ['Katherine', 'Johnson', 'katherine@nasa.example', 'NASA Langley', 'sql'],
      ['Linus', 'Torvalds', 'linus@kernel.example', 'Kernel Org', 'customer'],
      ['Margaret', 'Hamilton', 'margaret@apollo.example', 'Apollo Guidance', 'new'],
    ] as const;
    for (const [firstName, lastName, email, companyName, stage] of people) {
      await createLead(tx, tenant.id, { firstName, lastName, email, companyName, stage }, user.id);
    }
  });
  return { email: DEMO_EMAIL, password, slug: 'demo' };
}
