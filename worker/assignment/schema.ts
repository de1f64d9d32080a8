/**
 * Assignment rule schemas (zod), shared by the Settings form and the engine. No I/O, no heavy
 * imports, so routes can import it.
 */
import { z } from 'zod';

export const ASSIGNMENT_RULE_KINDS = ['territory', 'round_robin', 'weighted', 'fallback'] as const;
export type AssignmentRuleKind = (typeof ASSIGNMENT_RULE_KINDS)[number];

export const CONDITION_FIELDS = ['country', 'region', 'industry', 'companySize'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

export const conditionSchema = z
  .object({
    field: z.enum(CONDITION_FIELDS),
    /** Any of these (case-insensitive; countries compared as ISO codes, so "Germany" = "DE"). */
    values: z.array(z.string().trim().min(1).max(120)).max(500).default([]),
    /** companySize only: bounds on the size's lower bound ("51-200" → 51). */
    min: z.number().int().min(0).nullable().optional(),
    max: z.number().int().min(0).nullable().optional(),
  })
  .superRefine((c, ctx) => {
    const hasRange = c.min != null || c.max != null;
    if (c.field !== 'companySize' && hasRange) ctx.addIssue({ code: 'custom', path: ['min'], message: 'Only company size takes a range' });
    if (c.values.length === 0 && !hasRange) ctx.addIssue({ code: 'custom', path: ['values'], message: 'Enter at least one value' });
    if (c.min != null && c.max != null && c.min > c.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'Max must be at least min' });
  });

export const poolMemberSchema = z.object({
  userId: z.uuid('Choose a member'),
  weight: z.number().int().min(1, 'Weight is at least 1').max(100, 'Weight is at most 100').default(1),
});

export const ruleConfigSchema = z.object({
  conditions: z.array(conditionSchema).max(20).default([]),
  pool: z.array(poolMemberSchema).max(200).default([]),
  /** Fallback owner. */
  userId: z.uuid('Choose a member').nullable().optional(),
  /** Reassign a lead nobody touched within this many minutes of its assignment (null: never). */
  slaMinutes: z.number().int().min(1, 'At least 1 minute').max(43_200, 'At most 30 days').nullable().default(null),
});
export type RuleConfig = z.infer<typeof ruleConfigSchema>;

export const assignmentRuleInputSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter a name').max(120),
    kind: z.enum(ASSIGNMENT_RULE_KINDS),
    enabled: z.boolean().default(true),
    config: ruleConfigSchema,
  })
  .superRefine((rule, ctx) => {
    const { kind, config } = rule;
    if (kind === 'fallback') {
      if (!config.userId) ctx.addIssue({ code: 'custom', path: ['config', 'userId'], message: 'Choose the fallback owner' });
      return;
    }
    if (config.pool.length === 0) ctx.addIssue({ code: 'custom', path: ['config', 'pool'], message: 'Add at least one rep' });
    if (new Set(config.pool.map((p) => p.userId)).size !== config.pool.length) {
      ctx.addIssue({ code: 'custom', path: ['config', 'pool'], message: 'Each rep may appear once' });
    }
    if (kind === 'territory' && config.conditions.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['config', 'conditions'], message: 'A territory needs at least one condition' });
    }
  });
export type AssignmentRuleInput = z.infer<typeof assignmentRuleInputSchema>;

