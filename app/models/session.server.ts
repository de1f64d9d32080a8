import crypto from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { schema, type Db } from '../../db';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  db: Db,
  input: { userId: string; activeTenantId: string | null; userAgent?: string | null; ip?: string | null },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const [row] = await db
    .insert(schema.sessions)
    .values({
      tokenHash: hashToken(token),
      userId: input.userId,
      activeTenantId: input.activeTenantId,
      expiresAt,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      ip: input.ip ?? null,
    })
    .returning({ id: schema.sessions.id });
  return { token, id: row.id, expiresAt };
}

export type SessionRow = typeof schema.sessions.$inferSelect;

/** A live session for the token: not revoked, not expired. */
export async function findLiveSession(db: Db, token: string): Promise<SessionRow | null> {
  const rows = await db
    .select()
    .from(schema.sessions)
    .where(
      and(eq(schema.sessions.tokenHash, hashToken(token)), isNull(schema.sessions.revokedAt), gt(schema.sessions.expiresAt, new Date())),
    )
    .limit(1);
  return rows[0] ?? null;
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  await db.update(schema.sessions).set({ revokedAt: new Date() }).where(eq(schema.sessions.id, sessionId));
}

/** Signs a user out everywhere (e.g. after a password change). */
export async function revokeAllSessions(db: Db, userId: string): Promise<void> {
  await db
    .update(schema.sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(schema.sessions.userId, userId), isNull(schema.sessions.revokedAt)));
}

export async function setActiveTenant(db: Db, sessionId: string, tenantId: string): Promise<void> {
  await db.update(schema.sessions).set({ activeTenantId: tenantId }).where(eq(schema.sessions.id, sessionId));
}
