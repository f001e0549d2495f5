import type { ServerClient } from '@app/api-client';
import { fromBase64Url, openSessionChallenge, toBase64Url } from '@app/crypto';

/** Seed flow 3: open the sealed token with the private key and hand it back. */
export async function passSessionChallenge(server: ServerClient, privateKey: CryptoKey): Promise<void> {
  const challenge = await server.sessionChallenge.getSessionChallenge();
  const token = await openSessionChallenge({
    privateKey,
    challengeId: challenge.challengeId,
    enc: fromBase64Url(challenge.enc),
    ciphertext: fromBase64Url(challenge.ciphertext),
  });
  await server.sessionChallenge.submitSessionChallenge({
    requestBody: { challengeId: challenge.challengeId, token: toBase64Url(token) },
  });
}
