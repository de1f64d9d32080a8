import { eq } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { DEFAULT_STAGES } from './lead-fields';

/** The tenant's pipeline from `tenants.settings.stages`, or the default one. */
export function stagesFromSettings(settings: unknown): string[] {
  const stages = (settings as { stages?: unknown } | null)?.stages;
  if (Array.isArray(stages)) {
    const valid = stages
      .filter((s): s is string => typeof s === 'string' && s.trim() !== '' && s.length <= 40)
      .map((s) => s.trim());
    if (valid.length) return [...new Set(valid)];
  }
  return [...DEFAULT_STAGES];
}

export async function getPipelineStages(tx: Tx, tenantId: string): Promise<string[]> {
  const [row] = await tx
    .select({ settings: schema.tenants.settings })
    .from(schema.tenants)
    .where(eq(schema.tenants.id, tenantId));
  return stagesFromSettings(row?.settings);
}
