// Deterministic ids: RFC 4122 version-5 UUIDs (SHA-1 of namespace + name).
// Pure TypeScript on purpose: the compiler also runs in the browser (canvas preview), where
// `node:crypto` does not exist and WebCrypto's digest is async.

/** Namespace for every id the compiler derives; changing it would re-key every deployed workflow. */
export const LEADFLOW_NAMESPACE = '5c1b9a57-3f2e-4d0a-9c64-6f3a2b8e1d70';

const encoder = new TextEncoder();

// Scratch space reused by every digest (the compiler is synchronous, so calls never interleave).
const W = new Int32Array(80);

// A compile derives hundreds of ids from names that share a long prefix (namespace, tenant id,
// workflow id: more than one 64-byte SHA-1 block), so the state after the first block is kept
// for the last first block seen. Purely a cache: the digest is the same with or without it.
const firstBlock = new Uint8Array(64);
const firstBlockState = new Int32Array(5);
let firstBlockCached = false;

/** Runs the SHA-1 compression function over one 64-byte block at `offset`, updating `h`. */
function compress(bytes: Uint8Array, offset: number, h: Int32Array): void {
  for (let i = 0; i < 16; i++) {
    const o = offset + i * 4;
    W[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + W[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

function sameFirstBlock(message: Uint8Array): boolean {
  if (!firstBlockCached) return false;
  for (let i = 0; i < 64; i++) if (message[i] !== firstBlock[i]) return false;
  return true;
}

/** SHA-1 digest (20 bytes). Not for security: only to spread names evenly into ids and buckets. */
export function sha1(message: Uint8Array): Uint8Array {
  const bitLength = message.length * 8;
  // Message + 0x80 + zero padding + 64-bit big-endian length, to a multiple of 64 bytes.
  const paddedLength = Math.ceil((message.length + 9) / 64) * 64;
  const bytes = new Uint8Array(paddedLength);
  bytes.set(message);
  bytes[message.length] = 0x80;
  const high = Math.floor(bitLength / 0x100000000);
  const low = bitLength >>> 0;
  for (let i = 0; i < 4; i++) {
    bytes[paddedLength - 8 + i] = (high >>> (24 - i * 8)) & 0xff;
    bytes[paddedLength - 4 + i] = (low >>> (24 - i * 8)) & 0xff;
  }

  const h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  let offset = 0;
  // Only a first block made of message bytes alone (no padding) can be shared between messages.
  if (message.length >= 64) {
    if (sameFirstBlock(message)) {
      h.set(firstBlockState);
    } else {
      compress(bytes, 0, h);
      firstBlock.set(message.subarray(0, 64));
      firstBlockState.set(h);
      firstBlockCached = true;
    }
    offset = 64;
  }
  for (; offset < paddedLength; offset += 64) compress(bytes, offset, h);

  const out = new Uint8Array(20);
  for (let i = 0; i < 5; i++) {
    out[i * 4] = h[i] >>> 24;
    out[i * 4 + 1] = (h[i] >>> 16) & 0xff;
    out[i * 4 + 2] = (h[i] >>> 8) & 0xff;
    out[i * 4 + 3] = h[i] & 0xff;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i]];
  return hex;
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Not a UUID: ${uuid}`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const namespaceBytes = new Map<string, Uint8Array>();

/** RFC 4122 §4.3 name-based UUID, version 5. */
export function uuidV5(name: string, namespace: string = LEADFLOW_NAMESPACE): string {
  let ns = namespaceBytes.get(namespace);
  if (!ns) {
    ns = uuidBytes(namespace);
    if (namespaceBytes.size < 16) namespaceBytes.set(namespace, ns);
  }
  const nameBytes = encoder.encode(name);
  const input = new Uint8Array(ns.length + nameBytes.length);
  input.set(ns);
  input.set(nameBytes, ns.length);
  const hash = sha1(input).subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = toHex(hash);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Short stable hex digest of a string, for salts and path disambiguation. */
export function shortHash(value: string, length = 8): string {
  return toHex(sha1(encoder.encode(value))).slice(0, length);
}
