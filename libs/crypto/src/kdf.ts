import { argon2id as argon2idWasm } from 'hash-wasm';
import { utf8 } from './encoding.js';
import { InvalidInputError, KdfBudgetExceededError } from './errors.js';

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

/**
 * What every party accepts (keyserver, contracts, clients): no weaker than
 * OWASP's minimum, no costlier than a browser can pay (hash-wasm fails at
 * 2 GiB, and 1 GiB x 2 passes already takes seconds).
 */
export const KDF_LIMITS = {
  memoryKiB: { min: 19456, max: 1024 * 1024 },
  iterations: { min: 2, max: 10 },
  parallelism: { min: 1, max: 4 },
} as const;

/** The most a client is willing to compute; by default the protocol's bounds. */
export interface KdfBudget {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export const DEFAULT_KDF_BUDGET: Readonly<KdfBudget> = Object.freeze({
  memoryKiB: KDF_LIMITS.memoryKiB.max,
  iterations: KDF_LIMITS.iterations.max,
  parallelism: KDF_LIMITS.parallelism.max,
});

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

/** Refuses, before any work, parameters that cost more than this client will spend. */
export function assertWithinBudget(params: KdfParams, budget: KdfBudget = DEFAULT_KDF_BUDGET): void {
  const over = (['memoryKiB', 'iterations', 'parallelism'] as const).filter((name) => params[name] > budget[name]);
  if (over.length > 0) {
    throw new KdfBudgetExceededError(
      `The key's KDF parameters (${params.memoryKiB} KiB, ${params.iterations} passes, ${params.parallelism} lanes) ` +
        `exceed what this client will compute (${budget.memoryKiB} KiB, ${budget.iterations} passes, ${budget.parallelism} lanes)`,
    );
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

/**
 * The recommended parameters where the blob's fall short of them, none
 * lowered; undefined when none does (no re-wrap needed).
 */
export function strongerKdf(kdf: KdfParams, recommended: Omit<KdfParams, 'algorithm'>): KdfParams | undefined {
  const costs = ['memoryKiB', 'iterations', 'parallelism'] as const;
  if (costs.every((cost) => kdf[cost] >= recommended[cost])) return undefined;
  const [memoryKiB, iterations, parallelism] = costs.map((cost) => Math.max(kdf[cost], recommended[cost]));
  return { algorithm: 'argon2id', memoryKiB, iterations, parallelism };
}
