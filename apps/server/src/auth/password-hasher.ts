import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// scrypt N=2^17 r=8 p=1 (128 MiB): runs on libuv's thread pool, so a login
// never blocks the event loop. The parameters are stored with each hash.
const COST_LOG2 = 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = '$scrypt$';

function derive(secret: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 2 * 128 * 2 ** ln * r };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Slow hash of the login secret: the only form in which the server keeps it. */
@Injectable()
export class PasswordHasher {
  // Verified against for unknown emails, so both failures cost the same.
  private readonly decoy = this.hash(randomBytes(32).toString('base64url'));

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(secret, salt, COST_LOG2, BLOCK_SIZE, PARALLELISM);
    return `${PREFIX}ln=${COST_LOG2},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  async verify(secret: string, stored: string | undefined): Promise<boolean> {
    const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored ?? (await this.decoy));
    if (!match) return false;
    const [, ln, r, p, salt, key] = match;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(ln), Number(r), Number(p));
    return actual.length === expected.length && timingSafeEqual(actual, expected) && stored !== undefined;
  }
}
