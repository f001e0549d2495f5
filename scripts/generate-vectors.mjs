#!/usr/bin/env node
/**
 * Writes libs/crypto/test/vectors/keyexchange-v1.json: protocol v1's published
 * test vectors (PROTOCOL.md), computed from fixed inputs.
 *
 * Deliberately independent of libs/crypto: WebCrypto, hash-wasm's Argon2id and
 * @hpke/core only, plus a hand-written RFC 9180 key schedule that must agree
 * with @hpke/core, so a bug in our library cannot write its own vectors.
 *
 *   node scripts/generate-vectors.mjs           write the file
 *   node scripts/generate-vectors.mjs --check   exit 1 if the file differs
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { argon2id } from 'hash-wasm';
import { createHmac, hkdfSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../libs/crypto/test/vectors/keyexchange-v1.json', import.meta.url));
const { subtle } = globalThis.crypto;

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const utf8 = (text) => new TextEncoder().encode(text);
const concat = (...parts) => new Uint8Array(Buffer.concat(parts));
const sha256 = async (bytes) => new Uint8Array(await subtle.digest('SHA-256', bytes));
/** A value that travels on the wire: hex to read, base64url as sent. */
const wire = (bytes) => ({ hex: hex(bytes), base64url: b64url(bytes) });
function assertEqual(what, actual, expected) {
  if (hex(actual) !== hex(expected)) throw new Error(`${what}: ${hex(actual)} != ${hex(expected)}`);
}

// Protocol v1 constants, written out again here on purpose (not imported).
const LOGIN_PREFIX = 'keyexchange/v1/login/';
const PRIVATE_KEY_AAD_PREFIX = 'keyexchange/v1/private-key/';
const CHALLENGE_INFO = 'keyexchange/v1/session-challenge';
const RECEIPT_INFO = 'keyexchange/v1/key-change-receipt';
const SHARED_SECRET_INFO = 'keyexchange/v1/shared-secret';
const PKCS8_X25519_PREFIX = unhex('302e020100300506032b656e04220420');
const LOGIN_KDF = { algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 };
const CHEAPEST_KDF = { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 };

const normaliseEmail = (email) => email.trim().toLowerCase();
const passwordBytes = (password) => utf8(password.normalize('NFC'));

