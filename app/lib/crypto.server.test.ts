import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretDecryptionError, decryptSecret, encryptSecret, parseMasterKey } from './crypto.server';

const key = randomBytes(32).toString('base64');

describe('encryptSecret / decryptSecret', () => {
  it('round-trips UTF-8 text, including the empty string', () => {
    for (const text of ['n8n_api_key_abc123', '', 'pässwörd ✓ 🔑', 'x'.repeat(10_000)]) {
      expect(decryptSecret(encryptSecret(text, key), key)).toBe(text);
    }
  });

  it('writes a versioned base64url envelope with a fresh IV each time', () => {
    const a = encryptSecret('same', key);
    const b = encryptSecret('same', key);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same');
  });

  it('accepts the same 32 bytes as hex, base64 or base64url', () => {
    const raw = randomBytes(32);
    const envelope = encryptSecret('secret', raw.toString('hex'));
    expect(decryptSecret(envelope, raw.toString('base64'))).toBe('secret');
    expect(decryptSecret(envelope, raw.toString('base64url'))).toBe('secret');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => parseMasterKey('too-short')).toThrow(/32 random bytes/);
    expect(() => parseMasterKey(randomBytes(16).toString('base64'))).toThrow(/32 random bytes/);
    expect(() => parseMasterKey(randomBytes(33).toString('hex'))).toThrow(/32 random bytes/);
    expect(() => encryptSecret('x', 'correct horse battery staple, but not a key!!')).toThrow(/32 random bytes/);
  });

  it('fails with the wrong key', () => {
    const envelope = encryptSecret('secret', key);
    expect(() => decryptSecret(envelope, randomBytes(32).toString('base64'))).toThrow(SecretDecryptionError);
  });

  it('detects tampering with the ciphertext, the tag, the IV or the version', () => {
    const envelope = encryptSecret('transfer 100 to alice', key);
    const [v, iv, tag, ct] = envelope.split(':');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 0x01;
      return b.toString('base64url');
    };
    expect(() => decryptSecret([v, iv, tag, flip(ct)].join(':'), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret([v, iv, flip(tag), ct].join(':'), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret([v, flip(iv), tag, ct].join(':'), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(['v2', iv, tag, ct].join(':'), key)).toThrow(/version/);
    expect(() => decryptSecret('not an envelope', key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret([v, iv.slice(2), tag, ct].join(':'), key)).toThrow(/malformed/);
  });
});
