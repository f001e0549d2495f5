import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { bufferSource, randomBytes, utf8 } from './encoding.js';
import { DecryptionError, InvalidInputError, InvalidPublicKeyError } from './errors.js';
import { importPrivateKey, isValidX25519PublicKey } from './keys.js';

export const SESSION_CHALLENGE_TOKEN_BYTES = 32;

/** RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM. */
export const sessionChallengeSuite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

/** HPKE's `info` for every challenge (also the Node-only sealer's, in `@app/crypto/node`). */
export const SESSION_CHALLENGE_INFO = utf8('keyexchange/v1/session-challenge');

export function generateSessionChallengeToken(): Uint8Array {
  return randomBytes(SESSION_CHALLENGE_TOKEN_BYTES);
}

/** Seals a challenge token to the user's public key; the challengeId is the additional data. */
export async function sealSessionChallenge(input: {
  publicKey: Uint8Array;
  challengeId: string;
  token: Uint8Array;
}): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  checkSealInput(input);
  const recipientPublicKey = await sessionChallengeSuite.kem.importKey(
    'raw',
    bufferSource(input.publicKey).buffer,
    true,
  );
  const { ct, enc } = await sessionChallengeSuite.seal(
    { recipientPublicKey, info: SESSION_CHALLENGE_INFO },
    bufferSource(input.token),
    utf8(input.challengeId),
  );
  return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) };
}

/** What sealing a challenge requires of its input, whichever implementation seals. */
export function checkSealInput(input: { publicKey: Uint8Array; token: Uint8Array }): void {
  if (!isValidX25519PublicKey(input.publicKey)) throw new InvalidPublicKeyError();
  if (input.token.length !== SESSION_CHALLENGE_TOKEN_BYTES) {
    throw new InvalidInputError(`The challenge token must be ${SESSION_CHALLENGE_TOKEN_BYTES} bytes`);
  }
}

/**
 * Opens a challenge with the private key (a non-extractable one as the pair
 * holdPrivateKey gives); DecryptionError unless it is intact and for this key.
 */
export async function openSessionChallenge(input: {
  privateKey: CryptoKey | CryptoKeyPair | Uint8Array;
  challengeId: string;
  enc: Uint8Array;
  ciphertext: Uint8Array;
}): Promise<Uint8Array> {
  const recipientKey =
    input.privateKey instanceof Uint8Array ? await importPrivateKey(input.privateKey) : input.privateKey;
  let plaintext: ArrayBuffer;
  try {
    plaintext = await sessionChallengeSuite.open(
      { recipientKey, enc: bufferSource(input.enc), info: SESSION_CHALLENGE_INFO },
      bufferSource(input.ciphertext),
      utf8(input.challengeId),
    );
  } catch (cause) {
    throw new DecryptionError('The session challenge does not open with this key', { cause });
  }
  if (plaintext.byteLength !== SESSION_CHALLENGE_TOKEN_BYTES) {
    throw new DecryptionError(`The session challenge did not hold ${SESSION_CHALLENGE_TOKEN_BYTES} bytes`);
  }
  return new Uint8Array(plaintext);
}
