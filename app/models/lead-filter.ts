/**
 * One filter language for the lead list, the REST API, CSV export and saved views, parsed from
 * URL search params: ?stage=mql,sql&owner=<uuid>|none&channel=…&source=…&tag=a&tag=b
 * &scoreMin=…&scoreMax=…&createdAfter=…&createdBefore=…&q=…&cf.<key>=…&sort=-created&limit=50&cursor=…
 */
import { z } from 'zod';

export const SORTS = ['-created', 'created', '-score', 'score'] as const;
export type LeadSort = (typeof SORTS)[number];

const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(80)).max(20));

const date = z
  .string()
  .trim()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'Use a date like 2025-01-31')
  .transform((v) => new Date(v));

export const leadFilterSchema = z.object({
  stage: list.optional(),
  owner: z.union([z.literal('none'), z.uuid('owner must be a user id or "none"')]).optional(),
  channel: z.string().trim().max(80).optional(),
  source: z.string().trim().max(200).optional(),
  tag: z.array(z.string().trim().min(1).max(60)).max(10).optional(),
  scoreMin: z.coerce.number().int().min(0).max(100).optional(),
  scoreMax: z.coerce.number().int().min(0).max(100).optional(),
  createdAfter: date.optional(),
  createdBefore: date.optional(),
  q: z.string().trim().max(200).optional(),
  custom: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/), z.string().max(200)).optional(),
  sort: z.enum(SORTS).default('-created'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export type LeadFilter = z.infer<typeof leadFilterSchema>;

export type FilterParseResult = { ok: true; filter: LeadFilter } | { ok: false; errors: Array<{ field: string; message: string }> };

/** Parses URL search params into a filter; unknown params are ignored, bad values reported. */
export function parseLeadFilter(params: URLSearchParams): FilterParseResult {
  const raw: Record<string, unknown> = {};
  const custom: Record<string, string> = {};
  for (const [key, value] of params) {
    if (value === '') continue;
    if (key.startsWith('cf.')) custom[key.slice(3)] = value;
    else if (key === 'tag') raw.tag = [...((raw.tag as string[]) ?? []), value];
    else raw[key] = value;
  }
  if (Object.keys(custom).length) raw.custom = custom;
  const parsed = leadFilterSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) };
  }
  return { ok: true, filter: parsed.data };
}

/** The filter as search params again (for links, saved views, export). Drops paging. */
export function filterToParams(filter: Partial<LeadFilter>): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.stage?.length) p.set('stage', filter.stage.join(','));
  if (filter.owner) p.set('owner', filter.owner);
  if (filter.channel) p.set('channel', filter.channel);
  if (filter.source) p.set('source', filter.source);
  for (const t of filter.tag ?? []) p.append('tag', t);
  if (filter.scoreMin !== undefined) p.set('scoreMin', String(filter.scoreMin));
  if (filter.scoreMax !== undefined) p.set('scoreMax', String(filter.scoreMax));
  if (filter.createdAfter) p.set('createdAfter', filter.createdAfter.toISOString());
  if (filter.createdBefore) p.set('createdBefore', filter.createdBefore.toISOString());
  if (filter.q) p.set('q', filter.q);
  for (const [k, v] of Object.entries(filter.custom ?? {})) p.set(`cf.${k}`, v);
  if (filter.sort && filter.sort !== '-created') p.set('sort', filter.sort);
  return p;
}
