import { describe, expect, it } from 'vitest';
import { FirstSeenIndex } from './dedupe';

describe('FirstSeenIndex', () => {
  it('returns 0 for a first occurrence and the first row afterwards', () => {
    const index = new FirstSeenIndex();
    expect(index.firstRowOrAdd('ada@example.com', 2)).toBe(0);
    expect(index.firstRowOrAdd('grace@example.com', 3)).toBe(0);
    expect(index.firstRowOrAdd('ada@example.com', 9)).toBe(2);
    expect(index.firstRowOrAdd('ada@example.com', 12)).toBe(2);
    expect(index.size).toBe(2);
  });

  it('keeps every key through its growth, in a few tens of MB for a million keys', () => {
    global.gc?.();
    const before = process.memoryUsage();
    const index = new FirstSeenIndex();
    const n = 1_000_000;
    let falseDuplicates = 0;
    for (let i = 0; i < n; i++) if (index.firstRowOrAdd(`user${i}@example.com`, i + 2) !== 0) falseDuplicates++;
    expect(falseDuplicates).toBe(0);
    let wrong = 0;
    for (let i = 0; i < n; i += 7) if (index.firstRowOrAdd(`user${i}@example.com`, n + 10) !== i + 2) wrong++;
    expect(wrong).toBe(0);
    expect(index.size).toBe(n);
    const after = process.memoryUsage();
    // Typed arrays live outside the JS heap: count both.
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(80 * 1024 * 1024);
  });

  it('refuses row 0 (it marks an empty slot)', () => {
    expect(() => new FirstSeenIndex().firstRowOrAdd('a@x.com', 0)).toThrow(RangeError);
  });
});
