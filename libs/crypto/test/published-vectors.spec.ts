import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { argon2id as referenceArgon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import {
  argon2id,
  CommitmentMismatchError,
  DecryptionError,
  deriveDataKey,
  envelopeAdditionalData,
  generateKeyPair,
  generateSharedSecret,
  holdPrivateKey,
  InvalidInputError,
  InvalidPublicKeyError,
  openEnvelope,
  pkcs8Of,
  sealEnvelope,
  SHARED_SECRET_INFO,
  sharedSecretCommitment,
  deriveLoginSecret,
  fingerprint,
  fromBase64Url,
  fromHex,
  KEY_ALGORITHM,
  KEY_CHANGE_RECEIPT_INFO,
  keyChangeReceiptKey,
  keyChangeReceiptMessage,
  signKeyChangeReceipt,
  verifyKeyChangeReceipt,
  LOGIN_SECRET_KDF,
  openSessionChallenge,
  passwordBytes,
  publicKeyOf,
  sessionChallengeSuite,
  toBase64Url,
  toHex,
  unwrapPrivateKey,
  utf8,
  type KdfParams,
} from '../src/index.js';

/**
 * PROTOCOL.md's published vectors (written by scripts/generate-vectors.mjs,
 * which does not use this library), checked byte for byte against what this
 * library computes through its public functions.
 */
interface Wire {
  hex: string;
  base64url: string;
}
interface Vectors {
  emailNormalisation: { note: string; input: string; normalised: string; normalisedUtf8: string; loginSalt: string }[];
  loginSecret: {
    email: string;
    normalisedEmail: string;
    saltInput: string;
    salt: string;
    password: string;
    passwordUtf8: string;
    kdf: KdfParams;
    secret: Wire;
  };
  keyEncryptionKey: { password: string; passwordUtf8: string; salt: Wire; kdf: KdfParams; keyEncryptionKey: string };
  wrappedPrivateKey: {
    privateKey: string;
    privateKeyPkcs8: string;
    privateKeyPkcs8V2: string;
    publicKey: Wire;
    fingerprint: string;
    userId: string;
    password: string;
    salt: Wire;
    kdf: KdfParams;
    keyEncryptionKey: string;
    iv: Wire;
    additionalData: string;
    additionalDataUtf8: string;
    encryptedPrivateKey: Wire;
    putPublicKeyRequest: { algorithm: string; publicKey: string };
    putPrivateKeyRequest: {
      encryptedPrivateKey: string;
      iv: string;
      salt: string;
      kdf: KdfParams;
      publicKeyFingerprint: string;
    };
    unwrapErrors: {
      case: string;
      password?: string;
      userId?: string;
      publicKeyFingerprint?: string;
      error: 'decryption_failed' | 'key_mismatch';
    }[];
  };
  sessionChallenge: {
    suite: { mode: number; kemId: number; kdfId: number; aeadId: number };
    info: string;
    infoUtf8: string;
    recipient: { privateKey: string; privateKeyPkcs8: string; publicKey: Wire; fingerprint: string };
    challengeId: string;
    additionalDataUtf8: string;
    token: Wire;
    ikmE: string;
    ephemeralPrivateKey: string;
    enc: Wire;
    ciphertext: Wire;
    response: { challengeId: string; enc: string; ciphertext: string };
    answer: { challengeId: string; token: string };
  };
  keyChangeReceipt: {
    keyserverApiKey: string;
    info: string;
    receiptKey: string;
    receipts: { userId: string; keyChangeId: string; baseVersion: number; message: string; receipt: Wire }[];
  };
  sharedSecret: {
    suite: { mode: number; kemId: number; kdfId: number; aeadId: number };
    info: string;
    sender: { privateKey: string; publicKey: Wire; fingerprint: string };
    recipient: { privateKey: string; publicKey: Wire; fingerprint: string };
    secretId: string;
    version: number;
    recipientId: string;
    secret: Wire;
    commitmentInfo: string;
    commitment: Wire;
    additionalData: string;
    ikmE: string;
    ephemeralPrivateKey: string;
    enc: Wire;
    ciphertext: Wire;
    dataKey: { context: string; info: string; key: string; iv: string; plaintext: string; ciphertext: string };
  };
  base64url: { valid: { text: string; hex: string }[]; invalid: { text: string; why: string }[] };
}

const FILE = fileURLToPath(new URL('./vectors/keyexchange-v1.json', import.meta.url));
const V = JSON.parse(readFileSync(FILE, 'utf8')) as Vectors;
const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const buffer = (bytes: Uint8Array) => bytes.slice().buffer;
/** Flips one bit of one byte. */
const flip = (bytes: Uint8Array, index: number) => {
  const copy = Uint8Array.from(bytes);
  copy[index] ^= 0x01;
  return copy;
};

/** Each wire value's base64url is the canonical spelling of its hex, both ways. */
function expectWire(value: Wire): Uint8Array {
  expect(toBase64Url(fromHex(value.hex))).toBe(value.base64url);
  expect(toHex(fromBase64Url(value.base64url))).toBe(value.hex);
  return fromHex(value.hex);
}

it('the published file is exactly what scripts/generate-vectors.mjs writes', async () => {
  const script = fileURLToPath(new URL('../../../scripts/generate-vectors.mjs', import.meta.url));
  await expect(promisify(execFile)(process.execPath, [script, '--check'])).resolves.toBeDefined();
}, 30_000);

describe('login secret', () => {
  it.each(V.emailNormalisation)(
    'normalises the email for its salt: $note',
    async ({ input, normalised, normalisedUtf8, loginSalt }) => {
      expect(toHex(utf8(normalised))).toBe(normalisedUtf8);
      expect(toHex(sha256(utf8(`keyexchange/v1/login/${normalised}`)).subarray(0, 16))).toBe(loginSalt);
      const expected = await referenceArgon2id({
        password: 'p',
        salt: fromHex(loginSalt),
        memorySize: LOGIN_SECRET_KDF.memoryKiB,
        iterations: LOGIN_SECRET_KDF.iterations,
        parallelism: LOGIN_SECRET_KDF.parallelism,
        hashLength: 32,
        outputType: 'binary',
      });
      expect(await deriveLoginSecret(input, 'p')).toBe(toBase64Url(expected));
    },
  );

  it('derives the published secret from an untrimmed mixed-case email and a non-NFC password, at the defaults', async () => {
    const v = V.loginSecret;
    expect(v.saltInput).toBe(`keyexchange/v1/login/${v.normalisedEmail}`);
    expect(toHex(sha256(utf8(v.saltInput)).subarray(0, 16))).toBe(v.salt);
    expect(toHex(passwordBytes(v.password))).toBe(v.passwordUtf8);
    expect(v.kdf).toEqual({ algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    const secret = expectWire(v.secret);
    expect(secret).toHaveLength(32);
    expect(v.secret.base64url).toHaveLength(43);
    expect(await deriveLoginSecret(v.email, v.password)).toBe(v.secret.base64url);
  });
});

describe('private key at rest', () => {
  const v = V.wrappedPrivateKey;

  it('derives the published key-encryption key from an NFC-normalised password', async () => {
    const k = V.keyEncryptionKey;
    expect(toHex(passwordBytes(k.password))).toBe(k.passwordUtf8);
    const kek = await argon2id({ password: k.password, salt: expectWire(k.salt), params: k.kdf });
    expect(toHex(kek)).toBe(k.keyEncryptionKey);
  });

  it('unwraps the published blob, sent as base64url, to the 48-byte PKCS#8 form', async () => {
    const body = v.putPrivateKeyRequest;
    const { privateKeyPkcs8 } = await unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(body.encryptedPrivateKey),
      iv: fromBase64Url(body.iv),
      salt: fromBase64Url(body.salt),
      kdf: body.kdf,
      password: v.password,
      userId: v.userId,
    });
    expect(toHex(privateKeyPkcs8)).toBe(v.privateKeyPkcs8);
    expect(v.privateKeyPkcs8).toBe(`302e020100300506032b656e04220420${v.privateKey}`);
    expect(privateKeyPkcs8).toHaveLength(48);
  });

  it('is AES-256-GCM of the PKCS#8 under the key-encryption key, iv and UTF-8 additional data, tag appended', async () => {
    const aad = utf8(`keyexchange/v1/private-key/${v.userId}`);
    expect(toHex(aad)).toBe(v.additionalDataUtf8);
    const iv = expectWire(v.iv);
    expect(iv).toHaveLength(12);
    const kek = await argon2id({ password: v.password, salt: expectWire(v.salt), params: v.kdf });
    expect(toHex(kek)).toBe(v.keyEncryptionKey);
    const key = await crypto.subtle.importKey('raw', buffer(kek), { name: 'AES-GCM' }, false, ['encrypt']);
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: buffer(iv), additionalData: buffer(aad) },
      key,
      buffer(fromHex(v.privateKeyPkcs8)),
    );
    expect(toHex(new Uint8Array(ciphertext))).toBe(v.encryptedPrivateKey.hex);
    expect(expectWire(v.encryptedPrivateKey)).toHaveLength(64);
    expect(v.putPrivateKeyRequest).toEqual({
      encryptedPrivateKey: v.encryptedPrivateKey.base64url,
      iv: v.iv.base64url,
      salt: v.salt.base64url,
      kdf: v.kdf,
      publicKeyFingerprint: v.fingerprint,
    });
  });

  it('gives the published public key and fingerprint, as PUT /api/user/public-key and the blob carry them', async () => {
    const publicKey = await publicKeyOf(fromHex(v.privateKeyPkcs8));
    expect(toHex(publicKey)).toBe(v.publicKey.hex);
    expectWire(v.publicKey);
    expect(await fingerprint(publicKey)).toBe(v.fingerprint);
    expect(v.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(v.putPublicKeyRequest).toEqual({ algorithm: KEY_ALGORITHM, publicKey: v.publicKey.base64url });
  });

  it.each(v.unwrapErrors)('tells $case apart: $error', async (change) => {
    const body = {
      ...v.putPrivateKeyRequest,
      ...(change.publicKeyFingerprint && { publicKeyFingerprint: change.publicKeyFingerprint }),
    };
    const attempt = unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(body.encryptedPrivateKey),
      iv: fromBase64Url(body.iv),
      salt: fromBase64Url(body.salt),
      kdf: body.kdf,
      password: change.password ?? v.password,
      userId: change.userId ?? v.userId,
    });
    if (change.error === 'decryption_failed') {
      await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
      return;
    }
    // The key decrypts: only the fingerprint the blob is stored under shows it is another key.
    const { privateKeyPkcs8 } = await attempt;
    expect(await fingerprint(await publicKeyOf(privateKeyPkcs8))).not.toBe(body.publicKeyFingerprint);
  });

  // Node's WebCrypto (OpenSSL 3.0) refuses the v2 form; libs/crypto reads it itself.
  it('reads the RFC 5958 v2 PKCS#8 form (with the public key) as the same key', async () => {
    expect(toHex(await publicKeyOf(fromHex(v.privateKeyPkcs8V2)))).toBe(v.publicKey.hex);
  });
});

