import type { ServerClient } from '@app/api-client';
import { CryptoError, fromBase64Url, openSessionChallenge, toBase64Url } from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';

/** The challenge was sealed to another key than ours (or is damaged): never a wrong password. */
export class ChallengeUnopenedError extends CliError {
  constructor(hint = 'the server holds another public key for this account than the one this private key belongs to') {
    super(`The server's challenge does not open with your private key: ${hint}.`, EXIT.challengeUnopened);
  }
}

/** Seed flow 3: open the sealed token with the private key and hand it back. */
export async function passSessionChallenge(server: ServerClient, privateKey: CryptoKey | CryptoKeyPair): Promise<void> {
  const challenge = await server.sessionChallenge.getSessionChallenge();
  let token: Uint8Array;
  try {
    token = await openSessionChallenge({
      privateKey,
      challengeId: challenge.challengeId,
      enc: fromBase64Url(challenge.enc),
      ciphertext: fromBase64Url(challenge.ciphertext),
    });
  } catch (error) {
    if (error instanceof CryptoError) throw new ChallengeUnopenedError();
    throw error;
  }
  await server.sessionChallenge.submitSessionChallenge({
    requestBody: { challengeId: challenge.challengeId, token: toBase64Url(token) },
  });
}
