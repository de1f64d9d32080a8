/**
 * Custom lead fields: per-tenant definitions (custom_field_definitions); the values live in
 * leads.custom keyed by the definition's key.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schema, type Tx } from '../../db';
import { CUSTOM_FIELD_TYPES } from '../../db/schema';
import { audit } from './audit.server';

export type CustomFieldDefinition = typeof schema.customFieldDefinitions.$inferSelect;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];
export { CUSTOM_FIELD_TYPES };

export const MAX_CUSTOM_FIELDS = 100;

export const customFieldKeySchema = z
  .string()
  .trim()
  .min(1, 'Enter a key')
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'Start with a lowercase letter, then lowercase letters, digits or _ (at most 63 characters)');

export const customFieldInputSchema = z
  .object({
    key: customFieldKeySchema,
    label: z.string().trim().min(1, 'Enter a label').max(80, 'Use at most 80 characters'),
    type: z.enum(CUSTOM_FIELD_TYPES, 'Choose a type'),
    options: z.array(z.string().trim().min(1).max(80, 'Options have at most 80 characters')).max(50, 'Use at most 50 options'),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'select' && v.options.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'A choice field needs at least one option' });
    }
  })
  .transform((v) => ({ ...v, options: v.type === 'select' ? [...new Set(v.options)] : [] }));

export type CustomFieldInput = z.input<typeof customFieldInputSchema>;

export class CustomFieldExistsError extends Error {
  constructor(public readonly key: string) {
    super(`A custom field with the key "${key}" already exists`);
    this.name = 'CustomFieldExistsError';
  }
}

export class TooManyCustomFieldsError extends Error {
  constructor() {
    super(`A workspace can have at most ${MAX_CUSTOM_FIELDS} custom fields`);
    this.name = 'TooManyCustomFieldsError';
  }
}

export async function listCustomFields(tx: Tx): Promise<CustomFieldDefinition[]> {
  return tx
    .select()
    .from(schema.customFieldDefinitions)
    .orderBy(asc(schema.customFieldDefinitions.createdAt), asc(schema.customFieldDefinitions.key));
}

/** Creates a definition; throws CustomFieldExistsError for a taken key (without aborting the transaction). */
export async function createCustomField(
  tx: Tx,
  tenantId: string,
  input: CustomFieldInput,
  actorUserId: string | null,
): Promise<CustomFieldDefinition> {
  const def = customFieldInputSchema.parse(input);
  const existing = await listCustomFields(tx);
  if (existing.some((d) => d.key === def.key)) throw new CustomFieldExistsError(def.key);
  if (existing.length >= MAX_CUSTOM_FIELDS) throw new TooManyCustomFieldsError();
  const [row] = await tx
    .insert(schema.customFieldDefinitions)
    .values({ tenantId, key: def.key, label: def.label, type: def.type, options: def.options })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new CustomFieldExistsError(def.key);
  await audit(tx, {
    tenantId,
    actorUserId,
    action: 'custom_field.created',
    target: def.key,
    data: { label: def.label, type: def.type },
  });
  return row;
}

/**
 * Deletes a definition. Values already stored on leads stay in leads.custom (the lead page shows
 * them as no longer defined), so re-creating the key brings them back.
 */
export async function deleteCustomField(tx: Tx, tenantId: string, key: string, actorUserId: string | null): Promise<boolean> {
  const deleted = await tx
    .delete(schema.customFieldDefinitions)
    .where(eq(schema.customFieldDefinitions.key, key))
    .returning({ key: schema.customFieldDefinitions.key });
  if (deleted.length) await audit(tx, { tenantId, actorUserId, action: 'custom_field.deleted', target: key });
  return deleted.length > 0;
}

export type CustomValue = string | number | boolean;

/**
 * A form value for a custom field, typed by its definition. '' means "no value" (null).
 * Shared by the create and edit forms; the list filter compares the stored value as text.
 */
export function parseCustomFieldValue(
  def: Pick<CustomFieldDefinition, 'type' | 'options'>,
  raw: string,
): { ok: true; value: CustomValue | null } | { ok: false; message: string } {
  const v = raw.trim();
  if (v === '') return { ok: true, value: null };
  switch (def.type) {
    case 'number': {
      const n = Number(v.replace(',', '.'));
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'Enter a number' };
    }
    case 'boolean':
      if (['true', 'yes', 'on', '1'].includes(v.toLowerCase())) return { ok: true, value: true };
      if (['false', 'no', 'off', '0'].includes(v.toLowerCase())) return { ok: true, value: false };
      return { ok: false, message: 'Choose yes or no' };
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))
        ? { ok: true, value: v }
        : { ok: false, message: 'Use a date like 2025-01-31' };
    case 'select':
      return def.options.includes(v) ? { ok: true, value: v } : { ok: false, message: 'Choose one of the options' };
    default:
      return v.length > 2000 ? { ok: false, message: 'Use at most 2000 characters' } : { ok: true, value: v };
  }
}
