import type { KdfParams } from '@app/crypto';

/** The stored private key as the keyserver serves it and takes it: base64url fields. */
export interface WireBlob {
  encryptedPrivateKey: string;
  iv: string;
  salt: string;
  kdf: KdfParams;
}

/**
 * What the main thread may ask of the key worker. Each answer carries public
 * values only: no request returns the private key, in any form.
 */
export interface VaultCalls {
  /** Argon2id of the password, salted by the email: what the server receives instead of the password. */
  loginSecret(input: { email: string; password: string }): string;
  /** A new key pair, wrapped under the password and held; its public key and blob. */
  createKey(input: { password: string; userId: string }): { publicKey: string; fingerprint: string; blob: WireBlob };
  /** Whether a blob opens with the password to exactly the held key (the stored blob, checked before confirming). */
  blobHoldsKey(input: { blob: WireBlob; password: string; userId: string }): boolean;
  /** Opens the blob with the password and holds the key; the fingerprint must be the one the server confirmed. */
  unlock(input: { blob: WireBlob; password: string; userId: string; fingerprint: string }): { fingerprint: string };
  /** Opens a session challenge with the held key: the token to hand back. */
  openChallenge(input: { challengeId: string; enc: string; ciphertext: string }): string;
  /**
   * Unwraps the blob again with the current password and wraps the key under
   * the new one (a password change): the held key is never exported to do it.
   */
  rewrap(input: {
    blob: WireBlob;
    currentPassword: string;
    newPassword: string;
    userId: string;
    fingerprint: string;
    kdf?: KdfParams;
  }): WireBlob;
  /**
   * Seals a version's secret to each recipient from the held key (HPKE auth
   * mode): a fresh secret (a new version), or with `from`, the secret of that
   * envelope, opened and checked first (a member added to the current version).
   * The secret never leaves the worker.
   */
  sealSecret(input: {
    secretId: string;
    version: number;
    recipients: SealRecipient[];
    from?: OwnSealedEnvelope;
  }): SealedVersion;
  /**
   * Opens the user's envelope and checks the secret against its commitment.
   * The secret crosses to the page only when the user asked to see it (hex).
   */
  openSecret(input: OwnSealedEnvelope & { reveal: boolean }): { secret?: string };
}

/** The key this worker holds (the user's own), where a public key is asked for. */
export const OWN_KEY = 'own';

/** One member to seal a version's secret to: base64url public key, or OWN_KEY. */
export interface SealRecipient {
  userId: string;
  publicKey: string;
}

/** The caller's envelope of one version, as the server serves it, with what it is checked against. */
export interface OwnSealedEnvelope {
  secretId: string;
  version: number;
  /** The user's own id: the envelope is bound to it. */
  recipientId: string;
  commitment: string;
  enc: string;
  ciphertext: string;
  /** The sender's public key (base64url), pinned or taken on first use; OWN_KEY: the user sealed it. */
  senderPublicKey: string;
}

export interface SealedVersion {
  commitment: string;
  envelopes: Array<{ userId: string; enc: string; ciphertext: string }>;
}

export type VaultCall = keyof VaultCalls;

export interface VaultRequest<C extends VaultCall = VaultCall> {
  id: number;
  call: C;
  input: Parameters<VaultCalls[C]>[0];
}

export type VaultResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; code?: string; message: string } };
