/** Every failure this library reports is a CryptoError with a stable `code`. */
export class CryptoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong password, wrong key, or any tampered byte: indistinguishable on purpose. */
export class DecryptionError extends CryptoError {
  constructor(
    message = 'Decryption failed: wrong key or password, or the data was altered',
    options?: { cause?: unknown },
  ) {
    super('decryption_failed', message, options);
  }
}

/** An input of the wrong shape: a bad length, encoding or parameter. */
export class InvalidInputError extends CryptoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_input', message, options);
  }
}

/** A public key that is not a usable X25519 key (wrong length or low order). */
export class InvalidPublicKeyError extends CryptoError {
  constructor(message = 'Not a usable X25519 public key') {
    super('invalid_public_key', message);
  }
}

/** The decrypted private key is not the one whose public key the blob names: never a wrong password. */
export class KeyMismatchError extends CryptoError {
  constructor(message = 'The stored private key does not belong to your public key') {
    super('key_mismatch', message);
  }
}

/** KDF parameters costlier than this client agreed to compute: refused before any work. */
export class KdfBudgetExceededError extends CryptoError {
  constructor(message: string) {
    super('kdf_budget_exceeded', message);
  }
}

/**
 * An envelope that opened, but to a secret whose commitment is not the one
 * named: the envelope was moved or the commitment swapped. Never a wrong key.
 */
export class CommitmentMismatchError extends CryptoError {
  constructor(message = 'The secret does not match its commitment: the envelope or the commitment was altered') {
    super('commitment_mismatch', message);
  }
}
