/**
 * In-app notifications (the bell in the shell). Each user reads only their own, within the
 * current tenant (RLS scopes the tenant; the queries scope the user).
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';

export type Notification = typeof schema.notifications.$inferSelect;

export async function unreadCount(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.userId, userId), isNull(schema.notifications.readAt)));
  return Number(row?.n ?? 0);
}

export async function listNotifications(tx: Tx, userId: string, limit = 50): Promise<Notification[]> {
  return tx
    .select()
    .from(schema.notifications)
    .where(eq(schema.notifications.userId, userId))
    .orderBy(desc(schema.notifications.createdAt), desc(schema.notifications.id))
    .limit(limit);
}

/** Marks one notification (or, without an id, all of the user's) as read. */
export async function markRead(tx: Tx, userId: string, id?: string): Promise<number> {
  const where = [eq(schema.notifications.userId, userId), isNull(schema.notifications.readAt)];
  if (id) where.push(eq(schema.notifications.id, id));
  const rows = await tx
    .update(schema.notifications)
    .set({ readAt: new Date() })
    .where(and(...where))
    .returning({ id: schema.notifications.id });
  return rows.length;
}

/** A one-line text for a notification (the bell list). */
export function notificationText(n: Pick<Notification, 'kind' | 'payload'>): string {
  const p = (n.payload ?? {}) as { count?: number; reason?: string; leads?: Array<{ name?: string }> };
  if (n.kind === 'lead_assigned') {
    const count = p.count ?? p.leads?.length ?? 1;
    const first = p.leads?.[0]?.name || 'A lead';
    const why = p.reason === 'sla' ? ' (reassigned: not touched in time)' : '';
    return count === 1 ? `${first} was assigned to you${why}` : `${count} leads were assigned to you${why}`;
  }
  return n.kind.replace(/_/g, ' ');
}
