import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { fromBase64Url } from '@app/crypto';
// node:crypto's HPKE: the same bytes as the isomorphic sealer, several times faster (RFC 9180 vectors in libs/crypto).
import { sealSessionChallenge } from '@app/crypto/node';
import { EventsRepository, Metrics, RateLimits, type RequestOrigin } from '@app/platform';
import type { Counter } from 'prom-client';
import { randomUUID } from 'node:crypto';
import { AuthService } from '../auth/auth.service.js';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { equalHashes, generateSecretToken, hashSecret } from '../core/secrets.js';
import { serverEvent } from '../events/server-events.js';
import { PublicKeysService } from '../public-keys/public-keys.service.js';
import type { SessionChallengeResponseDto } from './dto/session-challenge-response.dto.js';
import { SessionChallengesRepository } from './session-challenges.repository.js';
import type {
  SubmitSessionChallengeRequestDto,
  SubmitSessionChallengeResponseDto,
} from './dto/submit-session-challenge.dto.js';

/** The protocol's lifetime for a session challenge. */
export const SESSION_CHALLENGE_TTL_SECONDS = 60;

/** What became of an answer, as kx_session_challenges_total{result} counts it (with `issued` for a challenge made). */
type Answer =
  | 'secured'
  /** No live, unanswered challenge of that id for this session: expired, already answered, or never this session's. */
  | 'not_live'
  | 'wrong_token'
  /** The key it was sealed to was replaced meanwhile. */
  | 'key_replaced';

@Injectable()
export class SessionChallengeService {
  private readonly results: Counter<'result'>;

  constructor(
    private readonly challenges: SessionChallengesRepository,
    private readonly publicKeys: PublicKeysService,
    private readonly auth: AuthService,
    private readonly limits: RateLimits,
    private readonly events: EventsRepository,
    metrics: Metrics,
  ) {
    this.results = metrics.counter({
      name: 'kx_session_challenges_total',
      help: 'Session challenges issued, and answers by result (secured, not_live, wrong_token, key_replaced)',
      labelNames: ['result'],
    });
  }

  /** Counted when issued. */
  getSessionChallenge(session: AuthenticatedSession): Promise<SessionChallengeResponseDto> {
    return this.limits.attempt(
      [{ limit: 'challengesPerSession', key: session.sessionId }],
      () => this.issue(session),
      (outcome) => outcome.ok,
    );
  }

  private async issue(session: AuthenticatedSession): Promise<SessionChallengeResponseDto> {
    const challengeId = randomUUID();
    const token = generateSecretToken();
    const issued = await this.challenges.insertForCurrentKey({
      id: challengeId,
      sessionId: session.sessionId,
      userId: session.userId,
      tokenHash: hashSecret(token),
      ttlSeconds: SESSION_CHALLENGE_TTL_SECONDS,
    });
    if (!issued) {
      // Nothing was stored: say why (the rare path pays the extra read).
      if (!(await this.publicKeys.currentKey(session.userId)))
        throw new ConflictException('This user has no public key to seal a challenge to: put one first');
      throw new ConflictException(
        'The public key changed, or this session ended, while the challenge was made: ask again',
      );
    }
    const { enc, ciphertext } = sealSessionChallenge({ publicKey: issued.public_key, challengeId, token });
    const expiresAt = issued.expires_at;
    this.results.inc({ result: 'issued' });
    return {
      challengeId,
      enc: Buffer.from(enc).toString('base64url'),
      ciphertext: Buffer.from(ciphertext).toString('base64url'),
      expiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * One answer per challenge, from the session that asked for it: the answer
   * spends the challenge whether or not it is right, and a right one secures
   * the session and confirms the key the challenge was sealed to.
   */
  submitSessionChallenge(
    session: AuthenticatedSession,
    answer: SubmitSessionChallengeRequestDto,
    origin: RequestOrigin,
  ): Promise<SubmitSessionChallengeResponseDto> {
    // Counted before the answer is checked, given back unless it is refused: concurrent guesses cannot slip past.
    return this.limits.attempt(
      [{ limit: 'wrongAnswersPerSession', key: session.sessionId }],
      () => this.check(session, answer, origin),
      (outcome) => !outcome.ok && outcome.error instanceof ForbiddenException,
    );
  }

  private async check(
    session: AuthenticatedSession,
    { challengeId, token }: SubmitSessionChallengeRequestDto,
    origin: RequestOrigin,
  ): Promise<SubmitSessionChallengeResponseDto> {
    const answer = await this.challenges.transaction(async (tx): Promise<Answer> => {
      // Same lock order as putPublicKey (user, key, challenge): no deadlock.
      await this.publicKeys.lockKeysOf(tx, session.userId);
      const challenge = await this.challenges.spend(tx, challengeId, session.sessionId);
      if (!challenge) return 'not_live';
      // A wrong value is refused, and the spend above is kept.
      if (!equalHashes(hashSecret(Buffer.from(fromBase64Url(token))), challenge.tokenHash)) return 'wrong_token';
      const key = await this.publicKeys.confirm(tx, challenge.publicKeyId);
      if (key === 'replaced') return 'key_replaced';
      if (key === 'confirmed') await this.events.record(serverEvent(session.userId, 'key.confirmed', origin), tx);
      if (!session.secured) await this.events.record(serverEvent(session.userId, 'session.secured', origin), tx);
      await this.auth.secure(tx, session.sessionId);
      return 'secured';
    });
    this.results.inc({ result: answer });
    if (answer !== 'secured') {
      throw new ForbiddenException(
        'The challenge was not passed: wrong token, expired, already answered, not this session’s, or its key was replaced',
      );
    }
    return { secured: true };
  }
}
