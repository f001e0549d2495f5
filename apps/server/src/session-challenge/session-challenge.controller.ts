import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { SessionChallengeResponseDto } from './dto/session-challenge-response.dto.js';
import { SubmitSessionChallengeDto, SubmitSessionChallengeResponseDto } from './dto/submit-session-challenge.dto.js';
import { SessionChallengeService } from './session-challenge.service.js';

@ApiTags('session-challenge')
@Controller('api/user/session-challenge')
export class SessionChallengeController {
  constructor(private readonly sessionChallenge: SessionChallengeService) {}

  @Authenticated()
  @Post()
  getSessionChallenge(@CurrentSession() session: AuthenticatedSession): Promise<SessionChallengeResponseDto> {
    return this.sessionChallenge.getSessionChallenge(session);
  }

  @Authenticated()
  @Post('answer')
  @HttpCode(HttpStatus.OK)
  submitSessionChallenge(
    @CurrentSession() session: AuthenticatedSession,
    @Body() answer: SubmitSessionChallengeDto,
  ): Promise<SubmitSessionChallengeResponseDto> {
    return this.sessionChallenge.submitSessionChallenge(session, answer);
  }
}
