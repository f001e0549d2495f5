import { randomUUID } from 'node:crypto';
import type { ServerApi } from '@app/api-client';
import {
  fingerprint,
  fromBase64Url,
  generateKeyPair,
  generateSharedSecret,
  holdPrivateKey,
  openEnvelope,
  sealEnvelope,
  toBase64Url,
} from '@app/crypto';
import type { RunningApp } from './apps.js';
import { bodyOf } from './body.js';
import { passSessionChallenge, putPublicKey } from './client.js';
import { bearer, registerAndLogin, type TestUser } from './users.js';

type Reachable = Pick<RunningApp, 'http'>;

/** A user with a confirmed key and a secured session, holding its key as a client would. */
export interface Member extends TestUser {
  keyPair: CryptoKeyPair;
  publicKey: Uint8Array;
  fingerprint: string;
}

export async function member(server: Reachable): Promise<Member> {
  const user = await registerAndLogin(server.http);
  const keys = await generateKeyPair();
  await putPublicKey(server, user, keys.publicKey).expect(200);
  await passSessionChallenge(server, user.sessionToken, keys);
  const held = await holdPrivateKey(keys.privateKeyPkcs8);
  return { ...user, keyPair: held.keyPair, publicKey: keys.publicKey, fingerprint: held.fingerprint };
}

/** A version of a secret sealed by `sender` to each recipient, as a request body carries it. */
export async function sealVersion(
  sender: Member,
  secretId: string,
  version: number,
  recipients: Member[],
  secret = generateSharedSecret(),
): Promise<{ secret: Uint8Array; commitment: string; envelopes: ServerApi.Envelope[] }> {
  let commitment = '';
  const envelopes = [];
  for (const recipient of recipients) {
    const sealed = await sealEnvelope({
      secretId,
      version,
      recipientId: recipient.userId,
      secret,
      recipientPublicKey: recipient.publicKey,
      sender: sender.keyPair,
    });
    commitment = sealed.commitment;
    envelopes.push({
      userId: recipient.userId,
      keyFingerprint: recipient.fingerprint,
      enc: toBase64Url(sealed.enc),
      ciphertext: toBase64Url(sealed.ciphertext),
    });
  }
  return { secret, commitment, envelopes };
}

/** createSecret's body for a new secret of `owner` with `others`. */
export async function newSecret(owner: Member, others: Member[], name = 'Facility north') {
  const secretId = randomUUID();
  const sealed = await sealVersion(owner, secretId, 1, [owner, ...others]);
  return {
    secretId,
    secret: sealed.secret,
    body: { secretId, name, version: 1, commitment: sealed.commitment, envelopes: sealed.envelopes },
  };
}

/**
 * What a member's client does to read a version: fetch its envelope, fetch
 * the sender's key and check its fingerprint, open, check the commitment.
 */
export async function openAs(
  server: Reachable,
  reader: Member,
  secretId: string,
  version?: number,
): Promise<{ secret: Uint8Array; commitment: string; version: number }> {
  const path = version === undefined ? `/api/secrets/${secretId}` : `/api/secrets/${secretId}/versions/${version}`;
  const answer = bodyOf<ServerApi.SecretVersionResponse>(
    await server.http().get(path).set(bearer(reader.sessionToken)).expect(200),
  );
  const senderKey = bodyOf<ServerApi.UserPublicKeyResponse>(
    await server
      .http()
      .get(`/api/users/${answer.envelope.senderId}/public-key`)
      .set(bearer(reader.sessionToken))
      .expect(200),
  );
  const senderPublicKey = fromBase64Url(senderKey.publicKey);
  if ((await fingerprint(senderPublicKey)) !== senderKey.fingerprint) throw new Error('fingerprint mismatch');
  const secret = await openEnvelope({
    secretId,
    version: answer.version,
    recipientId: reader.userId,
    envelope: { enc: fromBase64Url(answer.envelope.enc), ciphertext: fromBase64Url(answer.envelope.ciphertext) },
    commitment: answer.commitment,
    recipient: reader.keyPair,
    senderPublicKey,
  });
  return { secret, commitment: answer.commitment, version: answer.version };
}
