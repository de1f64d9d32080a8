/**
 * Secrets kept in the database (the n8n owner password and API key, tenant credentials) are
 * encrypted with AES-256-GCM under a key derived from LEADFLOW_ENCRYPTION_KEY.
 *
 * Envelope: `v1:<iv>:<tag>:<ciphertext>`, each part base64url. The version prefix lets a later
 * scheme (or a rotated key) coexist with rows written by this one.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
// NOTE: changing the salt or info makes every stored secret unreadable.
const HKDF_SALT = Buffer.from('leadflow/secrets', 'utf8');
const HKDF_INFO = Buffer.from('leadflow secret envelope v1 aes-256-gcm', 'utf8');

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Reads a 32-byte master secret written as 64 hex characters or as base64/base64url.
 * Anything else is refused: a short or mistyped key must stop the start, not weaken the cipher.
 */
export function parseMasterKey(secret: string): Buffer {
  const trimmed = secret.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (decoded.length === 32) bytes = decoded;
  }
  if (!bytes || bytes.length !== 32) {
    throw new Error(
      'encryption key must be 32 random bytes written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)',
    );
  }
  return bytes;
}

const derived = new Map<string, Buffer>();
function deriveKey(secret: string): Buffer {
  let key = derived.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', parseMasterKey(secret), HKDF_SALT, HKDF_INFO, 32));
    derived.set(secret, key);
  }
  return key;
}

/** Encrypts a UTF-8 string; every call uses a fresh random IV. */
export function encryptSecret(plaintext: string, key: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(VERSION, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join(':');
}

/** Decrypts an envelope from encryptSecret; throws SecretDecryptionError on any tampering or wrong key. */
export function decryptSecret(envelope: string, key: string): string {
  const parts = envelope.split(':');
  if (parts.length !== 4) throw new SecretDecryptionError('not a secret envelope');
  const [version, ivPart, tagPart, ctPart] = parts;
  if (version !== VERSION) throw new SecretDecryptionError(`unsupported secret envelope version ${JSON.stringify(version)}`);
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  const ct = Buffer.from(ctPart, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed secret envelope');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(key), iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(VERSION, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('secret could not be decrypted (wrong key or tampered data)');
  }
}
