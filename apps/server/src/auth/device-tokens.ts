import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { decodeSecretToken, generateSecretToken, hashSecret } from '../core/secrets.js';
import { UsersRepository } from './users.repository.js';

/** How long a device stays known after its last login. */
export const DEVICE_TOKEN_TTL_DAYS = 90;
/** The newest tokens a user keeps; older devices fall back to the ordinary limits. */
const DEVICE_TOKENS_PER_USER = 20;

/** A device token the login presented that is live and belongs to the email it logs in as. */
export interface KnownDevice {
  id: string;
  /** What its failures are counted under (never the token itself). */
  counterKey: string;
}

/**
 * Device tokens (OWASP's device cookies): a device that once logged in to an
 * account presents its token on the next logins, and its failures count only
 * against that token, so a stranger's guesses cannot lock the owner out.
 */
@Injectable()
export class DeviceTokens {
  constructor(private readonly users: UsersRepository) {}

  /** The device, if the token is live and the email's; anything else counts as no token at all. */
  async recognise(deviceToken: string | undefined, email: string): Promise<KnownDevice | undefined> {
    const secret = decodeSecretToken(deviceToken);
    if (!secret) return undefined;
    const tokenHash = hashSecret(secret);
    const id = await this.users.findLiveDeviceToken(tokenHash, email);
    return id === undefined ? undefined : { id, counterKey: tokenHash.toString('base64url') };
  }

  /**
   * A new token for a device that just logged in, replacing the one it
   * presented (a token is good until its device next logs in), within the
   * login's transaction. Only the newest tokens of a user are kept.
   */
  async issue(tx: EntityManager, userId: string, replacing: KnownDevice | undefined): Promise<string> {
    const token = generateSecretToken();
    await this.users.addDeviceToken(tx, {
      userId,
      tokenHash: hashSecret(token),
      ttlDays: DEVICE_TOKEN_TTL_DAYS,
      replacing: replacing?.id,
      keep: DEVICE_TOKENS_PER_USER,
    });
    return token.toString('base64url');
  }
}