describe('session challenge', () => {
  const v = V.sessionChallenge;

  it('uses the published suite, info and additional data', () => {
    expect(v.suite).toEqual({
      mode: 0,
      kemId: sessionChallengeSuite.kem.id,
      kdfId: sessionChallengeSuite.kdf.id,
      aeadId: sessionChallengeSuite.aead.id,
    });
    expect(v.suite).toEqual({ mode: 0, kemId: 0x0020, kdfId: 0x0001, aeadId: 0x0002 });
    expect(toHex(utf8(v.info))).toBe(v.infoUtf8);
    expect(toHex(utf8(v.challengeId))).toBe(v.additionalDataUtf8);
  });

  it('opens the published challenge, sent as two base64url fields, to the published token', async () => {
    const publicKey = expectWire(v.recipient.publicKey);
    expect(await publicKeyOf(fromHex(v.recipient.privateKeyPkcs8))).toEqual(publicKey);
    expect(await fingerprint(publicKey)).toBe(v.recipient.fingerprint);
    const token = await openSessionChallenge({
      privateKey: fromHex(v.recipient.privateKeyPkcs8),
      challengeId: v.response.challengeId,
      enc: fromBase64Url(v.response.enc),
      ciphertext: fromBase64Url(v.response.ciphertext),
    });
    expect(toHex(token)).toBe(v.token.hex);
    expect(v.answer).toEqual({ challengeId: v.challengeId, token: toBase64Url(token) });
  });

  it('seals to the published enc and ciphertext with the fixed ephemeral key (ikmE)', async () => {
    const ephemeral = await sessionChallengeSuite.kem.deriveKeyPair(buffer(fromHex(v.ikmE)));
    expect(toHex(new Uint8Array(await sessionChallengeSuite.kem.serializePrivateKey(ephemeral.privateKey)))).toBe(
      v.ephemeralPrivateKey,
    );
    const recipientPublicKey = await sessionChallengeSuite.kem.deserializePublicKey(
      buffer(fromHex(v.recipient.publicKey.hex)),
    );
    const { enc, ct } = await sessionChallengeSuite.seal(
      { recipientPublicKey, info: buffer(utf8(v.info)), ekm: buffer(fromHex(v.ikmE)) },
      buffer(fromHex(v.token.hex)),
      buffer(utf8(v.challengeId)),
    );
    expect(toHex(new Uint8Array(enc))).toBe(v.enc.hex);
    expect(toHex(new Uint8Array(ct))).toBe(v.ciphertext.hex);
    expect(expectWire(v.enc)).toHaveLength(32);
    expect(expectWire(v.ciphertext)).toHaveLength(48);
    expect(v.response).toEqual({
      challengeId: v.challengeId,
      enc: v.enc.base64url,
      ciphertext: v.ciphertext.base64url,
    });
  });
});

