// The only place the private key and the password-derived keys live: a
// dedicated worker. The key is imported non-extractable, its PKCS#8 bytes are
// zeroed after import, and nothing posted back can carry it.
import {
  CryptoError,
  DEFAULT_KDF_PARAMS,
  deriveLoginSecret,
  fromBase64Url,
  generateKeyPair,
  generateSharedSecret,
  type HeldKey,
  holdPrivateKey,
  openEnvelope,
  openSessionChallenge,
  sealEnvelope,
  toBase64Url,
  toHex,
  unwrapHeldKey,
  unwrapPrivateKey,
  wrapPrivateKey,
  type EncryptedPrivateKey,
} from '@app/crypto';
import {
  OWN_KEY,
  type OwnSealedEnvelope,
  type VaultCall,
  type VaultCalls,
  type VaultRequest,
  type VaultResponse,
  type WireBlob,
} from './vault-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<VaultRequest>) => void) | null;
  postMessage(message: VaultResponse): void;
}
const scope = globalThis as unknown as WorkerScope;

let held: HeldKey | undefined;

const toWire = (blob: EncryptedPrivateKey): WireBlob => ({
  encryptedPrivateKey: toBase64Url(blob.encryptedPrivateKey),
  iv: toBase64Url(blob.iv),
  salt: toBase64Url(blob.salt),
  kdf: blob.kdf,
});
const fromWire = (blob: WireBlob): EncryptedPrivateKey => ({
  encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
  iv: fromBase64Url(blob.iv),
  salt: fromBase64Url(blob.salt),
  kdf: blob.kdf,
});

function holding(): HeldKey {
  if (!held) throw new CryptoError('locked', 'The key is locked: unlock it first.');
  return held;
}

const publicKeyOf = (key: HeldKey, publicKey: string): Uint8Array =>
  publicKey === OWN_KEY ? key.publicKey : fromBase64Url(publicKey);

/** The secret in the user's own envelope, checked against its commitment (throws otherwise). */
function openOwn(key: HeldKey, sealed: OwnSealedEnvelope): Promise<Uint8Array> {
  return openEnvelope({
    secretId: sealed.secretId,
    version: sealed.version,
    recipientId: sealed.recipientId,
    commitment: sealed.commitment,
    envelope: { enc: fromBase64Url(sealed.enc), ciphertext: fromBase64Url(sealed.ciphertext) },
    recipient: key.keyPair,
    senderPublicKey: publicKeyOf(key, sealed.senderPublicKey),
  });
}

type Handlers = { [C in VaultCall]: (input: Parameters<VaultCalls[C]>[0]) => Promise<ReturnType<VaultCalls[C]>> };

const handlers: Handlers = {
  loginSecret: ({ email, password }) => deriveLoginSecret(email, password),

  async createKey({ password, userId }) {
    const pair = await generateKeyPair();
    try {
      const blob = await wrapPrivateKey({ privateKeyPkcs8: pair.privateKeyPkcs8, password, userId });
      held = await holdPrivateKey(pair.privateKeyPkcs8);
      return { publicKey: toBase64Url(held.publicKey), fingerprint: held.fingerprint, blob: toWire(blob) };
    } finally {
      pair.privateKeyPkcs8.fill(0);
    }
  },

  async blobHoldsKey({ blob, password, userId }) {
    if (!held) return false;
    const expected = held.fingerprint;
    return unwrapHeldKey({ ...fromWire(blob), password, userId, publicKeyFingerprint: expected }).then(
      () => true,
      () => false,
    );
  },

  async unlock({ blob, password, userId, fingerprint }) {
    held = undefined;
    held = await unwrapHeldKey({ ...fromWire(blob), password, userId, publicKeyFingerprint: fingerprint });
    return { fingerprint: held.fingerprint };
  },

  async openChallenge({ challengeId, enc, ciphertext }) {
    const token = await openSessionChallenge({
      privateKey: holding().keyPair,
      challengeId,
      enc: fromBase64Url(enc),
      ciphertext: fromBase64Url(ciphertext),
    });
    return toBase64Url(token);
  },

  async rewrap({ blob, currentPassword, newPassword, userId, fingerprint, kdf }) {
    const opened = await unwrapPrivateKey({
      ...fromWire(blob),
      password: currentPassword,
      userId,
      publicKeyFingerprint: fingerprint,
    });
    try {
      return toWire(
        await wrapPrivateKey({
          privateKeyPkcs8: opened.privateKeyPkcs8,
          password: newPassword,
          userId,
          kdf: kdf ?? DEFAULT_KDF_PARAMS,
        }),
      );
    } finally {
      opened.privateKeyPkcs8.fill(0);
    }
  },

  async sealSecret({ secretId, version, recipients, from }) {
    const key = holding();
    // The secret opened is sealed again only as what it is: this secret, this version.
    if (from && (from.secretId !== secretId || from.version !== version)) {
      throw new CryptoError('invalid_input', 'An envelope is resealed only for its own secret and version');
    }
    const secret = from ? await openOwn(key, from) : generateSharedSecret();
    try {
      let commitment = '';
      const envelopes = [];
      for (const { userId, publicKey } of recipients) {
        const sealed = await sealEnvelope({
          secretId,
          version,
          recipientId: userId,
          secret,
          recipientPublicKey: publicKeyOf(key, publicKey),
          sender: key.keyPair,
        });
        commitment = sealed.commitment;
        envelopes.push({ userId, enc: toBase64Url(sealed.enc), ciphertext: toBase64Url(sealed.ciphertext) });
      }
      return { commitment, envelopes };
    } finally {
      secret.fill(0);
    }
  },

  async openSecret({ reveal, ...sealed }) {
    const secret = await openOwn(holding(), sealed);
    try {
      return { secret: reveal ? toHex(secret) : undefined };
    } finally {
      secret.fill(0);
    }
  },
};

scope.onmessage = ({ data: { id, call, input } }) => {
  const handler = handlers[call] as (input: unknown) => Promise<unknown>;
  handler(input).then(
    (value) => scope.postMessage({ id, ok: true, value }),
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      const code = error instanceof CryptoError ? error.code : undefined;
      scope.postMessage({ id, ok: false, error: { name, code, message } });
    },
  );
};
