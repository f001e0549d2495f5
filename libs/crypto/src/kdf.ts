import { argon2id as argon2idWasm } from 'hash-wasm';
import { utf8 } from './encoding.js';
import { InvalidInputError } from './errors.js';

export interface KdfParams {
  algorithm: 'argon2id';
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/** Protocol v1 defaults: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommendation). */
export const DEFAULT_KDF_PARAMS: Readonly<KdfParams> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 65536,
  iterations: 3,
  parallelism: 1,
});

/** What the keyserver accepts: no weaker than OWASP's minimum, no costlier than a client can pay. */
export const KDF_LIMITS = {
  memoryKiB: { min: 19456, max: 4 * 1024 * 1024 },
  iterations: { min: 2, max: 100 },
  parallelism: { min: 1, max: 16 },
} as const;

export const KEY_ENCRYPTION_KEY_BYTES = 32;

export function assertKdfParams(params: KdfParams): void {
  if (params?.algorithm !== 'argon2id') throw new InvalidInputError('kdf.algorithm must be "argon2id"');
  for (const name of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const { min, max } = KDF_LIMITS[name];
    const value = params[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidInputError(`kdf.${name} must be an integer from ${min} to ${max}`);
    }
  }
}

/** Passwords are NFC-normalised so the same password typed anywhere gives the same key. */
export function passwordBytes(password: string): Uint8Array {
  return utf8(password.normalize('NFC'));
}

/** Argon2id (RFC 9106, version 0x13) on WebAssembly: the same code in Node and browsers. */
export async function argon2id(input: {
  password: Uint8Array | string;
  salt: Uint8Array;
  params: KdfParams;
  hashLength?: number;
}): Promise<Uint8Array> {
  return argon2idWasm({
    password: typeof input.password === 'string' ? passwordBytes(input.password) : input.password,
    salt: input.salt,
    iterations: input.params.iterations,
    memorySize: input.params.memoryKiB,
    parallelism: input.params.parallelism,
    hashLength: input.hashLength ?? KEY_ENCRYPTION_KEY_BYTES,
    outputType: 'binary',
  });
}
