/**
 * Bulk changes from the lead list. One call runs inside the caller's tenant transaction and goes
 * through updateLead/deleteLead (so every lead gets its events and audit entries); any missing
 * lead aborts the whole batch before anything is written, and a later failure rolls it back.
 */
import { asc, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { deleteLead, updateLead, type Actor } from './lead.server';

export const MAX_BULK = 500;

export type BulkOperation =
  | { kind: 'assign'; ownerId: string | null }
  | { kind: 'addTag'; tag: string }
  | { kind: 'removeTag'; tag: string }
  | { kind: 'stage'; stage: string }
  | { kind: 'delete' };

/** Some selected leads do not exist (deleted meanwhile, merged, or not in this workspace). */
export class BulkTargetMissingError extends Error {
  constructor(public readonly missing: number) {
    super(
      `${missing} of the selected leads ${missing === 1 ? 'does' : 'do'} not exist in this workspace (deleted or merged meanwhile?). Nothing was changed; reload the list and try again.`,
    );
    this.name = 'BulkTargetMissingError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Applies `op` to every lead in `ids`, all or nothing. Returns how many leads it touched. */
export async function applyBulkOperation(
  tx: Tx,
  tenantId: string,
  ids: string[],
  op: BulkOperation,
  actor: Actor,
): Promise<number> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  if (unique.length > MAX_BULK) throw new RangeError(`at most ${MAX_BULK} leads at once`);
  const valid = unique.filter((id) => UUID.test(id));
  if (valid.length !== unique.length) throw new BulkTargetMissingError(unique.length - valid.length);
  if (valid.length === 0) return 0;
  const l = schema.leads;
  // Lock every target first, in id order (a stable order keeps two concurrent batches from deadlocking).
  const rows = await tx
    .select({ id: l.id, tags: l.tags })
    .from(l)
    .where(
      sql`${l.id} in (${sql.join(
        valid.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    )
    .orderBy(asc(l.id))
    .for('update');
  if (rows.length !== valid.length) throw new BulkTargetMissingError(valid.length - rows.length);
  for (const row of rows) {
    switch (op.kind) {
      case 'assign':
        await updateLead(tx, tenantId, row.id, { ownerId: op.ownerId }, actor);
        break;
      case 'stage':
        await updateLead(tx, tenantId, row.id, { stage: op.stage }, actor);
        break;
      case 'addTag':
        if (!row.tags.includes(op.tag)) await updateLead(tx, tenantId, row.id, { tags: [...row.tags, op.tag] }, actor);
        break;
      case 'removeTag':
        if (row.tags.includes(op.tag))
          await updateLead(tx, tenantId, row.id, { tags: row.tags.filter((t) => t !== op.tag) }, actor);
        break;
      case 'delete':
        await deleteLead(tx, tenantId, row.id, actor);
        break;
    }
  }
  return rows.length;
}
