import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { Metrics, RateLimits } from '@app/platform';
import type { Counter } from 'prom-client';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { decodeSecretToken, generateSecretToken, hashSecret } from '../core/secrets.js';
import { KeyChangesService } from '../key-changes/key-changes.service.js';
import { AccessTokensRepository } from './access-tokens.repository.js';
import type { AccessTokenResponseDto } from './dto/access-token-response.dto.js';

/** The protocol's lifetime for an access token. */
export const ACCESS_TOKEN_TTL_SECONDS = 60;

@Injectable()
export class AccessTokensService {
  private readonly issued: Counter;
  private readonly spent: Counter;

  constructor(
    private readonly accessTokens: AccessTokensRepository,
    private readonly limits: RateLimits,
    private readonly keyChanges: KeyChangesService,
    metrics: Metrics,
  ) {
    this.issued = metrics.counter({ name: 'kx_access_tokens_issued_total', help: 'Access tokens issued to sessions' });
    this.spent = metrics.counter({
      name: 'kx_access_tokens_spent_total',
      help: 'Access tokens the keyserver redeemed (validateUser answered valid)',
    });
  }

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
    const expiresAt = await this.accessTokens.insertForSession({
      tokenHash: hashSecret(token),
      sessionId: session.sessionId,
      ttlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    if (!expiresAt) throw new UnauthorizedException('This session has ended');
    this.issued.inc();
    return { accessToken: token.toString('base64url'), expiresAt: expiresAt.toISOString() };
  }

  /**
   * Spends the token, whatever the answer: one statement marks it, so of any
   * number of concurrent validations (on any instance) exactly one sees it
   * unspent. It is good only while it and its session are live. The
   * keyserver's abandonKeyChange names the change to abandon here: only a
   * secured session may, and a committed change stays committed.
   */
  async validateUser({
    userId,
    accessToken,
    abandonKeyChangeId,
  }: ValidateUserRequestDto): Promise<ValidateUserResponseDto> {
    const secret = decodeSecretToken(accessToken);
    const token = secret && (await this.accessTokens.spend(hashSecret(secret)));
    if (!token?.live || token.user_id !== userId) {
      throw new ForbiddenException('The access token is unknown, expired, already used, or for another user');
    }
    this.spent.inc();
    const abandoned =
      abandonKeyChangeId !== undefined &&
      token.session_secured &&
      (await this.keyChanges.abandon(userId, abandonKeyChangeId));
    return {
      valid: true,
      userId,
      keyConfirmed: token.key_confirmed,
      publicKeyFingerprint: token.fingerprint,
      sessionSecured: token.session_secured,
      keyVersion: token.key_version,
      committedKeyChange:
        token.committed_change_id === null
          ? null
          : { keyChangeId: token.committed_change_id, baseVersion: token.committed_base_version! },
      abandonedKeyChangeId: abandoned ? abandonKeyChangeId : null,
    };
  }
}