describe('shared-secret envelopes', () => {
  const v = V.sharedSecret;
  const address = { secretId: v.secretId, version: v.version, recipientId: v.recipientId };
  const keyPair = async (privateKey: string) => (await holdPrivateKey(pkcs8Of(fromHex(privateKey)))).keyPair;
  const envelope = () => ({ enc: fromHex(v.enc.hex), ciphertext: fromHex(v.ciphertext.hex) });

  it('commits to the published secret with the published commitment, and binds the envelope to its address', async () => {
    expect(await sharedSecretCommitment(expectWire(v.secret), v.secretId, v.version)).toBe(v.commitment.base64url);
    expect(new TextDecoder().decode(envelopeAdditionalData({ ...address, commitment: v.commitment.base64url }))).toBe(
      v.additionalData,
    );
    expect(v.info).toBe(SHARED_SECRET_INFO);
    expect(v.suite).toEqual({ mode: 2, kemId: 0x20, kdfId: 0x1, aeadId: 0x2 });
  });

  it("opens the published envelope with the recipient's key and the sender's public key", async () => {
    const secret = await openEnvelope({
      ...address,
      envelope: envelope(),
      commitment: v.commitment.base64url,
      recipient: await keyPair(v.recipient.privateKey),
      senderPublicKey: expectWire(v.sender.publicKey),
    });
    expect(toHex(secret)).toBe(v.secret.hex);
  });

  it('seals to the published enc and ciphertext with the fixed ephemeral key (ikmE), in auth mode', async () => {
    const { enc, ct } = await sessionChallengeSuite.seal(
      {
        recipientPublicKey: await sessionChallengeSuite.kem.deserializePublicKey(
          buffer(fromHex(v.recipient.publicKey.hex)),
        ),
        senderKey: await keyPair(v.sender.privateKey),
        info: buffer(utf8(v.info)),
        ekm: buffer(fromHex(v.ikmE)),
      },
      buffer(fromHex(v.secret.hex)),
      buffer(utf8(v.additionalData)),
    );
    expect(toHex(new Uint8Array(enc))).toBe(v.enc.hex);
    expect(toHex(new Uint8Array(ct))).toBe(v.ciphertext.hex);
  });

  it('derives the published data key: it decrypts the published ciphertext', async () => {
    const key = await deriveDataKey(fromHex(v.secret.hex), v.dataKey.context);
    expect(key.extractable).toBe(false);
    const plaintext = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: buffer(fromHex(v.dataKey.iv)) },
      key,
      buffer(fromHex(v.dataKey.ciphertext)),
    );
    expect(new TextDecoder().decode(plaintext)).toBe(v.dataKey.plaintext);
  });

  it.each([
    [
      'a tampered ciphertext',
      { envelope: { enc: fromHex(v.enc.hex), ciphertext: flip(fromHex(v.ciphertext.hex), 5) } },
    ],
    ['a tampered enc', { envelope: { enc: flip(fromHex(v.enc.hex), 3), ciphertext: fromHex(v.ciphertext.hex) } }],
    ['another member (replayed to them)', { recipientId: '9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8c' }],
    ['another version (replayed)', { version: v.version + 1 }],
    ['another secret (replayed)', { secretId: '0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1f' }],
    ['a swapped commitment', { commitment: toBase64Url(new Uint8Array(32)) }],
  ])('refuses %s: it does not open', async (_case, change) => {
    const attempt = openEnvelope({
      ...address,
      envelope: envelope(),
      commitment: v.commitment.base64url,
      recipient: await keyPair(v.recipient.privateKey),
      senderPublicKey: fromHex(v.sender.publicKey.hex),
      ...change,
    });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses an envelope from another sender than the one named (the server cannot seal its own)', async () => {
    const mallory = await generateKeyPair();
    const attempt = openEnvelope({
      ...address,
      envelope: envelope(),
      commitment: v.commitment.base64url,
      recipient: await keyPair(v.recipient.privateKey),
      senderPublicKey: mallory.publicKey,
    });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses a secret that opens but is not the one committed to (a sender that lied)', async () => {
    const other = generateSharedSecret();
    const lie = v.commitment.base64url;
    const { enc, ct } = await sessionChallengeSuite.seal(
      {
        recipientPublicKey: await sessionChallengeSuite.kem.deserializePublicKey(
          buffer(fromHex(v.recipient.publicKey.hex)),
        ),
        senderKey: await keyPair(v.sender.privateKey),
        info: buffer(utf8(v.info)),
      },
      buffer(other),
      buffer(envelopeAdditionalData({ ...address, commitment: lie })),
    );
    const attempt = openEnvelope({
      ...address,
      envelope: { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) },
      commitment: lie,
      recipient: await keyPair(v.recipient.privateKey),
      senderPublicKey: fromHex(v.sender.publicKey.hex),
    });
    await expect(attempt).rejects.toBeInstanceOf(CommitmentMismatchError);
  });

  it('round-trips a fresh secret between fresh key pairs, and refuses bad input before any work', async () => {
    const [sender, recipient] = [await generateKeyPair(), await generateKeyPair()];
    const secret = generateSharedSecret();
    const sealed = await sealEnvelope({
      ...address,
      version: 1,
      secret,
      recipientPublicKey: recipient.publicKey,
      sender: (await holdPrivateKey(sender.privateKeyPkcs8)).keyPair,
    });
    const opened = await openEnvelope({
      ...address,
      version: 1,
      envelope: sealed,
      commitment: sealed.commitment,
      recipient: (await holdPrivateKey(recipient.privateKeyPkcs8)).keyPair,
      senderPublicKey: sender.publicKey,
    });
    expect(opened).toEqual(secret);
    expect(sealed.commitment).toBe(await sharedSecretCommitment(secret, v.secretId, 1));
    await expect(sharedSecretCommitment(secret.subarray(1), v.secretId, 1)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(sharedSecretCommitment(secret, 'not-a-uuid', 1)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(sharedSecretCommitment(secret, v.secretId, 0)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(deriveDataKey(secret, '')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      sealEnvelope({
        ...address,
        secret,
        recipientPublicKey: new Uint8Array(32),
        sender: (await holdPrivateKey(sender.privateKeyPkcs8)).keyPair,
      }),
    ).rejects.toBeInstanceOf(InvalidPublicKeyError);
  });
});

describe('key-change receipts', () => {
  const v = V.keyChangeReceipt;

  it.each(v.receipts)(
    'signs and verifies the published receipt for base version $baseVersion',
    async ({ userId, keyChangeId, baseVersion, message, receipt }) => {
      expect(v.info).toBe(KEY_CHANGE_RECEIPT_INFO);
      const key = await keyChangeReceiptKey(v.keyserverApiKey);
      expect(toHex(keyChangeReceiptMessage({ userId, keyChangeId, baseVersion }))).toBe(message);
      expect(await signKeyChangeReceipt(key, { userId, keyChangeId, baseVersion })).toBe(receipt.base64url);
      expect(await verifyKeyChangeReceipt(key, { userId, keyChangeId, baseVersion }, fromHex(receipt.hex))).toBe(true);
    },
  );

  it('refuses a receipt for another user, change or version, or under another API key', async () => {
    const key = await keyChangeReceiptKey(v.keyserverApiKey);
    const [{ userId, keyChangeId, baseVersion, receipt }, other] = v.receipts;
    const tag = fromHex(receipt.hex);
    expect(await verifyKeyChangeReceipt(key, { userId: other.keyChangeId, keyChangeId, baseVersion }, tag)).toBe(false);
    expect(await verifyKeyChangeReceipt(key, { userId, keyChangeId: other.keyChangeId, baseVersion }, tag)).toBe(false);
    expect(await verifyKeyChangeReceipt(key, { userId, keyChangeId, baseVersion: baseVersion + 1 }, tag)).toBe(false);
    expect(
      await verifyKeyChangeReceipt(
        await keyChangeReceiptKey(`${v.keyserverApiKey}x`),
        { userId, keyChangeId, baseVersion },
        tag,
      ),
    ).toBe(false);
    expect(() => keyChangeReceiptMessage({ userId, keyChangeId, baseVersion: 0 })).toThrow();
  });
});

describe('base64url', () => {
  it.each(V.base64url.valid)('decodes "$text" canonically', ({ text, hex }) => {
    expect(toHex(fromBase64Url(text))).toBe(hex);
    expect(toBase64Url(fromHex(hex))).toBe(text);
  });

  it.each(V.base64url.invalid)('refuses "$text": $why', ({ text }) => {
    expect(() => fromBase64Url(text)).toThrow();
  });
});
