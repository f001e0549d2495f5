import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { fromBase64Url } from '@app/crypto';
import type { DataSource } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { generateSecretToken, hashSecret } from '../core/secrets.js';
import type { AccessTokenResponseDto } from './dto/access-token-response.dto.js';

/** The protocol's lifetime for an access token. */
export const ACCESS_TOKEN_TTL_SECONDS = 60;

@Injectable()
export class AccessTokensService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async getAccessToken(session: AuthenticatedSession): Promise<AccessTokenResponseDto> {
    const token = generateSecretToken();
    const [row] = await this.db.query<{ expires_at: Date }[]>(
      `INSERT INTO access_tokens (token_hash, user_id, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3::int)) RETURNING expires_at`,
      [hashSecret(token), session.userId, ACCESS_TOKEN_TTL_SECONDS],
    );
    return { accessToken: token.toString('base64url'), expiresAt: row.expires_at.toISOString() };
  }

  /**
   * Spends the token, whatever the answer: one statement marks it, so of any
   * number of concurrent validations (on any instance) exactly one sees it unspent.
   */
  async validateUser({ userId, accessToken }: ValidateUserRequestDto): Promise<ValidateUserResponseDto> {
    // One round trip: the spend and the key's state, on the keyserver's every request.
    const [token] = await this.db.query<{ user_id: string; live: boolean; key_confirmed: boolean }[]>(
      `WITH spent AS (
         UPDATE access_tokens SET spent_at = now()
          WHERE token_hash = $1 AND spent_at IS NULL
          RETURNING user_id, expires_at > now() AS live)
       SELECT user_id, live,
              EXISTS (SELECT 1 FROM public_keys k WHERE k.user_id = spent.user_id AND k.confirmed_at IS NOT NULL) AS key_confirmed
         FROM spent`,
      [hashSecret(Buffer.from(fromBase64Url(accessToken)))],
    );
    if (!token?.live || token.user_id !== userId) {
      throw new ForbiddenException('The access token is unknown, expired, already used, or for another user');
    }
    return { valid: true, userId, keyConfirmed: token.key_confirmed };
  }
}
