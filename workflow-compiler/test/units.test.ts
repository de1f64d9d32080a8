// Small pure helpers: SHA-1 / UUIDv5 and the placeholder grammar.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateError, uuidV5 } from '../src/index';
import { sha1, toHex } from '../src/uuid';
import { jsonJs, templateJs, toN8nValue } from '../src/template';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('sha1 and uuidV5', () => {
  it('match the published test vectors', () => {
    expect(toHex(sha1(bytes('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(sha1(bytes('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(toHex(sha1(bytes('a'.repeat(1000))))).toBe('291e9a6c66994949b57ba5e650361e98fc36b1ba');
    // RFC 4122 name-based example: DNS namespace, "www.example.com".
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('agrees with node:crypto whatever the order of messages sharing a first block', () => {
    // The digest reuses the state after the last first 64-byte block it saw: interleave messages
    // with equal and different first blocks, of every length around the block boundaries.
    const prefixes = ['p'.repeat(64), 'q'.repeat(64), `${'p'.repeat(63)}x`];
    const messages: string[] = [];
    for (let len = 0; len <= 200; len++) {
      for (const prefix of prefixes) messages.push((prefix + 'tail-'.repeat(40)).slice(0, len));
      messages.push('é'.repeat(len)); // multi-byte UTF-8
    }
    for (const m of messages) {
      expect(toHex(sha1(bytes(m))), `length ${m.length}`).toBe(createHash('sha1').update(m).digest('hex'));
    }
  });

  it('is deterministic and well-formed', () => {
    expect(uuidV5('x')).toBe(uuidV5('x'));
    expect(uuidV5('x')).not.toBe(uuidV5('y'));
    expect(uuidV5('ünïcode')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('placeholders', () => {
  it('parses the closed grammar', () => {
    expect(parseTemplate('Hi {{ lead.first_name }}, {{item.total}} at {{now}} / {{now-7d}} / {{now + 2h}}')).toEqual([
      'Hi ',
      { kind: 'lead', path: ['first_name'] },
      ', ',
      { kind: 'item', path: ['total'] },
      ' at ',
      { kind: 'now' },
      ' / ',
      { kind: 'now', offset: { sign: '-', amount: 7, unit: 'days' } },
      ' / ',
      { kind: 'now', offset: { sign: '+', amount: 2, unit: 'hours' } },
    ]);
  });

  it('rejects anything else, so tenants cannot write JavaScript', () => {
    for (const text of [
      '{{ $env.SECRET }}',
      '{{lead}}',
      '{{lead.a-b}}',
      '{{ constructor.constructor("x")() }}',
      '{{now-7y}}',
      'a {{ b',
    ]) {
      expect(() => parseTemplate(text), text).toThrow(TemplateError);
    }
  });

  it('becomes an n8n value: literal when possible, an expression otherwise', () => {
    expect(toN8nValue('plain')).toBe('plain');
    expect(toN8nValue('Hi {{lead.first_name}}!')).toBe('=Hi {{ $json.lead.first_name }}!');
    expect(toN8nValue('{{lead.custom.plan}}')).toBe('={{ $json.lead.custom?.plan }}');
    expect(toN8nValue('=literal')).toBe('==literal');
  });

  it('becomes JavaScript that reads from a given item', () => {
    expect(templateJs('Score {{lead.score}}', 'e')).toBe('"Score " + String(e.lead.score ?? "")');
    expect(templateJs('', 'e')).toBe('""');
    expect(jsonJs({ a: [1, { b: '{{item.x}}' }], c: {}, d: 'id {{lead.id}}' }, '$json')).toBe(
      '{ "a": [ 1, { "b": ($json.x ?? null) } ], "c": {}, "d": "id " + String($json.lead.id ?? "") }',
    );
  });
});
