import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Tx } from '../../db';
import { audit } from './audit.server';

export type Lead = typeof schema.leads.$inferSelect;

export const newLeadSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address').max(254).optional(),
  firstName: z.string().trim().max(120).optional(),
  lastName: z.string().trim().max(120).optional(),
  company: z.string().trim().max(200).optional(),
  stage: z.string().trim().min(1).max(40).default('new'),
});

/** Lists the tenant's newest leads. RLS scopes the query; no tenant filter is needed or trusted. */
export async function listLeads(tx: Tx, opts: { limit?: number } = {}): Promise<Lead[]> {
  return tx.select().from(schema.leads).orderBy(desc(schema.leads.createdAt)).limit(opts.limit ?? 50);
}

export async function createLead(
  tx: Tx,
  tenantId: string,
  input: z.input<typeof newLeadSchema>,
  actorUserId?: string | null,
): Promise<Lead> {
  const data = newLeadSchema.parse(input);
  const [lead] = await tx.insert(schema.leads).values({ tenantId, ...data }).returning();
  await audit(tx, { tenantId, actorUserId, action: 'lead.created', target: lead.id });
  return lead;
}

export async function getLead(tx: Tx, id: string): Promise<Lead | null> {
  const rows = await tx.select().from(schema.leads).where(eq(schema.leads.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function countLeadsByStage(tx: Tx): Promise<Array<{ stage: string; count: number }>> {
  return tx
    .select({ stage: schema.leads.stage, count: sql<number>`count(*)::int` })
    .from(schema.leads)
    .groupBy(schema.leads.stage)
    .orderBy(schema.leads.stage);
}
