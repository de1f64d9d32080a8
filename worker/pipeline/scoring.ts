/**
 * Scoring one lead for the pipeline (pure): the rule score with its explanation, the thresholds it
 * crossed and the stage that follows, and the predicted probability of the active model.
 */
import type { CompiledScoringModel, Contribution, PredictiveModel, ThresholdCrossing } from '../scoring';
import { predict } from '../scoring';
import { outcomeOf, outcomeTime, predictiveRowOf, scoringEventsOf, scoringLeadOf, type PipelineEvent, type PipelineLead } from './lead-view';

export interface LeadScoreResult {
  id: string;
  score: number;
  grade: string;
  /** Every contribution (they add up to `score`, to the cent); stored in leads.score_explanation. */
  explanation: Contribution[];
  probability: number | null;
}

export function scoreLeadForPipeline(
  scorer: CompiledScoringModel,
  predictive: PredictiveModel | null,
  lead: PipelineLead,
  events: readonly PipelineEvent[],
  now: number,
): LeadScoreResult {
  const result = scorer.score(scoringLeadOf(lead, events), scoringEventsOf(events), now);
  let probability: number | null = null;
  if (predictive) {
    const outcomeAt = outcomeOf(lead.stage) === null ? null : outcomeTime(lead, events);
    probability = Math.round(predict(predictive, predictiveRowOf(lead, events, { outcomeAt })) * 1e6) / 1e6;
  }
  return { id: lead.id, score: result.score, grade: result.grade, explanation: result.contributions, probability };
}

export const CLOSED_STAGES: readonly string[] = ['customer', 'lost'];

/**
 * The stage a lead moves to after crossing thresholds: the furthest upward crossing's stage, when
 * it is further along the tenant's pipeline than the current one. Never demotes, never moves a
 * closed lead (customer/lost), never moves to a stage the pipeline does not know.
 */
export function stageAfterCrossings(current: string, crossings: readonly ThresholdCrossing[], stages: readonly string[]): string | null {
  if (CLOSED_STAGES.includes(current)) return null;
  const at = stages.indexOf(current);
  if (at < 0) return null;
  let best: string | null = null;
  let bestIndex = at;
  for (const c of crossings) {
    if (c.direction !== 'up') continue;
    const index = stages.indexOf(c.stage);
    if (index > bestIndex) {
      best = c.stage;
      bestIndex = index;
    }
  }
  return best;
}
