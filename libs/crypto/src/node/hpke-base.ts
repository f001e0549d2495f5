import {
  createCipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * RFC 9180 base-mode sealing (single shot, sequence 0) with node:crypto:
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, and AES-128-GCM or AES-256-GCM.
 * The sender's side only: the server seals challenges, clients open them with
 * the isomorphic library (WebCrypto). Node's own X25519, HMAC and AES-GCM run
 * native code synchronously, several times faster than a WebCrypto HPKE.
 */

const KEM_ID = 0x0020;
const KDF_ID = 0x0001;
const AEADS = {
  1: { cipher: 'aes-128-gcm', keyBytes: 16 },
  2: { cipher: 'aes-256-gcm', keyBytes: 32 },
} as const;
export type AeadId = keyof typeof AEADS;

const NONCE_BYTES = 12;
const HPKE_V1 = Buffer.from('HPKE-v1');
// DER framing around a raw X25519 key (RFC 8410), so Node imports 32 bytes without a JWK round trip.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

const i2osp = (value: number, length: number) => {
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(value, 0, length);
  return bytes;
};
const hmac = (key: Uint8Array, ...parts: Uint8Array[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

/** HKDF-Expand (RFC 5869) for up to 255 blocks. */
function expand(prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let counter = 1; blocks.length * 32 < length; counter += 1) {
    previous = hmac(prk, previous, info, Uint8Array.of(counter));
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const labeledExtract = (suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) =>
  hmac(salt, HPKE_V1, suiteId, Buffer.from(label), ikm);

const labeledExpand = (suiteId: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number) =>
  expand(prk, Buffer.concat([i2osp(length, 2), HPKE_V1, suiteId, Buffer.from(label), info]), length);

export const x25519PublicKey = (raw: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });

export const x25519PrivateKey = (raw: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });

const rawPublicKey = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);

/** An ephemeral key pair, as a test vector fixes it; a fresh one otherwise. */
export interface EphemeralKey {
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

/**
 * One suite and one `info`: what the key schedule takes from them alone is
 * computed once, so each seal is one X25519 agreement, a few HMACs and one
 * AES-GCM.
 */
export class HpkeBaseSealer {
  private readonly kemSuiteId = Buffer.concat([Buffer.from('KEM'), i2osp(KEM_ID, 2)]);
  private readonly suiteId: Buffer;
  private readonly keyScheduleContext: Buffer;
  private readonly aead: (typeof AEADS)[AeadId];

  constructor(aeadId: AeadId, info: Uint8Array) {
    this.aead = AEADS[aeadId];
    this.suiteId = Buffer.concat([Buffer.from('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(aeadId, 2)]);
    const empty = Buffer.alloc(0);
    const pskIdHash = labeledExtract(this.suiteId, empty, 'psk_id_hash', empty);
    const infoHash = labeledExtract(this.suiteId, empty, 'info_hash', info);
    this.keyScheduleContext = Buffer.concat([Uint8Array.of(0x00), pskIdHash, infoHash]);
  }

  seal(
    recipientPublicKey: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
    ephemeral: EphemeralKey = freshEphemeralKey(),
  ): { enc: Uint8Array; ciphertext: Uint8Array } {
    // Encap (RFC 9180 §4.1); OpenSSL refuses an all-zero shared secret (a small-order public key).
    const dh = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: x25519PublicKey(recipientPublicKey) });
    const enc = ephemeral.publicKey;
    const eaePrk = labeledExtract(this.kemSuiteId, Buffer.alloc(0), 'eae_prk', dh);
    const kemContext = Buffer.concat([enc, recipientPublicKey]);
    const sharedSecret = labeledExpand(this.kemSuiteId, eaePrk, 'shared_secret', kemContext, 32);
    // KeySchedule, base mode (§5.1): no PSK.
    const secret = labeledExtract(this.suiteId, sharedSecret, 'secret', Buffer.alloc(0));
    const key = labeledExpand(this.suiteId, secret, 'key', this.keyScheduleContext, this.aead.keyBytes);
    const nonce = labeledExpand(this.suiteId, secret, 'base_nonce', this.keyScheduleContext, NONCE_BYTES);
    const cipher = createCipheriv(this.aead.cipher, key, nonce);
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ciphertext) };
  }
}

function freshEphemeralKey(): EphemeralKey {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey: rawPublicKey(publicKey) };
}
