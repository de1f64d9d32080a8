/**
 * The lead list page's reading of the filter language: form-friendly params in, a filter that
 * always runs out, and problems reported instead of thrown (a bad link must not break the page).
 */
import { leadFilterSchema, parseLeadFilter, type LeadFilter } from './lead-filter';
import type { Lead } from './lead.server';

export interface FilterProblem {
  /** The URL parameter at fault (e.g. "scoreMin", "cf.plan"). */
  param: string;
  message: string;
}

const PROBLEM_TEXT: Record<string, string> = {
  stage: 'Stage: choose at most 20 stages',
  owner: 'Owner: choose an owner from the list',
  channel: 'Channel: use at most 80 characters',
  source: 'Source: use at most 200 characters',
  tag: 'Tags: use at most 10 tags of up to 60 characters',
  scoreMin: 'Score from: use a whole number from 0 to 100',
  scoreMax: 'Score to: use a whole number from 0 to 100',
  createdAfter: 'Created from: use a date like 2025-01-31',
  createdBefore: 'Created before: use a date like 2025-01-31',
  q: 'Search: use at most 200 characters',
  sort: 'Sort: by created or score',
  limit: 'Page size: use a whole number from 1 to 200',
  cursor: 'The page link is invalid or expired; showing the first page',
};

/** A zod issue path of the filter → the URL parameter it came from. */
function paramOf(path: string): string {
  const [head, key] = path.split('.');
  if (head === 'custom') return key ? `cf.${key}` : 'cf';
  return head;
}

/**
 * Form-friendly params → the filter language. The filter form sends one `stage` per ticked box
 * and tags as one comma-separated input; the language wants `stage=a,b` and `tag=a&tag=b`.
 */
export function normaliseListParams(input: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const stages: string[] = [];
  for (const [key, value] of input) {
    if (key === 'stage')
      stages.push(
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (key === 'tag')
      for (const t of value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean))
        out.append('tag', t);
    else if (key === 'index' || key === 'notice') continue;
    else out.append(key, value);
  }
  if (stages.length) out.set('stage', [...new Set(stages)].join(','));
  return out;
}

function decodeCursorValue(raw: string): { v: unknown } | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { v?: unknown };
    return c && typeof c === 'object' ? { v: c.v } : null;
  } catch {
    return null;
  }
}

/**
 * Parses the list's params forgivingly: a bad parameter is dropped and reported, the rest still
 * filters. A cursor that does not fit the sort (e.g. a created-cursor on a score sort) is dropped
 * too — listLeads would otherwise compare a date with a number.
 */
export function parseListFilter(params: URLSearchParams): { filter: LeadFilter; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  let parsed = parseLeadFilter(params);
  if (!parsed.ok) {
    const bad = new Set(parsed.errors.map((e) => paramOf(e.field)));
    for (const param of bad) {
      problems.push({
        param,
        message:
          PROBLEM_TEXT[param] ??
          (param.startsWith('cf') ? `Custom field filter "${param.slice(3)}" is not valid` : `${param} is not valid`),
      });
    }
    const kept = new URLSearchParams([...params].filter(([k]) => !bad.has(k) && !(bad.has('cf') && k.startsWith('cf.'))));
    parsed = parseLeadFilter(kept);
  }
  const filter = parsed.ok ? parsed.filter : leadFilterSchema.parse({});
  if (filter.cursor) {
    const c = decodeCursorValue(filter.cursor);
    const byScore = filter.sort.endsWith('score');
    const fits = c && (byScore ? typeof c.v === 'number' : typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v)));
    if (!fits) {
      problems.push({ param: 'cursor', message: PROBLEM_TEXT.cursor });
      delete filter.cursor;
    }
  }
  return { filter, problems };
}

/** What the list table shows of a lead. */
export function toListRow(l: Lead) {
  return {
    id: l.id,
    firstName: l.firstName,
    lastName: l.lastName,
    email: l.email,
    companyName: l.companyName,
    stage: l.stage,
    ownerId: l.ownerId,
    score: l.score,
    scored: l.scoredAt !== null,
    tags: l.tags,
    channel: l.channel,
    source: l.source,
    createdAt: l.createdAt,
  };
}
