// In-file duplicate detection for up to millions of emails in a few tens of MB: an open-addressing
// table of 64-bit hashes (two independent 32-bit hashes) → first row number, in typed arrays.
// A JS Set of 1M email strings costs ~100 MB; this costs 12 bytes a slot (24–48 MB at 1M).
// Two different emails sharing both hashes (odds ~ n²/2⁶⁵, ≈ 3·10⁻⁸ at 1M rows) would be
// reported as duplicates; that is accepted.

const INITIAL_CAPACITY = 1 << 12;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function murmurish(s: string): number {
  let h = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class FirstSeenIndex {
  private h1 = new Uint32Array(INITIAL_CAPACITY);
  private h2 = new Uint32Array(INITIAL_CAPACITY);
  /** Row of the first occurrence; 0 = empty slot (row numbers start at 1). */
  private rows = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The row where `key` was first seen, or 0 after recording `row` as its first occurrence. */
  firstRowOrAdd(key: string, row: number): number {
    if (row <= 0) throw new RangeError('row numbers start at 1');
    const a = fnv1a(key);
    const b = murmurish(key);
    const mask = this.rows.length - 1;
    let slot = a & mask;
    for (;;) {
      const seen = this.rows[slot];
      if (seen === 0) break;
      if (this.h1[slot] === a && this.h2[slot] === b) return seen;
      slot = (slot + 1) & mask;
    }
    this.h1[slot] = a;
    this.h2[slot] = b;
    this.rows[slot] = row;
    if (++this.count * 2 > this.rows.length) this.grow();
    return 0;
  }

  private grow(): void {
    const { h1, h2, rows } = this;
    const capacity = rows.length * 2;
    const mask = capacity - 1;
    this.h1 = new Uint32Array(capacity);
    this.h2 = new Uint32Array(capacity);
    this.rows = new Uint32Array(capacity);
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] === 0) continue;
      let slot = h1[i] & mask;
      while (this.rows[slot] !== 0) slot = (slot + 1) & mask;
      this.h1[slot] = h1[i];
      this.h2[slot] = h2[i];
      this.rows[slot] = rows[i];
    }
  }
}
