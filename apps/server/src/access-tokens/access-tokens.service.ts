import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { RateLimits } from '@app/platform';
import type { DataSource } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { decodeSecretToken, generateSecretToken, hashSecret } from '../core/secrets.js';
import type { AccessTokenResponseDto } from './dto/access-token-response.dto.js';

/** The protocol's lifetime for an access token. */
export const ACCESS_TOKEN_TTL_SECONDS = 60;

interface SpentToken {
  user_id: string;
  live: boolean;
  session_secured: boolean;
  key_confirmed: boolean;
  fingerprint: string | null;
}

@Injectable()
export class AccessTokensService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly limits: RateLimits,
  ) {}

  /** A token bound to the session that asks for it: it dies with that session. Counted when issued. */
  getAccessToken(session: AuthenticatedSession): Promise<AccessTokenResponseDto> {
    return this.limits.attempt(
      [{ limit: 'accessTokensPerSession', key: session.sessionId }],
      () => this.issue(session),
      (outcome) => outcome.ok,
    );
  }

  private async issue(session: AuthenticatedSession): Promise<AccessTokenResponseDto> {
    const token = generateSecretToken();
    const [row] = await this.db.query<{ expires_at: Date }[]>(
      // From the session row itself, so a logout racing this request leaves nothing behind.
      `INSERT INTO access_tokens (token_hash, user_id, session_id, expires_at)
       SELECT $1, s.user_id, s.id, now() + make_interval(secs => $3::int)
         FROM sessions s WHERE s.id = $2 FOR KEY SHARE
       RETURNING expires_at`,
      [hashSecret(token), session.sessionId, ACCESS_TOKEN_TTL_SECONDS],
    );
    if (!row) throw new UnauthorizedException('This session has ended');
    return { accessToken: token.toString('base64url'), expiresAt: row.expires_at.toISOString() };
  }

  /**
   * Spends the token, whatever the answer: one statement marks it, so of any
   * number of concurrent validations (on any instance) exactly one sees it
   * unspent. It is good only while it and its session are live.
   */
  async validateUser({ userId, accessToken }: ValidateUserRequestDto): Promise<ValidateUserResponseDto> {
    const secret = decodeSecretToken(accessToken);
    // One round trip: the spend, the session's life and the key's state, on the keyserver's every request.
    const [token] = secret
      ? await this.db.query<SpentToken[]>(
          `WITH spent AS (
             UPDATE access_tokens SET spent_at = now()
              WHERE token_hash = $1 AND spent_at IS NULL
              RETURNING user_id, session_id, expires_at > now() AS live)
           SELECT spent.user_id,
                  spent.live AND s.id IS NOT NULL AS live,
                  s.secured_at IS NOT NULL AS session_secured,
                  k.confirmed_at IS NOT NULL AS key_confirmed,
                  k.fingerprint
             FROM spent
             LEFT JOIN sessions s ON s.id = spent.session_id AND s.expires_at > now()
             LEFT JOIN public_keys k ON k.user_id = spent.user_id`,
          [hashSecret(secret)],
        )
      : [];
    if (!token?.live || token.user_id !== userId) {
      throw new ForbiddenException('The access token is unknown, expired, already used, or for another user');
    }
    return {
      valid: true,
      userId,
      keyConfirmed: token.key_confirmed,
      publicKeyFingerprint: token.fingerprint,
      sessionSecured: token.session_secured,
    };
  }
}
