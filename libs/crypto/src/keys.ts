import { bufferSource, fromHex, toHex } from './encoding.js';
import { InvalidInputError } from './errors.js';

/** The one algorithm of protocol v1, as the server stores and checks it. */
export const KEY_ALGORITHM = 'HPKE-X25519-SHA256-AES256GCM';
export const PUBLIC_KEY_BYTES = 32;

const subtle = () => globalThis.crypto.subtle;

export interface KeyPair {
  /** The 32-byte raw X25519 public key. */
  publicKey: Uint8Array;
  privateKey: CryptoKey;
  /** PKCS#8 DER of the private key: what gets encrypted for the keyserver. */
  privateKeyPkcs8: Uint8Array;
}

export async function generateKeyPair(): Promise<KeyPair> {
  const pair = await subtle().generateKey({ name: 'X25519' }, true, ['deriveBits']);
  return {
    publicKey: new Uint8Array(await subtle().exportKey('raw', pair.publicKey)),
    privateKey: pair.privateKey,
    privateKeyPkcs8: new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)),
  };
}

/**
 * Imports an X25519 private key from PKCS#8: the 48-byte RFC 8410 form this
 * protocol writes, and any other valid form (RFC 5958 v2 with the public key
 * or attributes), which WebCrypto engines do not all read.
 */
export async function importPrivateKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return (await importX25519Pkcs8(pkcs8, true)).privateKey;
}

/** A private key that can be used and never read back, with its public key and fingerprint. */
export interface HeldKey {
  /** The private key non-extractable, and its public key: what HPKE's open needs. */
  keyPair: CryptoKeyPair;
  publicKey: Uint8Array;
  fingerprint: string;
}

/**
 * Imports a private key as non-extractable: nothing, this code included, can
 * export it again. Its public key is derived (X25519 with the base point), not
 * exported. The caller zeroes its PKCS#8 bytes afterwards.
 */
export async function holdPrivateKey(pkcs8: Uint8Array): Promise<HeldKey> {
  const { privateKey, publicKey } = await importX25519Pkcs8(pkcs8, false);
  const publicCryptoKey = await subtle().importKey('raw', bufferSource(publicKey), { name: 'X25519' }, true, []);
  return {
    keyPair: { privateKey, publicKey: publicCryptoKey },
    publicKey,
    fingerprint: await fingerprint(publicKey),
  };
}

async function importX25519Pkcs8(
  pkcs8: Uint8Array,
  extractable: boolean,
): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  const parsed = parseX25519Pkcs8(pkcs8);
  if (!parsed) throw new InvalidInputError('Not an X25519 private key in PKCS#8');
  const normalised = pkcs8Of(parsed.privateKey);
  parsed.privateKey.fill(0);
  let privateKey: CryptoKey;
  try {
    privateKey = await subtle().importKey('pkcs8', bufferSource(normalised), { name: 'X25519' }, extractable, [
      'deriveBits',
    ]);
  } catch {
    throw new InvalidInputError('Not an X25519 private key in PKCS#8');
  } finally {
    normalised.fill(0);
  }
  const publicKey = await publicKeyOf(privateKey);
  // A v2 key carries its public key: it must be this private key's.
  if (parsed.publicKey && !equalBytes(parsed.publicKey, publicKey)) {
    throw new InvalidInputError('The PKCS#8 public key does not belong to its private key');
  }
  return { privateKey, publicKey };
}

/** The RFC 8410 form: version 0, id-X25519, the 32-byte key as an OCTET STRING inside the privateKey OCTET STRING. */
const PKCS8_X25519_PREFIX = fromHex('302e020100300506032b656e04220420');
const X25519_ALGORITHM = fromHex('300506032b656e');

/** The 48-byte RFC 8410 PKCS#8 of a 32-byte X25519 private key: the form this protocol writes. */
export function pkcs8Of(privateKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(PKCS8_X25519_PREFIX.length + 32);
  out.set(PKCS8_X25519_PREFIX);
  out.set(privateKey, PKCS8_X25519_PREFIX.length);
  return out;
}

/**
 * An X25519 OneAsymmetricKey (RFC 5958): version 0, or 1 with an optional
 * public key; id-X25519 without parameters; the 32-byte key; optional
 * attributes. Strict DER (minimal lengths, nothing after the last field);
 * undefined for anything else.
 */
