/**
 * Re-scoring all of a tenant's leads (after a model change, a predictive model switch, or nightly
 * for behaviour decay): keyset chunks in id order, scored in JS with the compiled scorer, written
 * back with one UPDATE … FROM jsonb_to_recordset per chunk — only the leads whose result changed.
 *
 * Chunks are claimed from a shared keyset cursor and processed by `concurrency` transactions at
 * once, so reading/scoring one chunk overlaps with writing another.
 *
 * What counts as changed (a write is a non-HOT update of the lead and all its indexes — the cost
 * of a re-score is the number of leads written):
 * - score, grade, prediction (or never scored): always written;
 * - the explanation: by default any difference is written (a model edit may relabel or re-weigh
 *   rules without moving a score). With `decay` (the nightly run), lines whose points move with
 *   the clock alone (behaviour decay and the cap/clamp/rounding lines after it) are not a reason
 *   to write: the stored explanation stays the exact breakdown of the stored score at its
 *   `scored_at`.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db';
import type { PipelineLead } from './lead-view';
import { explanationTextEquals, sameExplanationApartFromDecay } from './explanation';
import { scoreLeadForPipeline, type LeadScoreResult } from './scoring';
import { loadEventsInRange, loadLeadChunk, loadScoringConfig, writeResults, type LeadWrite, type ScoringConfig } from './store.server';

export interface RescoreOptions {
  chunkSize?: number;
  concurrency?: number;
  now?: Date;
  /** Nightly decay run: explanation points that only moved with time do not cause a write. */
  decay?: boolean;
  onProgress?: (done: number) => void | Promise<void>;
}

export interface RescoreSummary {
  leads: number;
  written: number;
  crossings: number;
  stageChanges: number;
  chunks: number;
}

/** True when the stored score of `lead` is `result` (see the module comment for `decay`). */
export function storedResultUnchanged(lead: PipelineLead, result: LeadScoreResult, options: { decay?: boolean } = {}): boolean {
  if (!lead.scoredAt || lead.score !== result.score || (lead.scoreGrade ?? null) !== result.grade) return false;
  const p = lead.predictedProbability ?? null;
  if ((p === null) !== (result.probability === null) || (p !== null && Math.abs(p - (result.probability ?? 0)) > 1e-6)) return false;
  const text = lead.scoreExplanationText;
  if (text === undefined || text === null) return false;
  if (explanationTextEquals(text, result.explanation, { apartFromDecay: options.decay })) return true;
  // The text may differ only in form (a rendering PostgreSQL prints differently): parse, compare.
  if (!options.decay) return false;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return false;
  }
  return sameExplanationApartFromDecay(stored, result.explanation);
}

export async function rescoreTenant(db: Database, tenantId: string, options: RescoreOptions = {}): Promise<RescoreSummary> {
  const chunkSize = options.chunkSize ?? 5000;
  const now = options.now ?? new Date();
  const config: ScoringConfig = await db.withTenant(tenantId, (tx) => loadScoringConfig(tx));
  const summary: RescoreSummary = { leads: 0, written: 0, crossings: 0, stageChanges: 0, chunks: 0 };
  let cursor: string | null = null;
  let exhausted = false;
  let claiming: Promise<unknown> = Promise.resolve();

  // Claims the next chunk's id range [first, last] (an index-only keyset step), one claim at a time.
  const claim = (): Promise<{ after: string | null; last: string } | null> => {
    const next: Promise<{ after: string | null; last: string } | null> = claiming.then(async () => {
      if (exhausted) return null;
      const after: string | null = cursor;
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.execute<{ last: string | null }>(sql`
          select id::text as last from (select id from leads ${after ? sql`where id > ${after}::uuid` : sql``} order by id limit ${chunkSize}) c order by id desc limit 1`),
      );
      const last = rows.rows[0]?.last ?? null;
      if (!last) {
        exhausted = true;
        return null;
      }
      cursor = last;
      return { after, last };
    });
    claiming = next.catch(() => undefined);
    return next;
  };

  const worker = async () => {
    for (;;) {
      const range = await claim();
      if (!range) return;
      const result = await db.withTenant(tenantId, async (tx) => {
        // A lost commit after a crash is redone by the next run (the job is retried, and the
        // chunk's crossings are in the same transaction), so no need to wait for the WAL flush.
        await tx.execute(sql`set local synchronous_commit = off`);
        // Read without locks; the write is conditional on the score and stage read here (rows
        // changed meanwhile are left to their own job), so crossings are never reported twice.
        const leads: PipelineLead[] = await loadLeadChunk(tx, range.after, chunkSize, range.last);
        if (leads.length === 0) return { leads: 0, written: 0, crossings: 0, stageChanges: 0 };
        const events = await loadEventsInRange(tx, leads[0].id, leads[leads.length - 1].id);
        const nowMs = now.getTime();
        // Leads whose result is what is stored already are not sent back at all.
        const writes: LeadWrite[] = [];
        const expected: NonNullable<Parameters<typeof writeResults>[4]['expected']> = new Map();
        for (const lead of leads) {
          const score = scoreLeadForPipeline(config.scorer, config.predictive, lead, events.get(lead.id) ?? [], nowMs);
          if (storedResultUnchanged(lead, score, { decay: options.decay })) continue;
          writes.push({ score });
          expected.set(lead.id, { score: lead.score, scoredAt: lead.scoredAt, stage: lead.stage });
        }
        const written = await writeResults(tx, tenantId, config, writes, { now, onlyChanged: true, expected });
        return { leads: leads.length, ...written };
      });
      summary.leads += result.leads;
      summary.written += result.written;
      summary.crossings += result.crossings;
      summary.stageChanges += result.stageChanges;
      summary.chunks++;
      await options.onProgress?.(summary.leads);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  return summary;
}
