import { createHash } from 'node:crypto';
import { argon2id as referenceArgon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  DecryptionError,
  DEFAULT_KDF_BUDGET,
  DEFAULT_KDF_PARAMS,
  importPrivateKey,
  KdfBudgetExceededError,
  KeyMismatchError,
  deriveLoginSecret,
  fingerprint,
  fromBase64Url,
  generateKeyPair,
  generateSessionChallengeToken,
  holdPrivateKey,
  InvalidInputError,
  strongerKdf,
  InvalidPublicKeyError,
  isValidX25519PublicKey,
  KDF_LIMITS,
  openSessionChallenge,
  publicKeyOf,
  sealSessionChallenge,
  sessionChallengeSuite,
  toBase64Url,
  unwrapHeldKey,
  unwrapPrivateKey,
  wrapPrivateKey,
  type KdfParams,
} from '../src/index.js';

const FAST: KdfParams = { algorithm: 'argon2id', memoryKiB: KDF_LIMITS.memoryKiB.min, iterations: 2, parallelism: 1 };
const USER = '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a';

/** Flips one bit of one byte. */
const flip = (bytes: Uint8Array, index = 0) => {
  const copy = Uint8Array.from(bytes);
  copy[index] ^= 0x01;
  return copy;
};

describe('wrapPrivateKey / unwrapPrivateKey', () => {
  const wrapped = async (kdf = FAST) => {
    const keys = await generateKeyPair();
    return {
      keys,
      blob: await wrapPrivateKey({
        privateKeyPkcs8: keys.privateKeyPkcs8,
        password: 'hunter2 hunter2',
        userId: USER,
        kdf,
      }),
    };
  };

  it('round-trips the PKCS#8 private key under the password, with default parameters', async () => {
    const { keys, blob } = await wrapped(DEFAULT_KDF_PARAMS);
    expect(blob.kdf).toEqual({ algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(blob.iv).toHaveLength(12);
    expect(blob.salt).toHaveLength(16);
    expect(blob.encryptedPrivateKey).toHaveLength(keys.privateKeyPkcs8.length + 16);
    const unwrapped = await unwrapPrivateKey({ ...blob, password: 'hunter2 hunter2', userId: USER });
    expect(unwrapped.privateKeyPkcs8).toEqual(keys.privateKeyPkcs8);
    expect(unwrapped.privateKey.algorithm.name).toBe('X25519');
  });

  it('draws a fresh salt and iv each time', async () => {
    const a = await wrapped();
    const b = await wrapped();
    expect(a.blob.salt).not.toEqual(b.blob.salt);
    expect(a.blob.iv).not.toEqual(b.blob.iv);
  });

  it('normalises the password to NFC', async () => {
    const keys = await generateKeyPair();
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    const blob = await wrapPrivateKey({
      privateKeyPkcs8: keys.privateKeyPkcs8,
      password: composed,
      userId: USER,
      kdf: FAST,
    });
    const unwrapped = await unwrapPrivateKey({ ...blob, password: decomposed, userId: USER });
    expect(unwrapped.privateKeyPkcs8).toEqual(keys.privateKeyPkcs8);
  });

  it('fails with DecryptionError for a wrong password', async () => {
    const { blob } = await wrapped();
    await expect(unwrapPrivateKey({ ...blob, password: 'hunter3 hunter3', userId: USER })).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });

  it.each([
    [
      'the ciphertext',
      (b: Awaited<ReturnType<typeof wrapped>>['blob']) => ({
        ...b,
        encryptedPrivateKey: flip(b.encryptedPrivateKey, 5),
      }),
    ],
    [
      'the tag',
      (b: Awaited<ReturnType<typeof wrapped>>['blob']) => ({
        ...b,
        encryptedPrivateKey: flip(b.encryptedPrivateKey, b.encryptedPrivateKey.length - 1),
      }),
    ],
    ['the iv', (b: Awaited<ReturnType<typeof wrapped>>['blob']) => ({ ...b, iv: flip(b.iv, 11) })],
    ['the salt', (b: Awaited<ReturnType<typeof wrapped>>['blob']) => ({ ...b, salt: flip(b.salt, 3) })],
    [
      'the KDF parameters',
      (b: Awaited<ReturnType<typeof wrapped>>['blob']) => ({ ...b, kdf: { ...b.kdf, iterations: 3 } }),
    ],
  ])('fails with DecryptionError when %s is altered', async (_field, tamper) => {
    const { blob } = await wrapped();
    const attempt = unwrapPrivateKey({ ...tamper(blob), password: 'hunter2 hunter2', userId: USER });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
    await expect(attempt).rejects.toMatchObject({ code: 'decryption_failed' });
  });

  it('fails with DecryptionError for another user’s id (the additional data)', async () => {
    const { blob } = await wrapped();
    const attempt = unwrapPrivateKey({
      ...blob,
      password: 'hunter2 hunter2',
      userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7b',
    });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
  });

  it.each([
    ['memoryKiB below the floor', { ...FAST, memoryKiB: 19455 }],
    ['memoryKiB above 1 GiB', { ...FAST, memoryKiB: 1024 * 1024 + 1 }],
    ['one iteration', { ...FAST, iterations: 1 }],
    ['11 iterations', { ...FAST, iterations: 11 }],
    ['no parallelism', { ...FAST, parallelism: 0 }],
    ['5 lanes', { ...FAST, parallelism: 5 }],
    ['a fractional value', { ...FAST, memoryKiB: 20000.5 }],
    ['another algorithm', { ...FAST, algorithm: 'argon2i' as 'argon2id' }],
  ])('refuses KDF parameters with %s (InvalidInputError)', async (_case, kdf) => {
    const keys = await generateKeyPair();
    const attempt = wrapPrivateKey({ privateKeyPkcs8: keys.privateKeyPkcs8, password: 'x', userId: USER, kdf });
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
  });

  it.each([
    ['an iv of 11 bytes', { iv: new Uint8Array(11) }],
    ['a salt of 15 bytes', { salt: new Uint8Array(15) }],
    ['a salt of 65 bytes', { salt: new Uint8Array(65) }],
    ['a ciphertext of 16 bytes', { encryptedPrivateKey: new Uint8Array(16) }],
  ])('refuses a blob with %s (InvalidInputError)', async (_case, change) => {
    const { blob } = await wrapped();
    await expect(
      unwrapPrivateKey({ ...blob, ...change, password: 'hunter2 hunter2', userId: USER }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('unwrapPrivateKey: the key’s public key and the client’s budget', () => {
  const wrapped = async () => {
    const keys = await generateKeyPair();
    return {
      keys,
      blob: await wrapPrivateKey({
        privateKeyPkcs8: keys.privateKeyPkcs8,
        password: 'pw pw pw pw',
        userId: USER,
        kdf: FAST,
      }),
    };
  };

  it('returns the public key and fingerprint, and accepts the fingerprint it is stored under', async () => {
    const { keys, blob } = await wrapped();
    const expected = await fingerprint(keys.publicKey);
    const unwrapped = await unwrapPrivateKey({
      ...blob,
      password: 'pw pw pw pw',
      userId: USER,
      publicKeyFingerprint: expected,
    });
    expect(unwrapped.publicKey).toEqual(keys.publicKey);
    expect(unwrapped.fingerprint).toBe(expected);
  });

  it('says a key of another public key is a mismatch, not a wrong password', async () => {
    const { blob } = await wrapped();
    const other = await fingerprint((await generateKeyPair()).publicKey);
    const attempt = unwrapPrivateKey({ ...blob, password: 'pw pw pw pw', userId: USER, publicKeyFingerprint: other });
    await expect(attempt).rejects.toBeInstanceOf(KeyMismatchError);
    await expect(attempt).rejects.toThrow('The stored private key does not belong to your public key');
    await expect(attempt).rejects.not.toBeInstanceOf(DecryptionError);
  });

  it('refuses, before any work, parameters over the client’s budget', async () => {
    const { blob } = await wrapped();
    const costly = { ...blob, kdf: { ...blob.kdf, memoryKiB: KDF_LIMITS.memoryKiB.max } };
    const budget = { memoryKiB: 65536, iterations: 10, parallelism: 4 };
    const started = performance.now();
    const attempt = unwrapPrivateKey({ ...costly, password: 'pw pw pw pw', userId: USER, budget });
    await expect(attempt).rejects.toBeInstanceOf(KdfBudgetExceededError);
    await expect(attempt).rejects.toThrow(/1048576 KiB.*exceed what this client will compute \(65536 KiB/);
    // 1 GiB of Argon2id would take seconds; the refusal takes none of it.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts parameters at the budget, and by default the protocol’s bounds are the budget', async () => {
    const { keys, blob } = await wrapped();
    const unwrapped = await unwrapPrivateKey({ ...blob, password: 'pw pw pw pw', userId: USER, budget: { ...FAST } });
    expect(unwrapped.publicKey).toEqual(keys.publicKey);
    expect(DEFAULT_KDF_BUDGET).toEqual({ memoryKiB: 1048576, iterations: 10, parallelism: 4 });
  });
});

describe('strongerKdf: what a blob should be re-wrapped to', () => {
  const recommended = { memoryKiB: 65536, iterations: 3, parallelism: 1 };

  it('is undefined when no parameter falls short of the recommendation', () => {
    expect(strongerKdf(DEFAULT_KDF_PARAMS, recommended)).toBeUndefined();
    expect(strongerKdf({ ...DEFAULT_KDF_PARAMS, memoryKiB: 131072 }, recommended)).toBeUndefined();
  });

  it('raises what falls short and never lowers the rest', () => {
    expect(
      strongerKdf({ algorithm: 'argon2id', memoryKiB: 19456, iterations: 5, parallelism: 2 }, recommended),
    ).toEqual({
      algorithm: 'argon2id',
      memoryKiB: 65536,
      iterations: 5,
      parallelism: 2,
    });
  });
});

describe('holdPrivateKey / unwrapHeldKey: a key that is used and never read back', () => {
  const CHALLENGE = '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21';
  const subtle = globalThis.crypto.subtle;

  it('imports the private key non-extractable, with its public key derived and its fingerprint', async () => {
    const keys = await generateKeyPair();
    const held = await holdPrivateKey(Uint8Array.from(keys.privateKeyPkcs8));
    expect(held.keyPair.privateKey.extractable).toBe(false);
    await expect(subtle.exportKey('pkcs8', held.keyPair.privateKey)).rejects.toThrow();
    await expect(subtle.exportKey('jwk', held.keyPair.privateKey)).rejects.toThrow();
    expect(held.publicKey).toEqual(keys.publicKey);
    expect(new Uint8Array(await subtle.exportKey('raw', held.keyPair.publicKey))).toEqual(keys.publicKey);
    expect(held.fingerprint).toBe(await fingerprint(keys.publicKey));
    expect(await publicKeyOf(held.keyPair.privateKey)).toEqual(keys.publicKey);
  });

  it('opens a session challenge sealed to it', async () => {
    const keys = await generateKeyPair();
    const held = await holdPrivateKey(keys.privateKeyPkcs8);
    const token = generateSessionChallengeToken();
    const { enc, ciphertext } = await sealSessionChallenge({
      publicKey: keys.publicKey,
      challengeId: CHALLENGE,
      token,
    });
    expect(await openSessionChallenge({ privateKey: held.keyPair, challengeId: CHALLENGE, enc, ciphertext })).toEqual(
      token,
    );
  });

  it('refuses what is not an X25519 private key', async () => {
    await expect(holdPrivateKey(new Uint8Array(48))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('unwraps a blob into a held key, checking the fingerprint, wrong passwords as DecryptionError', async () => {
    const keys = await generateKeyPair();
    const blob = await wrapPrivateKey({
      privateKeyPkcs8: keys.privateKeyPkcs8,
      password: 'pw pw pw pw',
      userId: USER,
      kdf: FAST,
    });
    const expected = await fingerprint(keys.publicKey);
    const held = await unwrapHeldKey({
      ...blob,
      password: 'pw pw pw pw',
      userId: USER,
      publicKeyFingerprint: expected,
    });
    expect(held.keyPair.privateKey.extractable).toBe(false);
    expect(held.publicKey).toEqual(keys.publicKey);
    expect(held.fingerprint).toBe(expected);
    await expect(unwrapHeldKey({ ...blob, password: 'wrong wrong', userId: USER })).rejects.toBeInstanceOf(
      DecryptionError,
    );
    const other = await fingerprint((await generateKeyPair()).publicKey);
    await expect(
      unwrapHeldKey({ ...blob, password: 'pw pw pw pw', userId: USER, publicKeyFingerprint: other }),
    ).rejects.toBeInstanceOf(KeyMismatchError);
  });
});

describe('importPrivateKey', () => {
  const v2Of = (keys: { privateKeyPkcs8: Uint8Array }, publicKey: Uint8Array) =>
    Uint8Array.from([
      0x30,
      0x51,
      0x02,
      0x01,
      0x01,
      ...keys.privateKeyPkcs8.subarray(5),
      0x81,
      0x21,
      0x00,
      ...publicKey,
    ]);

  it('reads the RFC 5958 v2 form with its public key, and with attributes', async () => {
    const keys = await generateKeyPair();
    expect(await publicKeyOf(await importPrivateKey(v2Of(keys, keys.publicKey)))).toEqual(keys.publicKey);
    // v1 with an empty attributes set [0].
    const withAttributes = Uint8Array.from([0x30, 0x30, ...keys.privateKeyPkcs8.subarray(2), 0xa0, 0x00]);
    expect(await publicKeyOf(await importPrivateKey(withAttributes))).toEqual(keys.publicKey);
  });

  it('refuses a v2 key whose public key is another key’s', async () => {
    const keys = await generateKeyPair();
    const other = await generateKeyPair();
    await expect(importPrivateKey(v2Of(keys, other.publicKey))).rejects.toThrow(/does not belong/);
  });

  it.each([
    ['a truncated key', (der: Uint8Array) => der.subarray(0, 47)],
    ['trailing bytes', (der: Uint8Array) => Uint8Array.from([0x30, 0x2f, ...der.subarray(2), 0x00])],
    ['zeros', () => new Uint8Array(48)],
    ['version 2', (der: Uint8Array) => Uint8Array.from([...der.subarray(0, 4), 0x02, ...der.subarray(5)])],
    [
      'another algorithm (Ed25519)',
      (der: Uint8Array) => Uint8Array.from([...der.subarray(0, 11), 0x70, ...der.subarray(12)]),
    ],
    [
      'a 31-byte key',
      (der: Uint8Array) => Uint8Array.from([0x30, 0x2d, ...der.subarray(2, 13), 0x21, 0x04, 0x1f, ...der.subarray(17)]),
    ],
    ['a non-minimal length', (der: Uint8Array) => Uint8Array.from([0x30, 0x81, 0x2e, ...der.subarray(2)])],
  ])('refuses %s', async (_case, change) => {
    const keys = await generateKeyPair();
    await expect(importPrivateKey(change(keys.privateKeyPkcs8))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('refuses a public key field in a version 0 key', async () => {
    const keys = await generateKeyPair();
    const v0WithPublicKey = Uint8Array.from([
      0x30,
      0x51,
      ...keys.privateKeyPkcs8.subarray(2),
      0x81,
      0x21,
      0x00,
      ...keys.publicKey,
    ]);
    await expect(importPrivateKey(v0WithPublicKey)).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('sealSessionChallenge / openSessionChallenge', () => {
  const CHALLENGE = '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21';
  const sealed = async () => {
    const keys = await generateKeyPair();
    const token = generateSessionChallengeToken();
    return {
      keys,
      token,
      ...(await sealSessionChallenge({ publicKey: keys.publicKey, challengeId: CHALLENGE, token })),
    };
  };

  it('round-trips a 32-byte token, opened with the CryptoKey or the PKCS#8 bytes', async () => {
    const { keys, token, enc, ciphertext } = await sealed();
    expect(enc).toHaveLength(32);
    expect(ciphertext).toHaveLength(48);
    expect(
      await openSessionChallenge({ privateKey: keys.privateKey, challengeId: CHALLENGE, enc, ciphertext }),
    ).toEqual(token);
    expect(
      await openSessionChallenge({ privateKey: keys.privateKeyPkcs8, challengeId: CHALLENGE, enc, ciphertext }),
    ).toEqual(token);
  });

  it.each([
    [
      'enc',
      (s: Awaited<ReturnType<typeof sealed>>) => ({
        enc: flip(s.enc, 7),
        ciphertext: s.ciphertext,
        challengeId: CHALLENGE,
      }),
    ],
    [
      'the ciphertext',
      (s: Awaited<ReturnType<typeof sealed>>) => ({
        enc: s.enc,
        ciphertext: flip(s.ciphertext, 0),
        challengeId: CHALLENGE,
      }),
    ],
    [
      'the tag',
      (s: Awaited<ReturnType<typeof sealed>>) => ({
        enc: s.enc,
        ciphertext: flip(s.ciphertext, 47),
        challengeId: CHALLENGE,
      }),
    ],
    [
      'the challengeId (additional data)',
      (s: Awaited<ReturnType<typeof sealed>>) => ({
        enc: s.enc,
        ciphertext: s.ciphertext,
        challengeId: `${CHALLENGE.slice(0, -1)}2`,
      }),
    ],
  ])('fails with DecryptionError when %s is altered', async (_field, tamper) => {
    const s = await sealed();
    await expect(openSessionChallenge({ privateKey: s.keys.privateKey, ...tamper(s) })).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });

  it('fails with DecryptionError for another private key', async () => {
    const s = await sealed();
    const other = await generateKeyPair();
    const attempt = openSessionChallenge({
      privateKey: other.privateKey,
      challengeId: CHALLENGE,
      enc: s.enc,
      ciphertext: s.ciphertext,
    });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses a sealed plaintext that is not 32 bytes', async () => {
    const keys = await generateKeyPair();
    const recipientPublicKey = await sessionChallengeSuite.kem.importKey('raw', keys.publicKey.slice().buffer, true);
    const { ct, enc } = await sessionChallengeSuite.seal(
      { recipientPublicKey, info: new TextEncoder().encode('keyexchange/v1/session-challenge') },
      new Uint8Array(31),
      new TextEncoder().encode(CHALLENGE),
    );
    const attempt = openSessionChallenge({
      privateKey: keys.privateKey,
      challengeId: CHALLENGE,
      enc: new Uint8Array(enc),
      ciphertext: new Uint8Array(ct),
    });
    await expect(attempt).rejects.toBeInstanceOf(DecryptionError);
  });

  it('refuses to seal to a low-order point or a token that is not 32 bytes', async () => {
    await expect(
      sealSessionChallenge({ publicKey: new Uint8Array(32), challengeId: CHALLENGE, token: new Uint8Array(32) }),
    ).rejects.toBeInstanceOf(InvalidPublicKeyError);
    const { publicKey } = await generateKeyPair();
    await expect(
      sealSessionChallenge({ publicKey, challengeId: CHALLENGE, token: new Uint8Array(16) }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('public keys', () => {
  const P = (1n << 255n) - 19n;
  const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  const order8 = [
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  ].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));
  const lowOrder = [le(0n), le(1n), le(P - 1n), ...order8, le(P), le(P + 1n)];
  const withHighBit = lowOrder.map((key) => {
    const copy = Uint8Array.from(key);
    copy[31] |= 0x80;
    return copy;
  });

  it.each([...lowOrder, ...withHighBit].map((key) => [Buffer.from(key).toString('hex'), key]))(
    'refuses the low-order point %s',
    (_hex, key) => {
      expect(isValidX25519PublicKey(key as Uint8Array)).toBe(false);
    },
  );

  it('accepts a generated key and refuses wrong lengths', async () => {
    const { publicKey } = await generateKeyPair();
    expect(isValidX25519PublicKey(publicKey)).toBe(true);
    expect(isValidX25519PublicKey(publicKey.subarray(1))).toBe(false);
    expect(isValidX25519PublicKey(new Uint8Array([...publicKey, 0]))).toBe(false);
  });

  it('recovers the public key from the private key, as CryptoKey or PKCS#8', async () => {
    const keys = await generateKeyPair();
    expect(await publicKeyOf(keys.privateKey)).toEqual(keys.publicKey);
    expect(await publicKeyOf(keys.privateKeyPkcs8)).toEqual(keys.publicKey);
  });

  it('fingerprints a key as the lowercase hex SHA-256 of its raw bytes', async () => {
    const { publicKey } = await generateKeyPair();
    expect(await fingerprint(publicKey)).toBe(createHash('sha256').update(publicKey).digest('hex'));
  });
});

describe('deriveLoginSecret', () => {
  it('is Argon2id of the password salted by SHA-256 of the normalised email', async () => {
    const salt = createHash('sha256').update('keyexchange/v1/login/alice@example.com').digest().subarray(0, 16);
    const expected = await referenceArgon2id({
      password: 'correct horse',
      salt,
      iterations: 3,
      memorySize: 65536,
      parallelism: 1,
      hashLength: 32,
      outputType: 'binary',
    });
    expect(await deriveLoginSecret(' Alice@Example.COM ', 'correct horse')).toBe(
      Buffer.from(expected).toString('base64url'),
    );
  });

  it('gives 43 base64url characters, the same for composed and decomposed passwords', async () => {
    const a = await deriveLoginSecret('bob@example.com', 'caf\u00e9');
    const b = await deriveLoginSecret('BOB@example.com', 'cafe\u0301');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).toBe(a);
    expect(await deriveLoginSecret('carol@example.com', 'caf\u00e9')).not.toBe(a);
  });
});

describe('base64url', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'AAE='],
    ['the standard alphabet', 'a+b/'],
    ['whitespace', 'AA AA'],
    ['an impossible length', 'AAAAA'],
    ['stray bits in the last character', 'AB'],
  ])('refuses %s', (_case, text) => {
    expect(() => fromBase64Url(text)).toThrow(InvalidInputError);
    expect(() => fromBase64Url(text)).toThrow(CryptoError);
  });
});
