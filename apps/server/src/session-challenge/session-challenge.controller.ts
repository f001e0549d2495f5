import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, RequestOrigin } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { SessionChallengeResponseDto } from './dto/session-challenge-response.dto.js';
import {
  SubmitSessionChallengeRequestDto,
  SubmitSessionChallengeResponseDto,
} from './dto/submit-session-challenge.dto.js';
import { SessionChallengeService } from './session-challenge.service.js';

@ApiTags('session-challenge')
@Controller('api/user/session-challenge')
export class SessionChallengeController {
  constructor(private readonly sessionChallenge: SessionChallengeService) {}

  @Authenticated()
  @Post()
  @ApiOperation({
    summary: 'A 32-byte token sealed to the user’s public key with HPKE (seed: getSessionChallenge)',
    description: 'Lives 60 seconds, belongs to this session, and takes exactly one answer.',
  })
  @ApiErrors({
    401: 'No valid session',
    409: 'The user has no public key',
    429: 'Too many challenges for this session (RATE_LIMIT_CHALLENGES_PER_SESSION), or too many requests from this address; see Retry-After',
  })
  getSessionChallenge(@CurrentSession() session: AuthenticatedSession): Promise<SessionChallengeResponseDto> {
    return this.sessionChallenge.getSessionChallenge(session);
  }

  @Authenticated()
  @Post('answer')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Answer a session challenge with the opened token (seed: submitSessionChallenge)',
    description:
      'A right answer secures this session and confirms the key. A wrong 32-byte answer spends the challenge.',
  })
  @ApiErrors({
    400: 'Malformed: the token is not 32 bytes of base64url (the challenge is not spent)',
    401: 'No valid session',
    403: 'Wrong token, expired, already answered, another session’s challenge, or its key was replaced',
    429: 'Too many refused answers from this session (RATE_LIMIT_WRONG_ANSWERS_PER_SESSION), or too many requests from this address; the challenge is not spent; see Retry-After',
  })
  submitSessionChallenge(
    @CurrentSession() session: AuthenticatedSession,
    @Body() answer: SubmitSessionChallengeRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<SubmitSessionChallengeResponseDto> {
    return this.sessionChallenge.submitSessionChallenge(session, answer, origin);
  }
}
