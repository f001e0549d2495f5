import { bufferSource, randomBytes, toBase64Url, utf8 } from './encoding.js';
import { CommitmentMismatchError, DecryptionError, InvalidInputError, InvalidPublicKeyError } from './errors.js';
import { isValidX25519PublicKey } from './keys.js';
import { sessionChallengeSuite } from './session-challenge.js';

/** Each version's secret: 32 fresh random bytes, never derived from the previous version's. */
export const SHARED_SECRET_BYTES = 32;

/** HPKE's `info` for every envelope. */
export const SHARED_SECRET_INFO = 'keyexchange/v1/shared-secret';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What identifies one member's envelope of one version of one secret. */
export interface EnvelopeAddress {
  secretId: string;
  version: number;
  recipientId: string;
}

/** HPKE's encapsulated key and the sealed secret, as the server stores them. */
export interface Envelope {
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

export function generateSharedSecret(): Uint8Array {
  return randomBytes(SHARED_SECRET_BYTES);
}

/** A lower-case UUID, as the protocol spells it in labels; anything else is refused. */
function uuid(name: string, value: string): string {
  const lower = typeof value === 'string' ? value.toLowerCase() : '';
  if (!UUID.test(lower)) throw new InvalidInputError(`${name} must be a UUID`);
  return lower;
}

function checkVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 1) throw new InvalidInputError('version must be a positive integer');
  return version;
}

function checkSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.length !== SHARED_SECRET_BYTES) {
    throw new InvalidInputError(`A shared secret is ${SHARED_SECRET_BYTES} bytes`);
  }
}

function hkdfKey(secret: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', bufferSource(secret), 'HKDF', false, ['deriveBits', 'deriveKey']);
}

/**
 * The commitment to a version's secret: base64url of HKDF-SHA256(secret, empty
 * salt, info `keyexchange/v1/shared-secret/commitment/<secretId>/<version>`,
 * 32 bytes). The server stores it beside the envelopes; members who compare
 * it know they hold the same secret, and it reveals nothing of it.
 */
export async function sharedSecretCommitment(secret: Uint8Array, secretId: string, version: number): Promise<string> {
  checkSecret(secret);
  const info = `${SHARED_SECRET_INFO}/commitment/${uuid('secretId', secretId)}/${checkVersion(version)}`;
  const bits = await globalThis.crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bufferSource(utf8(info)) },
    await hkdfKey(secret),
    256,
  );
  return toBase64Url(new Uint8Array(bits));
}

/**
 * The envelope's additional data: `keyexchange/v1/shared-secret/<secretId>/<version>/<recipientId>/<commitment>`.
 * It binds the envelope to its secret, version, member and secret: moved
 * anywhere else, it does not open.
 */
export function envelopeAdditionalData(address: EnvelopeAddress & { commitment: string }): Uint8Array {
  const { secretId, version, recipientId, commitment } = address;
  return utf8(
    `${SHARED_SECRET_INFO}/${uuid('secretId', secretId)}/${checkVersion(version)}/${uuid('recipientId', recipientId)}/${commitment}`,
  );
}

/**
 * Seals a version's secret to one member: HPKE auth mode (RFC 9180 5.1.3)
 * from the sender's own key pair, so that a recipient who knows the sender's
 * public key knows who sealed it. `sender` is the caller's key pair (a held,
 * non-extractable one works: its public key is part of it). The commitment is
 * computed here from the secret, so an envelope never names another one.
 */
export async function sealEnvelope(
  input: EnvelopeAddress & { secret: Uint8Array; recipientPublicKey: Uint8Array; sender: CryptoKeyPair },
): Promise<Envelope & { commitment: string }> {
  const commitment = await sharedSecretCommitment(input.secret, input.secretId, input.version);
  if (!isValidX25519PublicKey(input.recipientPublicKey)) throw new InvalidPublicKeyError();
  const recipientPublicKey = await sessionChallengeSuite.kem.importKey(
    'raw',
    bufferSource(input.recipientPublicKey).buffer,
    true,
  );
  const { ct, enc } = await sessionChallengeSuite.seal(
    { recipientPublicKey, senderKey: input.sender, info: utf8(SHARED_SECRET_INFO) },
    bufferSource(input.secret),
    bufferSource(envelopeAdditionalData({ ...input, commitment })),
  );
  return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct), commitment };
}

/**
 * Opens one's own envelope with one's key pair and the sender's public key
 * (which the caller has pinned, or takes on first use), then recomputes the
 * commitment from the secret: DecryptionError unless it opens, for this
 * address and from this sender; CommitmentMismatchError when the secret is
 * not the one committed to.
 */
export async function openEnvelope(
  input: EnvelopeAddress & {
    envelope: Envelope;
    commitment: string;
    recipient: CryptoKeyPair;
    senderPublicKey: Uint8Array;
  },
): Promise<Uint8Array> {
  if (!isValidX25519PublicKey(input.senderPublicKey)) throw new InvalidPublicKeyError();
  const senderPublicKey = await sessionChallengeSuite.kem.importKey(
    'raw',
    bufferSource(input.senderPublicKey).buffer,
    true,
  );
  let plaintext: ArrayBuffer;
  try {
    plaintext = await sessionChallengeSuite.open(
      {
        recipientKey: input.recipient,
        enc: bufferSource(input.envelope.enc),
        senderPublicKey,
        info: utf8(SHARED_SECRET_INFO),
      },
      bufferSource(input.envelope.ciphertext),
      bufferSource(envelopeAdditionalData(input)),
    );
  } catch (cause) {
    throw new DecryptionError('The envelope does not open: not for this key, address or sender, or altered', {
      cause,
    });
  }
  const secret = new Uint8Array(plaintext);
  if (secret.length !== SHARED_SECRET_BYTES) {
    throw new DecryptionError(`The envelope did not hold ${SHARED_SECRET_BYTES} bytes`);
  }
  if ((await sharedSecretCommitment(secret, input.secretId, input.version)) !== input.commitment) {
    secret.fill(0);
    throw new CommitmentMismatchError();
  }
  return secret;
}

/**
 * A key for data protected by the shared secret: AES-256-GCM, non-extractable,
 * HKDF-SHA256(secret, empty salt, info `keyexchange/v1/shared-secret/data-key/<context>`).
 * `context` names the use (e.g. `notes`, `files/v1`): each use gets its own
 * key, and nothing uses the secret's 32 bytes as a key themselves. Data
 * encrypted under one version's key stays readable with that version's secret
 * (getSecretVersion); rotate by re-encrypting under the new version's.
 */
export async function deriveDataKey(secret: Uint8Array, context: string): Promise<CryptoKey> {
  checkSecret(secret);
  if (typeof context !== 'string' || context.length === 0 || context.length > 256) {
    throw new InvalidInputError('The data key context must be 1 to 256 characters');
  }
  const info = `${SHARED_SECRET_INFO}/data-key/${context}`;
  return globalThis.crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bufferSource(utf8(info)) },
    await hkdfKey(secret),
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}
