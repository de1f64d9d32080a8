import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, createHistory, record, redo, undo } from './history';

describe('undo/redo history', () => {
  it('undoes and redoes in order, and a new change forgets the redo stack', () => {
    let h = createHistory<string>();
    let state = 'a';
    const change = (next: string) => {
      h = record(h, state);
      state = next;
    };
    change('b');
    change('c');
    expect(canUndo(h)).toBe(true);
    expect(canRedo(h)).toBe(false);

    let step = undo(h, state)!;
    h = step.history;
    state = step.state;
    expect(state).toBe('b');
    step = undo(h, state)!;
    h = step.history;
    state = step.state;
    expect(state).toBe('a');
    expect(undo(h, state)).toBeNull();

    step = redo(h, state)!;
    h = step.history;
    state = step.state;
    expect(state).toBe('b');
    expect(canRedo(h)).toBe(true);

    change('x');
    expect(canRedo(h)).toBe(false);
    expect(redo(h, state)).toBeNull();
    step = undo(h, state)!;
    expect(step.state).toBe('b');
  });

  it('merges changes with the same key inside the window into one step', () => {
    let h = createHistory<number>();
    h = record(h, 0, { key: 'data:n1:tag', at: 1000 });
    h = record(h, 1, { key: 'data:n1:tag', at: 1500 });
    h = record(h, 2, { key: 'data:n1:tag', at: 2400 });
    expect(h.past).toEqual([0]);
    // After the window, or with another key, a new step starts.
    h = record(h, 3, { key: 'data:n1:tag', at: 5000 });
    h = record(h, 4, { key: 'data:n1:label', at: 5100 });
    expect(h.past).toEqual([0, 3, 4]);
    // An undo ends the burst: the next edit of the same field is its own step.
    const step = undo(h, 5)!;
    h = record(step.history, 4, { key: 'data:n1:label', at: 5200 });
    expect(h.past).toEqual([0, 3, 4]);
    expect(h.future).toEqual([]);
  });

  it('keeps at most `limit` snapshots', () => {
    let h = createHistory<number>(3);
    for (let i = 0; i < 10; i++) h = record(h, i);
    expect(h.past).toEqual([7, 8, 9]);
    let state = 10;
    for (let i = 0; i < 3; i++) {
      const step = undo(h, state)!;
      h = step.history;
      state = step.state;
    }
    expect(state).toBe(7);
    expect(undo(h, state)).toBeNull();
  });

  it('does not mutate the history it is given', () => {
    const h = record(createHistory<number>(), 1);
    const frozen = JSON.stringify(h);
    record(h, 2);
    undo(h, 3);
    expect(JSON.stringify(h)).toBe(frozen);
  });
});
