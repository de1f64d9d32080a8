/**
 * Predictive training off the worker's event loop (a worker thread): cross-validation, then the
 * final model on all rows. Progress goes to the parent as messages; the parent writes it to
 * predictive_models.progress. Data in, data out — no database here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { crossValidate, trainModel, type TrainOptions } from '../scoring';

interface Input {
  rows: Record<string, unknown>[];
  options: Omit<TrainOptions, 'onProgress'> & { folds: number };
}

const { rows, options } = workerData as Input;
const port = parentPort!;
try {
  // Cross-validation is most of the work (folds × a full training): 0–80 %, the final fit 80–100 %.
  const cv = crossValidate(rows, {
    ...options,
    onProgress: (p) => port.postMessage({ type: 'progress', fraction: p.fraction * 0.8, message: p.message }),
  });
  const model = trainModel(rows, {
    ...options,
    onProgress: (p) => port.postMessage({ type: 'progress', fraction: 0.8 + p.fraction * 0.2, message: `Final model: ${p.message}` }),
  });
  port.postMessage({ type: 'done', cv, model });
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error), name: (error as Error)?.name });
}
