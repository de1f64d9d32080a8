import { schema, type Tx } from '../../db';

export interface AuditEntry {
  tenantId: string;
  actorUserId?: string | null;
  action: string;
  target?: string | null;
  data?: Record<string, unknown>;
}

/** Appends to the tenant's audit log inside the caller's tenant transaction. */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(schema.auditLog).values({
    tenantId: entry.tenantId,
    actorUserId: entry.actorUserId ?? null,
    action: entry.action,
    target: entry.target ?? null,
    data: entry.data ?? {},
  });
}
