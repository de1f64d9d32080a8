/** Public surface of the scoring engines (pure: data in, data out). */
export {
  compileScoringModel,
  decay,
  defaultScoringModel,
  scoreLead,
  scoringModelSchema,
  thresholdCrossings,
  type CompiledScoringModel,
  type Contribution,
  type LeadScore,
  type ScoringEvent,
  type ScoringLead,
  type ScoringModel,
  type ScoringModelInput,
  type ThresholdCrossing,
} from './rules';
export {
  crossValidate,
  DEFAULT_POSITIVE_VALUES,
  LabelError,
  labelledDataStatus,
  MINIMUM_LABELLED_DATA,
  predict,
  predictMargin,
  resolveLabels,
  trainModel,
  type CrossValidationOptions,
  type CrossValidationResult,
  type PredictiveModel,
  type TrainOptions,
  type TrainingProgress,
} from './model';
export { flattenRecord, MISSING_TOKENS, type ExcludedColumn } from './features';
export { auc, calibrationBins, type CalibrationBin } from './metrics';
export { evaluateCsv, readCsv, type EvaluateCsvOptions, type EvaluateCsvResult } from './csv';
