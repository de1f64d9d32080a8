/**
 * Saved lead-list views: a name and a filter in the one filter language (filterToParams string).
 * A view belongs to a user, or is shared with the workspace (user_id null; managers and up).
 */
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Tx } from '../../db';
import { filterToParams, parseLeadFilter } from './lead-filter';

export type SavedView = typeof schema.savedViews.$inferSelect;

export const savedViewNameSchema = z.string().trim().min(1, 'Name the view').max(80, 'Use at most 80 characters');

/** The view's filter as the canonical query string (paging dropped), or the filter's errors. */
export function normaliseViewQuery(
  query: string,
): { ok: true; query: string } | { ok: false; errors: Array<{ field: string; message: string }> } {
  const parsed = parseLeadFilter(new URLSearchParams(query.replace(/^\?/, '')));
  if (!parsed.ok) return parsed;
  return { ok: true, query: filterToParams(parsed.filter).toString() };
}

/** The user's own views, then the shared ones, each by name. */
export async function listSavedViews(tx: Tx, userId: string): Promise<SavedView[]> {
  const v = schema.savedViews;
  return tx
    .select()
    .from(v)
    .where(or(eq(v.userId, userId), isNull(v.userId)))
    .orderBy(sql`${v.userId} is null`, asc(v.name), asc(v.id));
}

/**
 * Saves a view; a view of the same name in the same scope (the user's, or shared) is replaced,
 * so "save" twice under one name updates it instead of piling up duplicates.
 */
export async function saveView(
  tx: Tx,
  tenantId: string,
  input: { userId: string | null; name: string; query: string },
): Promise<SavedView> {
  const name = savedViewNameSchema.parse(input.name);
  const normalised = normaliseViewQuery(input.query);
  if (!normalised.ok) throw new Error(`invalid view filter: ${normalised.errors.map((e) => e.field).join(', ')}`);
  const v = schema.savedViews;
  const scope = input.userId ? eq(v.userId, input.userId) : isNull(v.userId);
  const [existing] = await tx
    .select()
    .from(v)
    .where(and(scope, sql`lower(${v.name}) = lower(${name})`))
    .limit(1)
    .for('update');
  if (existing) {
    const [row] = await tx.update(v).set({ name, query: normalised.query }).where(eq(v.id, existing.id)).returning();
    return row;
  }
  const [row] = await tx.insert(v).values({ tenantId, userId: input.userId, name, query: normalised.query }).returning();
  return row;
}

/**
 * Deletes a view the user may delete: their own, or a shared one when `mayManageShared`.
 * Returns false when there is no such view (or it is someone else's).
 */
export async function deleteSavedView(tx: Tx, id: string, by: { userId: string; mayManageShared: boolean }): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const v = schema.savedViews;
  const allowed = by.mayManageShared ? or(eq(v.userId, by.userId), isNull(v.userId)) : eq(v.userId, by.userId);
  const deleted = await tx
    .delete(v)
    .where(and(eq(v.id, id), allowed))
    .returning({ id: v.id });
  return deleted.length > 0;
}