async function argon2(password, salt, kdf) {
  return argon2id({
    password,
    salt,
    memorySize: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: kdf.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
}

const loginSalt = async (normalisedEmail) => (await sha256(utf8(LOGIN_PREFIX + normalisedEmail))).slice(0, 16);

// X25519 through WebCrypto, from raw 32-byte keys.
const importX25519Private = (raw) =>
  subtle.importKey('pkcs8', concat(PKCS8_X25519_PREFIX, raw), { name: 'X25519' }, true, ['deriveBits']);
async function x25519PublicKey(raw) {
  const { x } = await subtle.exportKey('jwk', await importX25519Private(raw));
  return new Uint8Array(Buffer.from(x, 'base64url'));
}
async function x25519(privateRaw, publicRaw) {
  const pub = await subtle.importKey('raw', publicRaw, { name: 'X25519' }, true, []);
  return new Uint8Array(
    await subtle.deriveBits({ name: 'X25519', public: pub }, await importX25519Private(privateRaw), 256),
  );
}

/** RFC 5958 OneAsymmetricKey v2 (with the public key): readers must accept it too. */
const pkcs8V2 = (privateRaw, publicRaw) =>
  concat(unhex('3051020101300506032b656e04220420'), privateRaw, unhex('812100'), publicRaw);

// RFC 9180 by hand: LabeledExtract / LabeledExpand over HKDF-SHA256 (RFC 5869).
async function hmac(key, data) {
  // An empty HKDF salt is HashLen zero bytes (RFC 5869 2.2); WebCrypto refuses empty HMAC keys.
  const k = await subtle.importKey(
    'raw',
    key.length ? key : new Uint8Array(32),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await subtle.sign('HMAC', k, data));
}
async function expand(prk, info, length) {
  let t = new Uint8Array(0);
  let out = new Uint8Array(0);
  for (let i = 1; out.length < length; i++) {
    t = await hmac(prk, concat(t, info, Uint8Array.of(i)));
    out = concat(out, t);
  }
  return out.slice(0, length);
}
const i2osp2 = (n) => Uint8Array.of(n >> 8, n & 0xff);
const KEM_SUITE_ID = concat(utf8('KEM'), i2osp2(0x0020));
const HPKE_SUITE_ID = concat(utf8('HPKE'), i2osp2(0x0020), i2osp2(0x0001), i2osp2(0x0002));
const labeledExtract = (suiteId, salt, label, ikm) => hmac(salt, concat(utf8('HPKE-v1'), suiteId, utf8(label), ikm));
const labeledExpand = (suiteId, prk, label, info, length) =>
  expand(prk, concat(i2osp2(length), utf8('HPKE-v1'), suiteId, utf8(label), info), length);
const EMPTY = new Uint8Array(0);

/**
 * Single shot, sequence number 0 (RFC 9180 4.1, 5.1, 5.2, 7.1.3): base mode,
 * or auth mode (5.1.3) when the sender's static private key is given.
 */
async function hpkeSealByHand({ ikmE, recipientPublicKey, info, aad, plaintext, senderPrivateKey }) {
  const dkpPrk = await labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikmE);
  const ephemeralPrivateKey = await labeledExpand(KEM_SUITE_ID, dkpPrk, 'sk', EMPTY, 32);
  const enc = await x25519PublicKey(ephemeralPrivateKey);
  let dh = await x25519(ephemeralPrivateKey, recipientPublicKey);
  let kemContext = concat(enc, recipientPublicKey);
  if (senderPrivateKey) {
    // AuthEncap: dh = DH(skE, pkR) || DH(skS, pkR); kem_context = enc || pkRm || pkSm.
    dh = concat(dh, await x25519(senderPrivateKey, recipientPublicKey));
    kemContext = concat(kemContext, await x25519PublicKey(senderPrivateKey));
  }
  const eaePrk = await labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dh);
  const sharedSecret = await labeledExpand(KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, 32);
  const mode = senderPrivateKey ? 0x02 : 0x00;
  const pskIdHash = await labeledExtract(HPKE_SUITE_ID, EMPTY, 'psk_id_hash', EMPTY);
  const infoHash = await labeledExtract(HPKE_SUITE_ID, EMPTY, 'info_hash', info);
  const context = concat(Uint8Array.of(mode), pskIdHash, infoHash);
  const secret = await labeledExtract(HPKE_SUITE_ID, sharedSecret, 'secret', EMPTY);
  const key = await labeledExpand(HPKE_SUITE_ID, secret, 'key', context, 32);
  const baseNonce = await labeledExpand(HPKE_SUITE_ID, secret, 'base_nonce', context, 12);
  const ciphertext = await aesGcm(key, baseNonce, aad, plaintext);
  return { ephemeralPrivateKey, enc, sharedSecret, key, baseNonce, ciphertext };
}

async function aesGcm(keyBytes, iv, additionalData, plaintext) {
  const key = await subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt']);
  return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext));
}

// ---- Fixed inputs -------------------------------------------------------------------------------

/** Trim and lower-case edge cases; only the salt depends on the email. */
const EMAIL_CASES = [
  ['ASCII, surrounding spaces', ' Alice@Example.COM '],
  [
    'every ECMAScript WhiteSpace/LineTerminator, incl. U+FEFF that Python strip() keeps',
    '\t\n\v\f\r\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeffbob@example.com\ufeff',
  ],
  ['U+0085 and U+001C are not trimmed (Python strip() removes them)', '\u0085carol@example.com\u001c'],
  ['Latin-1 upper case', '\u00c5SA@EXAMPLE.COM'],
  ['U+0130 lower-cases to i + U+0307 (no Turkish locale)', '\u0130NCI@example.com'],
  ['final sigma: Σ at the end of a word becomes ς', '\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3@example.com'],
  ['U+1E9E capital sharp s lower-cases to ß', 'STRA\u1e9eE@example.com'],
  ['no Unicode normalisation of the email: a decomposed é stays decomposed', 'Ame\u0301lie@example.com'],
];

