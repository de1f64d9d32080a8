// Byte source → text chunks. The encoding is decided once from the first bytes; the rest of the
// file is decoded chunk by chunk, so memory stays flat whatever the file size.
import type { Readable } from 'node:stream';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  /** Length in bytes of the byte-order mark at the start (0 when none). */
  bomBytes: number;
}

export type ByteSource = Readable | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** How much of the file is read before deciding the encoding (and sniffing the delimiter). */
export const HEAD_BYTES = 64 * 1024;
const NUL_SAMPLE_BYTES = 4096;

/**
 * Decide the encoding from the first bytes: a BOM wins; then UTF-16 without BOM (ASCII text in
 * UTF-16 has a NUL in every other byte); then UTF-8 if the sample is valid UTF-8; else
 * Windows-1252 (what Excel on Windows writes for "CSV" — Latin-1 is a subset of it).
 */
export function detectEncoding(sample: Uint8Array): DetectedEncoding {
  const [b0, b1, b2] = sample;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };

  const pairs = Math.floor(Math.min(sample.length, NUL_SAMPLE_BYTES) / 2);
  if (pairs >= 2) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < pairs * 2; i += 2) {
      if (sample[i] === 0) evenNul++;
      if (sample[i + 1] === 0) oddNul++;
    }
    if (oddNul / pairs > 0.3 && evenNul / pairs < 0.05) return { encoding: 'utf-16le', bomBytes: 0 };
    if (evenNul / pairs > 0.3 && oddNul / pairs < 0.05) return { encoding: 'utf-16be', bomBytes: 0 };
  }

  try {
    // stream: true so that a multi-byte character cut off at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', bomBytes: 0 };
  } catch {
    return { encoding: 'windows-1252', bomBytes: 0 };
  }
}

/** A byte source opened for reading as text. */
export interface DecodedSource extends DetectedEncoding {
  /** The first bytes of the file (up to HEAD_BYTES, BOM included), for binary checks. */
  head: Uint8Array;
  /** True when `head` is the whole file. */
  headIsWholeFile: boolean;
  /** The whole file as text, chunk by chunk, BOM stripped. Iterate once. */
  chunks: AsyncGenerator<string, void, undefined>;
  /** Bytes taken from the source so far. */
  bytesRead(): number;
  /** Stop reading: releases (destroys) the underlying stream. Safe to call twice. */
  close(): Promise<void>;
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function iteratorOf(source: ByteSource): AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  return (source as Iterable<Uint8Array | string>)[Symbol.iterator]();
}

/**
 * Open a byte source (a Node Readable such as `fs.createReadStream`, or any (async) iterable of
 * Buffers) as text: reads the first HEAD_BYTES, detects the encoding, then decodes lazily.
 */
export async function openDecoded(source: ByteSource, opts: { headBytes?: number } = {}): Promise<DecodedSource> {
  const headLimit = opts.headBytes ?? HEAD_BYTES;
  const iterator = iteratorOf(source);
  let bytesRead = 0;
  let finished = false;
  let closed = false;

  const nextChunk = async (): Promise<Uint8Array | null> => {
    while (!finished && !closed) {
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        return null;
      }
      const bytes = toBytes(step.value);
      if (bytes.length === 0) continue;
      bytesRead += bytes.length;
      return bytes;
    }
    return null;
  };

  const headParts: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < headLimit) {
    const bytes = await nextChunk();
    if (!bytes) break;
    headParts.push(bytes);
    headLength += bytes.length;
  }
  const head = headParts.length === 1 ? headParts[0] : Buffer.concat(headParts, headLength);
  const detected = detectEncoding(head);

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (!finished) await iterator.return?.();
  };

  async function* chunks(): AsyncGenerator<string, void, undefined> {
    // NOTE: always decode with {stream: true}: Node 20's one-shot windows-1252 decode takes a
    // Latin-1 fast path that maps 0x80–0x9F wrongly (€ → U+0080); the streaming path is right.
    const decoder = new TextDecoder(detected.encoding);
    try {
      const first = decoder.decode(detected.bomBytes ? head.subarray(detected.bomBytes) : head, { stream: true });
      if (first) yield first;
      for (;;) {
        const bytes = await nextChunk();
        if (!bytes) break;
        const text = decoder.decode(bytes, { stream: true });
        if (text) yield text;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } finally {
      await close();
    }
  }

  return { ...detected, head, headIsWholeFile: finished, chunks: chunks(), bytesRead: () => bytesRead, close };
}

/** Convenience: the decoded text chunks of a byte source (encoding auto-detected, BOM stripped). */
export async function* decodeText(source: ByteSource): AsyncGenerator<string, void, undefined> {
  const decoded = await openDecoded(source);
  yield* decoded.chunks;
}