function parseX25519Pkcs8(der: Uint8Array): { privateKey: Uint8Array; publicKey?: Uint8Array } | undefined {
  if (!(der instanceof Uint8Array)) return undefined;
  const outer = readTlv(der, 0, 0x30);
  if (!outer || outer.end !== der.length) return undefined;
  const version = readTlv(der, outer.start, 0x02);
  if (!version || version.end - version.start !== 1 || der[version.start] > 1) return undefined;
  const algorithm = readTlv(der, version.end, 0x30);
  if (!algorithm || !equalBytes(der.subarray(version.end, algorithm.end), X25519_ALGORITHM)) return undefined;
  const privateKey = readTlv(der, algorithm.end, 0x04);
  if (!privateKey) return undefined;
  const curvePrivateKey = readTlv(der, privateKey.start, 0x04);
  if (!curvePrivateKey || curvePrivateKey.end !== privateKey.end || curvePrivateKey.end - curvePrivateKey.start !== 32)
    return undefined;
  let offset = privateKey.end;
  const attributes = readTlv(der, offset, 0xa0);
  if (attributes) offset = attributes.end;
  let publicKey: Uint8Array | undefined;
  const publicKeyField = der[version.start] === 1 ? readTlv(der, offset, 0x81) : undefined;
  if (publicKeyField) {
    // A BIT STRING with no unused bits around the 32-byte key.
    if (publicKeyField.end - publicKeyField.start !== 33 || der[publicKeyField.start] !== 0) return undefined;
    publicKey = der.slice(publicKeyField.start + 1, publicKeyField.end);
    offset = publicKeyField.end;
  }
  if (offset !== outer.end) return undefined;
  return { privateKey: der.slice(curvePrivateKey.start, curvePrivateKey.end), publicKey };
}

/** One DER TLV of the given tag at `offset`, with its length in the shortest form (one or two length bytes). */
function readTlv(der: Uint8Array, offset: number, tag: number): { start: number; end: number } | undefined {
  if (offset + 2 > der.length || der[offset] !== tag) return undefined;
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 2 || start + bytes > der.length || der[start] === 0) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = (length << 8) | der[start + i];
    if (length < 0x80) return undefined;
    start += bytes;
  }
  const end = start + length;
  return end <= der.length ? { start, end } : undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** X25519's base point, u = 9 (RFC 7748 4.1): X25519(k, 9) is k's public key. */
const BASE_POINT = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 9 : 0));
let basePoint: Promise<CryptoKey> | undefined;

/**
 * The raw public key of a private key, e.g. one just unwrapped from the
 * keyserver: X25519 of it with the base point, so that a non-extractable key
 * has one too.
 */
export async function publicKeyOf(privateKey: CryptoKey | Uint8Array): Promise<Uint8Array> {
  const key = privateKey instanceof Uint8Array ? await importPrivateKey(privateKey) : privateKey;
  basePoint ??= subtle().importKey('raw', bufferSource(BASE_POINT), { name: 'X25519' }, false, []);
  try {
    return new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: await basePoint }, key, 256));
  } catch (cause) {
    throw new InvalidInputError('Not an X25519 private key', { cause });
  }
}

/** Lowercase hex SHA-256 of the raw public key. */
export async function fingerprint(publicKey: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await subtle().digest('SHA-256', bufferSource(publicKey))));
}

// p = 2^255 - 19, little-endian, as X25519 reads u-coordinates (RFC 7748 5).
const P = (1n << 255n) - 19n;

/**
 * The u-coordinates of the points of order 1, 2, 4 and 8 on Curve25519 and its
 * twist, reduced mod p: 0, 1, p-1, and the pair of order-8 points (as listed
 * by libsodium and the X25519 literature). A shared secret with any of them is
 * fixed, so such a "key" would let anyone open a challenge.
 */
const LOW_ORDER_U = new Set([
  0n,
  1n,
  P - 1n,
  0x00b8495f16056286fdb1329ceb8d09da6ac49ff1fae35616aeb8413b7c7aebe0n,
  0x57119fd0dd4e22d8868e1c58c45c44045bef839c55b1d0b1248c50a3bc959c5fn,
]);

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * A 32-byte X25519 public key that is not a low-order point, whatever its
 * encoding: X25519 ignores the top bit and reduces mod p, so the check does too.
 */
export function isValidX25519PublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  const masked = Uint8Array.from(publicKey);
  masked[31] &= 0x7f;
  return !LOW_ORDER_U.has(littleEndian(masked) % P);
}
