import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeText, detectEncoding, openDecoded } from './decode';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));
const EXPECTED = readFileSync(path.join(import.meta.dirname, 'fixtures', 'utf8-no-bom.csv'), 'utf8');

async function text(chunks: Iterable<Uint8Array> | Readable): Promise<string> {
  let out = '';
  for await (const chunk of decodeText(chunks)) out += chunk;
  return out;
}

/** The bytes in chunks of `size`, to cut multi-byte characters and BOMs in half. */
function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('detectEncoding', () => {
  it.each([
    ['utf8-bom.csv', 'utf-8', 3],
    ['utf8-no-bom.csv', 'utf-8', 0],
    ['utf16le-bom.csv', 'utf-16le', 2],
    ['utf16be-no-bom.csv', 'utf-16be', 0],
    ['windows-1252.csv', 'windows-1252', 0],
  ])('%s → %s', (name, encoding, bomBytes) => {
    expect(detectEncoding(fixture(name))).toEqual({ encoding, bomBytes });
  });

  it('recognises UTF-16 LE without a BOM and UTF-16 BE with one', () => {
    expect(detectEncoding(Buffer.from('Email,Name\n', 'utf16le')).encoding).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x41, 0, 0x2c]))).toEqual({ encoding: 'utf-16be', bomBytes: 2 });
  });

  it('does not call a sample UTF-8 invalid because it ends mid-character', () => {
    const bytes = Buffer.from('Name\nJosé', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1)).encoding).toBe('utf-8');
  });
});

describe('decodeText', () => {
  it.each(['utf8-bom.csv', 'utf8-no-bom.csv', 'utf16le-bom.csv', 'utf16be-no-bom.csv', 'windows-1252.csv'])(
    '%s decodes to the same text, BOM stripped, whatever the chunk size',
    async (name) => {
      const bytes = fixture(name);
      for (const size of [1, 2, 3, 7, 64 * 1024]) {
        expect(await text(chunked(bytes, size))).toBe(EXPECTED);
      }
    },
  );

  it('decodes the Windows-1252 specials (€ is 0x80), which a one-shot Node decode gets wrong', async () => {
    expect(await text([Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0xf1])])).toBe('€ \u201cq\u201d ñ');
  });

  it('reads a Node Readable and reports bytes read', async () => {
    const bytes = fixture('utf8-bom.csv');
    const decoded = await openDecoded(Readable.from(chunked(bytes, 10)));
    let out = '';
    for await (const chunk of decoded.chunks) out += chunk;
    expect(out).toBe(EXPECTED);
    expect(decoded.bytesRead()).toBe(bytes.length);
    expect(decoded.headIsWholeFile).toBe(true);
  });

  it('reads only the head until asked for more, and close() destroys the stream', async () => {
    let produced = 0;
    const source = Readable.from(
      (function* () {
        for (;;) {
          produced++;
          yield Buffer.alloc(16 * 1024, 'a');
        }
      })(),
    );
    const decoded = await openDecoded(source);
    expect(decoded.head.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(produced).toBeLessThan(16);
    await decoded.close();
    expect(source.destroyed).toBe(true);
  });
});
