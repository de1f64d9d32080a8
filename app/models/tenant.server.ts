import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Database, type Tx, type Db } from '../../db';
import type { Role } from '../../db/schema';
import { audit } from './audit.server';
import { createUser, findUserByEmail, type User } from './user.server';

export type Tenant = typeof schema.tenants.$inferSelect;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, rep: 1, manager: 2, admin: 3, owner: 4 };

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'Use at least 2 characters')
  .max(48, 'Use at most 48 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lowercase letters, digits and dashes');

export class SlugTakenError extends Error {
  constructor(slug: string) {
    super(`The workspace address "${slug}" is taken`);
    this.name = 'SlugTakenError';
  }
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const pgErr = e?.code ? e : e?.cause;
  return pgErr?.code === '23505' && pgErr?.constraint === constraint;
}

/**
 * Creates a tenant. The id is chosen first and set as the transaction's tenant, so the insert
 * passes the tenants policy's WITH CHECK (a tenant can only create itself).
 */
export async function createTenant(
  database: Database,
  input: { slug: string; name: string; parentTenantId?: string | null; actorUserId?: string | null },
  inTenant?: (tx: Tx, tenant: Tenant) => Promise<void>,
): Promise<Tenant> {
  const id = crypto.randomUUID();
  try {
    return await database.withTenant({ tenantId: id, userId: input.actorUserId ?? null }, async (tx) => {
      const [tenant] = await tx
        .insert(schema.tenants)
        .values({ id, slug: input.slug, name: input.name, parentTenantId: input.parentTenantId ?? null })
        .returning();
      await audit(tx, { tenantId: id, actorUserId: input.actorUserId, action: 'tenant.created', target: input.slug });
      if (inTenant) await inTenant(tx, tenant);
      return tenant;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'tenants_slug_key')) throw new SlugTakenError(input.slug);
    throw err;
  }
}

export async function addMembership(tx: Tx, tenantId: string, userId: string, role: Role, actorUserId?: string | null) {
  await tx
    .insert(schema.memberships)
    .values({ tenantId, userId, role })
    .onConflictDoUpdate({ target: [schema.memberships.tenantId, schema.memberships.userId], set: { role } });
  await audit(tx, { tenantId, actorUserId, action: 'membership.set', target: userId, data: { role } });
}

export class EmailTakenError extends Error {
  constructor() {
    super('An account with this email already exists');
    this.name = 'EmailTakenError';
  }
}

/** Sign-up: a new user, a new tenant and the owner membership, all or nothing. */
export async function signUp(
  database: Database,
  input: { email: string; name: string; password: string; tenantName: string; slug: string },
): Promise<{ user: User; tenant: Tenant }> {
  if (await findUserByEmail(database.db, input.email)) throw new EmailTakenError();
  let user: User | undefined;
  const tenant = await createTenant(database, { slug: input.slug, name: input.tenantName }, async (tx, t) => {
    try {
      user = await createUser(tx, { email: input.email, name: input.name, password: input.password });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) throw new EmailTakenError();
      throw err;
    }
    await addMembership(tx, t.id, user.id, 'owner', user.id);
  });
  return { user: user!, tenant };
}

export interface MembershipSummary {
  tenantId: string;
  slug: string;
  name: string;
  role: Role;
  branding: unknown;
}

/** The user's memberships across tenants (RLS: membership_self_read + tenant_self). */
export async function listMembershipsForUser(database: Database, userId: string): Promise<MembershipSummary[]> {
  return database.withUser(userId, (tx) =>
    tx
      .select({
        tenantId: schema.tenants.id,
        slug: schema.tenants.slug,
        name: schema.tenants.name,
        role: schema.memberships.role,
        branding: schema.tenants.branding,
      })
      .from(schema.memberships)
      .innerJoin(schema.tenants, eq(schema.tenants.id, schema.memberships.tenantId))
      .where(eq(schema.memberships.userId, userId))
      .orderBy(schema.tenants.name),
  );
}

export async function getTenantBySlug(db: Db | Tx, slug: string): Promise<Tenant | null> {
  const rows = await db.select().from(schema.tenants).where(eq(schema.tenants.slug, slug)).limit(1);
  return rows[0] ?? null;
}

export async function listMembers(tx: Tx, tenantId: string) {
  return tx
    .select({ userId: schema.users.id, email: schema.users.email, name: schema.users.name, role: schema.memberships.role })
    .from(schema.memberships)
    .innerJoin(schema.users, eq(schema.users.id, schema.memberships.userId))
    .where(eq(schema.memberships.tenantId, tenantId))
    .orderBy(schema.users.email);
}

export async function getMembershipRole(tx: Tx, tenantId: string, userId: string): Promise<Role | null> {
  const rows = await tx
    .select({ role: schema.memberships.role })
    .from(schema.memberships)
    .where(and(eq(schema.memberships.tenantId, tenantId), eq(schema.memberships.userId, userId)))
    .limit(1);
  return rows[0]?.role ?? null;
}

export const brandingSchema = z.object({
  productName: z.string().trim().max(60).optional(),
  primaryColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour like #3355ff')
    .optional(),
  logoUrl: z.string().url().max(500).optional().or(z.literal('')),
});
export type Branding = z.infer<typeof brandingSchema>;

export async function updateTenantProfile(
  tx: Tx,
  tenantId: string,
  input: { name: string; branding: Branding },
  actorUserId: string,
): Promise<void> {
  await tx
    .update(schema.tenants)
    .set({ name: input.name, branding: input.branding, updatedAt: new Date() })
    .where(eq(schema.tenants.id, tenantId));
  await audit(tx, { tenantId, actorUserId, action: 'tenant.updated', data: { name: input.name, branding: input.branding } });
}