const LOGIN = { email: '  Alice.Liddell@Example.COM\t', password: 'Cafe\u0301 cre\u0300me bru\u0302le\u0301e' };
const KEK = {
  password: 'A\u030angstro\u0308m battery staple',
  salt: unhex('805d126aeab93c2f12ca6119cd4cb8c4'),
  kdf: CHEAPEST_KDF,
};
/** RFC 7748 6.1's key pairs, so the public keys can be checked against the RFC too. */
const ALICE = unhex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const BOB = unhex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
const WRAP = { userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a', iv: unhex('d9f0f5952f47219a025c903f') };
const CHALLENGE = {
  challengeId: '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21',
  token: unhex('47846006d47389a9b4c69c87a2b85f9da16a0a0f21bfb4834cfdb0e612191055'),
  ikmE: unhex('6eec3f131089414675d6f65a994684f2cfb2f267c4e313fd0096d03a81fb0920'),
};

/** Alice (RFC 7748) seals a version of a secret to Bob; the data-key example encrypts under it. */
const SHARED = {
  secretId: '0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e',
  version: 3,
  recipientId: '9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b',
  secret: unhex('a1f0e3d2c5b4a79889706f5e4d3c2b1a0918273645546372819faebdccdbeaf9'),
  ikmE: unhex('3b9d0c7e5a1f2e4d6c8b0a9f7e5d3c1b2a4968577463524130f1e2d3c4b5a697'),
  dataKey: { context: 'notes', iv: unhex('0a1b2c3d4e5f60718293a4b5'), plaintext: 'Meet at the north gate at nine.' },
};

// ---- Vectors ------------------------------------------------------------------------------------

async function generate() {
  const emailNormalisation = [];
  for (const [note, input] of EMAIL_CASES) {
    const normalised = normaliseEmail(input);
    emailNormalisation.push({
      note,
      input,
      normalised,
      normalisedUtf8: hex(utf8(normalised)),
      loginSalt: hex(await loginSalt(normalised)),
    });
  }

  const normalisedEmail = normaliseEmail(LOGIN.email);
  const salt = await loginSalt(normalisedEmail);
  const secret = await argon2(passwordBytes(LOGIN.password), salt, LOGIN_KDF);
  const loginSecret = {
    email: LOGIN.email,
    normalisedEmail,
    saltInput: LOGIN_PREFIX + normalisedEmail,
    salt: hex(salt),
    password: LOGIN.password,
    passwordNfc: LOGIN.password.normalize('NFC'),
    passwordUtf8: hex(passwordBytes(LOGIN.password)),
    kdf: LOGIN_KDF,
    secret: wire(secret),
  };

  const kek = await argon2(passwordBytes(KEK.password), KEK.salt, KEK.kdf);
  const keyEncryptionKey = {
    password: KEK.password,
    passwordNfc: KEK.password.normalize('NFC'),
    passwordUtf8: hex(passwordBytes(KEK.password)),
    salt: wire(KEK.salt),
    kdf: KEK.kdf,
    keyEncryptionKey: hex(kek),
  };

  const alicePublic = await x25519PublicKey(ALICE);
  assertEqual(
    'RFC 7748 Alice public key',
    alicePublic,
    unhex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
  );
  const pkcs8 = concat(PKCS8_X25519_PREFIX, ALICE);
  const exported = new Uint8Array(await subtle.exportKey('pkcs8', await importX25519Private(ALICE)));
  assertEqual('WebCrypto PKCS#8 export', exported, pkcs8);
  const aad = utf8(PRIVATE_KEY_AAD_PREFIX + WRAP.userId);
  const encryptedPrivateKey = await aesGcm(kek, WRAP.iv, aad, pkcs8);
  const aliceFingerprint = hex(await sha256(alicePublic));
  const wrappedPrivateKey = {
    privateKey: hex(ALICE),
    privateKeyPkcs8: hex(pkcs8),
    privateKeyPkcs8V2: hex(pkcs8V2(ALICE, alicePublic)),
    publicKey: wire(alicePublic),
    fingerprint: aliceFingerprint,
    userId: WRAP.userId,
    password: KEK.password,
    salt: wire(KEK.salt),
    kdf: KEK.kdf,
    keyEncryptionKey: hex(kek),
    iv: wire(WRAP.iv),
    additionalData: PRIVATE_KEY_AAD_PREFIX + WRAP.userId,
    additionalDataUtf8: hex(aad),
    encryptedPrivateKey: wire(encryptedPrivateKey),
    putPublicKeyRequest: { algorithm: 'HPKE-X25519-SHA256-AES256GCM', publicKey: b64url(alicePublic) },
    putPrivateKeyRequest: {
      encryptedPrivateKey: b64url(encryptedPrivateKey),
      iv: b64url(WRAP.iv),
      salt: b64url(KEK.salt),
      kdf: KEK.kdf,
      publicKeyFingerprint: aliceFingerprint,
    },
    /** What a client must report for this blob when one input differs (PROTOCOL.md, Errors). */
    unwrapErrors: [
      { case: 'a wrong password', password: 'Angstrom battery staple', error: 'decryption_failed' },
      {
        case: 'another user id in the additional data',
        userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7b',
        error: 'decryption_failed',
      },
      {
        case: 'publicKeyFingerprint of another key (RFC 7748 Bob)',
        publicKeyFingerprint: hex(await sha256(await x25519PublicKey(BOB))),
        error: 'key_mismatch',
      },
    ],
  };

  const bobPublic = await x25519PublicKey(BOB);
  assertEqual(
    'RFC 7748 Bob public key',
    bobPublic,
    unhex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
  );
  const info = utf8(CHALLENGE_INFO);
  const challengeAad = utf8(CHALLENGE.challengeId);
  const byHand = await hpkeSealByHand({
    ikmE: CHALLENGE.ikmE,
    recipientPublicKey: bobPublic,
    info,
    aad: challengeAad,
    plaintext: CHALLENGE.token,
  });
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  const sealed = await suite.seal(
    {
      recipientPublicKey: await suite.kem.deserializePublicKey(bobPublic.slice().buffer),
      info,
      ekm: CHALLENGE.ikmE.slice().buffer,
    },
    CHALLENGE.token.slice().buffer,
    challengeAad.slice().buffer,
  );
  assertEqual('@hpke/core enc vs by hand', new Uint8Array(sealed.enc), byHand.enc);
  assertEqual('@hpke/core ciphertext vs by hand', new Uint8Array(sealed.ct), byHand.ciphertext);
  const sessionChallenge = {
    suite: { mode: 0, kemId: 0x0020, kdfId: 0x0001, aeadId: 0x0002 },
    info: CHALLENGE_INFO,
    infoUtf8: hex(info),
    recipient: {
      privateKey: hex(BOB),
      privateKeyPkcs8: hex(concat(PKCS8_X25519_PREFIX, BOB)),
      publicKey: wire(bobPublic),
      fingerprint: hex(await sha256(bobPublic)),
    },
    challengeId: CHALLENGE.challengeId,
    additionalDataUtf8: hex(challengeAad),
    token: wire(CHALLENGE.token),
    ikmE: hex(CHALLENGE.ikmE),
    ephemeralPrivateKey: hex(byHand.ephemeralPrivateKey),
    enc: wire(byHand.enc),
    sharedSecret: hex(byHand.sharedSecret),
    key: hex(byHand.key),
    baseNonce: hex(byHand.baseNonce),
    ciphertext: wire(byHand.ciphertext),
    response: { challengeId: CHALLENGE.challengeId, enc: b64url(byHand.enc), ciphertext: b64url(byHand.ciphertext) },
    answer: { challengeId: CHALLENGE.challengeId, token: b64url(CHALLENGE.token) },
  };

  // Shared secrets: the commitment and data key by node:crypto's HKDF, the envelope by hand and by @hpke/core.
  const commitmentInfo = `${SHARED_SECRET_INFO}/commitment/${SHARED.secretId}/${SHARED.version}`;
  const commitment = new Uint8Array(hkdfSync('sha256', SHARED.secret, new Uint8Array(0), utf8(commitmentInfo), 32));
  const envelopeAad = utf8(
    `${SHARED_SECRET_INFO}/${SHARED.secretId}/${SHARED.version}/${SHARED.recipientId}/${b64url(commitment)}`,
  );
  const envelope = await hpkeSealByHand({
    ikmE: SHARED.ikmE,
    recipientPublicKey: bobPublic,
    info: utf8(SHARED_SECRET_INFO),
    aad: envelopeAad,
    plaintext: SHARED.secret,
    senderPrivateKey: ALICE,
  });
  const sealedByLibrary = await suite.seal(
    {
      recipientPublicKey: await suite.kem.deserializePublicKey(bobPublic.slice().buffer),
      senderKey: {
        privateKey: await suite.kem.deserializePrivateKey(ALICE.slice().buffer),
        publicKey: await suite.kem.deserializePublicKey(alicePublic.slice().buffer),
      },
      info: utf8(SHARED_SECRET_INFO),
      ekm: SHARED.ikmE.slice().buffer,
    },
    SHARED.secret.slice().buffer,
    envelopeAad.slice().buffer,
  );
  assertEqual('@hpke/core auth enc vs by hand', new Uint8Array(sealedByLibrary.enc), envelope.enc);
  assertEqual('@hpke/core auth ciphertext vs by hand', new Uint8Array(sealedByLibrary.ct), envelope.ciphertext);
  const dataKeyInfo = `${SHARED_SECRET_INFO}/data-key/${SHARED.dataKey.context}`;
  const dataKey = new Uint8Array(hkdfSync('sha256', SHARED.secret, new Uint8Array(0), utf8(dataKeyInfo), 32));
  const sharedSecret = {
    suite: { mode: 2, kemId: 0x0020, kdfId: 0x0001, aeadId: 0x0002 },
    info: SHARED_SECRET_INFO,
    sender: { privateKey: hex(ALICE), publicKey: wire(alicePublic), fingerprint: aliceFingerprint },
    recipient: { privateKey: hex(BOB), publicKey: wire(bobPublic), fingerprint: hex(await sha256(bobPublic)) },
    secretId: SHARED.secretId,
    version: SHARED.version,
    recipientId: SHARED.recipientId,
    secret: wire(SHARED.secret),
    commitmentInfo,
    commitment: wire(commitment),
    additionalData: new TextDecoder().decode(envelopeAad),
    ikmE: hex(SHARED.ikmE),
    ephemeralPrivateKey: hex(envelope.ephemeralPrivateKey),
    enc: wire(envelope.enc),
    sharedSecret: hex(envelope.sharedSecret),
    key: hex(envelope.key),
    baseNonce: hex(envelope.baseNonce),
    ciphertext: wire(envelope.ciphertext),
    dataKey: {
      context: SHARED.dataKey.context,
      info: dataKeyInfo,
      key: hex(dataKey),
      iv: hex(SHARED.dataKey.iv),
      plaintext: SHARED.dataKey.plaintext,
      ciphertext: hex(await aesGcm(dataKey, SHARED.dataKey.iv, EMPTY, utf8(SHARED.dataKey.plaintext))),
    },
  };

  // node:crypto's HKDF and HMAC here; the library uses WebCrypto's.
  const receiptApiKey = 'kx-example-api-key-Zm9yIHRlc3QgdmVjdG9ycyBvbmx5';
  const receiptKey = new Uint8Array(hkdfSync('sha256', utf8(receiptApiKey), new Uint8Array(0), utf8(RECEIPT_INFO), 32));
  const lengthPrefixed = (...fields) =>
    concat(
      ...fields.map((field) =>
        concat(Buffer.from([0, 0, 0, 0].map((_, i) => (utf8(field).length >>> (8 * (3 - i))) & 0xff)), utf8(field)),
      ),
    );
  const keyChangeReceipt = {
    keyserverApiKey: receiptApiKey,
    info: RECEIPT_INFO,
    receiptKey: hex(receiptKey),
    receipts: [
      {
        userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a',
        keyChangeId: '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21',
        baseVersion: 1,
      },
      {
        userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a',
        keyChangeId: 'c2d5a1f0-6b3e-4f7a-8d9c-0e1f2a3b4c5d',
        baseVersion: 12,
      },
    ].map((input) => {
      const message = lengthPrefixed(input.userId, input.keyChangeId, String(input.baseVersion));
      return {
        ...input,
        message: hex(message),
        receipt: wire(new Uint8Array(createHmac('sha256', receiptKey).update(message).digest())),
      };
    }),
  };

  const base64url = {
    valid: ['', '00', '0001', 'fbffbf'].map((bytes) => ({ text: b64url(unhex(bytes)), hex: bytes })),
    invalid: [
      { text: 'AB', why: 'stray bits in the last character (00 is AA)' },
      { text: 'AAF', why: 'stray bits in the last character (0001 is AAE)' },
      { text: 'AA==', why: 'padding' },
      { text: '+/+/', why: 'the standard alphabet' },
      { text: 'AA AA', why: 'whitespace' },
      { text: 'AAAAA', why: 'a length of 1 mod 4' },
    ],
  };

  return {
    protocol: 'keyexchange/v1',
    description:
      'Test vectors for PROTOCOL.md, written by scripts/generate-vectors.mjs. Byte strings are lowercase hex; ' +
      'a {hex, base64url} pair is a value that travels on the wire, as base64url without padding. A string ' +
      "field's bytes are its UTF-8 encoding. Argon2id is version 0x13 with a 32-byte output.",
    emailNormalisation,
    loginSecret,
    keyEncryptionKey,
    wrappedPrivateKey,
    sessionChallenge,
    keyChangeReceipt,
    sharedSecret,
    base64url,
  };
}

/** JSON with every non-ASCII character escaped, so no editor or terminal can alter the inputs. */
const serialise = (value) =>
  `${JSON.stringify(value, null, 2).replace(/[^\x20-\x7e\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;

const text = serialise(await generate());
if (process.argv.includes('--check')) {
  const current = await readFile(OUT, 'utf8').catch(() => '');
  if (current !== text) {
    console.error(`${OUT} is stale: run node scripts/generate-vectors.mjs`);
    process.exit(1);
  }
} else {
  await writeFile(OUT, text);
  console.log(`wrote ${OUT}`);
}
