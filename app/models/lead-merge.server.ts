/**
 * The manual merge's confirmation step: what mergeLeads(primary, secondary) will do, computed by
 * the same merge rule (planMerge) so the preview cannot disagree with the result.
 */
import { sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db';
import { MERGEABLE_FIELDS, type LeadFields } from './lead-fields';
import { planMerge, type FieldConflict, type Lead } from './lead.server';

/** The secondary lead as merge input, exactly as mergeLeads builds it. */
function mergeInput(secondary: Lead): LeadFields {
  const fields: LeadFields = {};
  for (const f of MERGEABLE_FIELDS) (fields as Record<string, unknown>)[f] = (secondary as unknown as Record<string, unknown>)[f];
  fields.tags = secondary.tags;
  fields.custom = secondary.custom as LeadFields['custom'];
  fields.unsubscribed = secondary.unsubscribed;
  fields.doNotContact = secondary.doNotContact;
  return fields;
}

export interface MergePreview {
  /** Fields the other lead fills in on this one. */
  fills: string[];
  /** Fields where both have different values: this lead's value stays. */
  conflicts: FieldConflict[];
}

export function previewMerge(primary: Lead, secondary: Lead): MergePreview {
  const { changes, conflicts } = planMerge(primary, mergeInput(secondary));
  const fills = [...changes];
  if (!primary.email && secondary.email) fills.push('email');
  return { fills, conflicts };
}

/** The id of the tenant's lead with this email (case- and space-insensitive), if any. */
export async function findLeadIdByEmail(tx: Tx, email: string): Promise<string | null> {
  const rows = await tx
    .select({ id: schema.leads.id })
    .from(schema.leads)
    .where(sql`${schema.leads.emailKey} = lower(btrim(${email}))`)
    .limit(1);
  return rows[0]?.id ?? null;
}
