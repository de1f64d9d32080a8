/**
 * Pure helpers for bulk re-scoring: is a freshly computed explanation the one a lead already
 * stores? Reading `leads.score_explanation` as jsonb made node-pg JSON.parse ~600 bytes per lead —
 * the largest single cost of reading a re-score chunk — so the stored value is read as text
 * (`score_explanation::text`) and compared with the new explanation rendered the way PostgreSQL
 * prints jsonb. Only when the texts differ is the stored value parsed.
 *
 * NOTE: a rendering that does not match PostgreSQL's byte for byte only costs a parse and a
 * comparison (or a needless write); it can never make a changed explanation look unchanged.
 */
import type { Contribution } from '../scoring';

type ContributionKind = Contribution['kind'];

/**
 * Lines whose points move with the clock alone (behaviour decays, and the cap, clamp and rounding
 * lines that follow from it). Their labels (kind, event type, count) do not.
 */
export const TIME_DEPENDENT_KINDS: ReadonlySet<ContributionKind> = new Set(['behaviour', 'behaviour_cap', 'clamp', 'rounding']);

/**
 * The explanation as `jsonb::text` prints it: keys sorted by length, then bytes (kind, label,
 * points, ruleId), `", "` between elements and `": "` after keys. Strings are escaped by
 * JSON.stringify, which escapes the same characters as PostgreSQL for the text we produce.
 */
export function explanationJsonbText(contributions: readonly Contribution[]): string {
  let out = '[';
  for (let i = 0; i < contributions.length; i++) {
    const c = contributions[i];
    if (i > 0) out += ', ';
    out += `{"kind": ${quoted(c.kind)}, "label": ${quoted(c.label)}, "points": ${jsonNumber(c.points)}`;
    if (c.ruleId !== undefined) out += `, "ruleId": ${quoted(c.ruleId)}`;
    out += '}';
  }
  return out + ']';
}

/**
 * `text === explanationJsonbText(contributions)`, without building the string (this runs for every
 * lead of a re-score; the concatenation and its garbage showed up in profiles). With
 * `apartFromDecay`, the points of time-dependent lines are skipped instead of compared: the text
 * form of `sameExplanationApartFromDecay`, so the nightly run need not parse decayed explanations.
 */
export function explanationTextEquals(
  text: string,
  contributions: readonly Contribution[],
  options: { apartFromDecay?: boolean } = {},
): boolean {
  if (text.charCodeAt(0) !== 91 /* [ */) return false;
  let pos = 1;
  const expect = (piece: string): boolean => {
    if (!text.startsWith(piece, pos)) return false;
    pos += piece.length;
    return true;
  };
  const skipNumber = (): boolean => {
    const start = pos;
    while (pos < text.length && NUMBER_CHARS.has(text.charCodeAt(pos))) pos++;
    return pos > start;
  };
  for (let i = 0; i < contributions.length; i++) {
    const c = contributions[i];
    if (i > 0 && !expect(', ')) return false;
    if (!expect('{"kind": ') || !expect(quoted(c.kind)) || !expect(', "label": ') || !expect(quoted(c.label))) return false;
    if (!expect(', "points": ')) return false;
    if (options.apartFromDecay && TIME_DEPENDENT_KINDS.has(c.kind) ? !skipNumber() : !expect(jsonNumber(c.points))) return false;
    if (c.ruleId !== undefined && (!expect(', "ruleId": ') || !expect(quoted(c.ruleId)))) return false;
    if (!expect('}')) return false;
  }
  return expect(']') && pos === text.length;
}

// A JSON number's characters: digits, sign, point, exponent.
const NUMBER_CHARS = new Set([...'0123456789-+.eE'].map((ch) => ch.charCodeAt(0)));

// Labels come from a small set (rule labels, "Source: …", "Form submitted × 2 (decayed)"): their
// JSON forms are kept rather than re-escaped for every lead.
const quotedCache = new Map<string, string>();

function quoted(value: string): string {
  let q = quotedCache.get(value);
  if (q === undefined) {
    q = JSON.stringify(value);
    if (quotedCache.size >= 10_000) quotedCache.clear();
    quotedCache.set(value, q);
  }
  return q;
}

// Points have at most two decimals and |points| ≤ 10,000, so String() never uses an exponent and
// matches numeric's output ("8.57", "-0.14", "15").
function jsonNumber(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * True when `stored` (a parsed explanation) lists the same lines as `next` — same kinds, rule ids
 * and labels in the same order, same points for every line that does not depend on the clock.
 * Used by the nightly decay re-score: a lead whose score, grade and prediction did not change
 * keeps its stored explanation, which is the exact breakdown of its stored score at its
 * `scored_at`.
 */
export function sameExplanationApartFromDecay(stored: unknown, next: readonly Contribution[]): boolean {
  if (!Array.isArray(stored) || stored.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) {
    const a = stored[i] as Partial<Contribution> | null;
    const b = next[i];
    if (typeof a !== 'object' || a === null) return false;
    if (a.kind !== b.kind || a.label !== b.label || (a.ruleId ?? undefined) !== b.ruleId) return false;
    if (!TIME_DEPENDENT_KINDS.has(b.kind) && a.points !== b.points) return false;
  }
  return true;
}
