import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { decodeSecretToken, generateSecretToken, hashSecret } from '../core/secrets.js';

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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The device, if the token is live and the email's; anything else counts as no token at all. */
  async recognise(deviceToken: string | undefined, email: string): Promise<KnownDevice | undefined> {
    const secret = decodeSecretToken(deviceToken);
    if (!secret) return undefined;
    const tokenHash = hashSecret(secret);
    const [row] = await this.db.query<{ id: string }[]>(
      `SELECT d.id FROM device_tokens d JOIN users u ON u.id = d.user_id
        WHERE d.token_hash = $1 AND u.email = $2 AND d.expires_at > now()`,
      [tokenHash, email],
    );
    return row && { id: row.id, counterKey: tokenHash.toString('base64url') };
  }

  /**
   * A new token for a device that just logged in, replacing the one it
   * presented (a token is good until its device next logs in), within the
   * login's transaction. Only the newest tokens of a user are kept.
   */
  async issue(tx: EntityManager, userId: string, replacing: KnownDevice | undefined): Promise<string> {
    const token = generateSecretToken();
    if (replacing) await tx.query(`DELETE FROM device_tokens WHERE id = $1`, [replacing.id]);
    await tx.query(
      `INSERT INTO device_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(days => $3::int))`,
      [userId, hashSecret(token), DEVICE_TOKEN_TTL_DAYS],
    );
    await tx.query(
      `DELETE FROM device_tokens WHERE user_id = $1 AND id NOT IN (
         SELECT id FROM device_tokens WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2)`,
      [userId, DEVICE_TOKENS_PER_USER],
    );
    return token.toString('base64url');
  }
}
