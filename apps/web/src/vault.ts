import type { VaultCall, VaultCalls, VaultRequest, VaultResponse } from './vault-protocol.js';

/** A failure the worker reported, with the code of the CryptoError it caught (if it was one). */
export class VaultError extends Error {
  constructor(
    readonly kind: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

/**
 * The main thread's side of the key worker: every use of the private key and
 * of the password goes through it, one request at a time in order.
 */
export class Vault {
  private worker = this.spawn();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  call<C extends VaultCall>(call: C, input: Parameters<VaultCalls[C]>[0]): Promise<ReturnType<VaultCalls[C]>> {
    const id = this.nextId++;
    const request: VaultRequest<C> = { id, call, input };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(request);
    });
  }

  /**
   * Forgets the key for good: the worker is ended (whatever it held goes with
   * it) and a fresh one takes its place. Calls in flight fail.
   */
  lock(): void {
    this.worker.terminate();
    for (const { reject } of this.pending.values()) reject(new VaultError('Locked', 'locked', 'The key was locked.'));
    this.pending.clear();
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./key-worker.ts', import.meta.url), { type: 'module', name: 'key-worker' });
    worker.onmessage = ({ data }: MessageEvent<VaultResponse>) => {
      const waiting = this.pending.get(data.id);
      if (!waiting) return;
      this.pending.delete(data.id);
      if (data.ok) waiting.resolve(data.value);
      else waiting.reject(new VaultError(data.error.name, data.error.code, data.error.message));
    };
    return worker;
  }
}
