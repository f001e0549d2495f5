import { utf8 } from '../encoding.js';
import { checkSealInput, SESSION_CHALLENGE_INFO } from '../session-challenge.js';
import { HpkeBaseSealer } from './hpke-base.js';

/** The session challenge's suite: AEAD 0x0002, AES-256-GCM, as `sessionChallengeSuite`. */
const sealer = new HpkeBaseSealer(2, SESSION_CHALLENGE_INFO);

/**
 * `sealSessionChallenge` of `@app/crypto`, the same bytes on the wire, on
 * node:crypto: what the server runs for every challenge it issues.
 * Synchronous, as node:crypto's calls are: nothing to wait for.
 */
export function sealSessionChallenge(input: { publicKey: Uint8Array; challengeId: string; token: Uint8Array }): {
  enc: Uint8Array;
  ciphertext: Uint8Array;
} {
  checkSealInput(input);
  return sealer.seal(input.publicKey, input.token, utf8(input.challengeId));
}
