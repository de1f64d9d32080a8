// Undo/redo for the canvas: a bounded stack of snapshots ({nodes, edges} as plain JSON).
// Pure data in, data out, so the editor keeps it in a ref and tests drive it directly.

export interface History<T> {
  past: T[];
  future: T[];
  /** Most snapshots kept in `past`; the oldest are dropped first. */
  limit: number;
  /** Coalescing: the key and time of the last recorded change (typing into one field, etc.). */
  lastKey: string | null;
  lastAt: number;
}

export function createHistory<T>(limit = 100): History<T> {
  return { past: [], future: [], limit, lastKey: null, lastAt: 0 };
}

/**
 * Records `before` (the state as it was before a change) and forgets the redo stack. Changes with
 * the same `key` within `windowMs` of the previous one are merged into it, so typing a word or a
 * delete that removes a node and its edges is one undo step.
 */
export function record<T>(
  history: History<T>,
  before: T,
  options: { key?: string; at?: number; windowMs?: number } = {},
): History<T> {
  const at = options.at ?? Date.now();
  const windowMs = options.windowMs ?? 1000;
  if (options.key && options.key === history.lastKey && at - history.lastAt <= windowMs && history.past.length > 0) {
    return { ...history, future: [], lastAt: at };
  }
  const past = [...history.past, before];
  if (past.length > history.limit) past.splice(0, past.length - history.limit);
  return { ...history, past, future: [], lastKey: options.key ?? null, lastAt: at };
}

/** Steps back: returns the state to show and the new history, or null when there is nothing to undo. */
export function undo<T>(history: History<T>, current: T): { history: History<T>; state: T } | null {
  if (history.past.length === 0) return null;
  const state = history.past[history.past.length - 1];
  return {
    state,
    history: { ...history, past: history.past.slice(0, -1), future: [current, ...history.future], lastKey: null, lastAt: 0 },
  };
}

/** Steps forward again after an undo; null when there is nothing to redo. */
export function redo<T>(history: History<T>, current: T): { history: History<T>; state: T } | null {
  if (history.future.length === 0) return null;
  const [state, ...future] = history.future;
  const past = [...history.past, current];
  if (past.length > history.limit) past.splice(0, past.length - history.limit);
  return { state, history: { ...history, past, future, lastKey: null, lastAt: 0 } };
}

export function canUndo(history: History<unknown>): boolean {
  return history.past.length > 0;
}

export function canRedo(history: History<unknown>): boolean {
  return history.future.length > 0;
}
