import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { HpkeBaseSealer, sealSessionChallenge, x25519PrivateKey } from '../src/node/index.js';
import {
  fromHex,
  generateKeyPair,
  generateSessionChallengeToken,
  InvalidInputError,
  InvalidPublicKeyError,
  openSessionChallenge,
  toHex,
} from '../src/index.js';

/** RFC 9180 Appendix A.1 (base mode, AES-128-GCM): the first encryption, sequence 0. */
const A1 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
  pkEm: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  aad: '436f756e742d30',
  ct: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
};

describe('the Node-only HPKE sealer (@app/crypto/node)', () => {
  it('seals RFC 9180 A.1 to the published enc and ciphertext', async () => {
    // The RFC gives the ephemeral key's seed (ikmE): DeriveKeyPair is @hpke/core's, the sealing ours.
    const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
    const ephemeral = await suite.kem.deriveKeyPair(fromHex(A1.ikmE).slice().buffer);
    const skEm = new Uint8Array(await suite.kem.serializePrivateKey(ephemeral.privateKey));

    const sealer = new HpkeBaseSealer(1, fromHex(A1.info));
    const sealed = sealer.seal(fromHex(A1.pkRm), fromHex(A1.pt), fromHex(A1.aad), {
      privateKey: x25519PrivateKey(skEm),
      publicKey: fromHex(A1.pkEm),
    });
    expect(toHex(sealed.enc)).toBe(A1.pkEm);
    expect(toHex(sealed.ciphertext)).toBe(A1.ct);
  });

  it('seals session challenges that the isomorphic library opens (AES-256-GCM, the challenge id as aad)', async () => {
    const keys = await generateKeyPair();
    const token = generateSessionChallengeToken();
    const challengeId = '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21';
    const sealed = sealSessionChallenge({ publicKey: keys.publicKey, challengeId, token });
    expect(sealed.enc).toHaveLength(32);
    expect(await openSessionChallenge({ privateKey: keys.privateKey, challengeId, ...sealed })).toEqual(token);
    // Bound to its challenge id.
    await expect(
      openSessionChallenge({ privateKey: keys.privateKey, challengeId: challengeId.replace('8', '9'), ...sealed }),
    ).rejects.toThrow(/does not open/);
    // A fresh ephemeral key every time.
    const again = sealSessionChallenge({ publicKey: keys.publicKey, challengeId, token });
    expect(toHex(again.enc)).not.toBe(toHex(sealed.enc));
  });

  it('refuses what the isomorphic sealer refuses', async () => {
    const { publicKey } = await generateKeyPair();
    const challengeId = '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21';
    expect(() =>
      sealSessionChallenge({ publicKey: new Uint8Array(32), challengeId, token: generateSessionChallengeToken() }),
    ).toThrow(InvalidPublicKeyError);
    expect(() => sealSessionChallenge({ publicKey, challengeId, token: new Uint8Array(31) })).toThrow(
      InvalidInputError,
    );
  });
});
