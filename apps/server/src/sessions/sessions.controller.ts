import { Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, RequestOrigin } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { SessionsResponseDto } from './dto/session.dto.js';
import { SessionsService } from './sessions.service.js';

const SECURED_ONLY = { 401: 'No valid session', 403: 'This session is not secured: answer a session challenge first' };

@ApiTags('sessions')
@Controller('api/user/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Authenticated({ secured: true })
  @Get()
  @ApiOperation({
    summary: 'The user’s live sessions, newest first (secured session)',
    description:
      'Each with its id (never its token), when it was opened, last used and expires, whether it is secured, the address ' +
      'and User-Agent it logged in from, and `current` for the caller’s own.',
  })
  @ApiErrors(SECURED_ONLY)
  listSessions(@CurrentSession() session: AuthenticatedSession): Promise<SessionsResponseDto> {
    return this.sessions.listSessions(session);
  }

  @Authenticated({ secured: true })
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam({ name: 'id', type: String, format: 'uuid', description: 'A session id from listSessions' })
  @ApiOperation({
    summary: 'End one of the user’s sessions (secured session)',
    description: 'Its unspent access tokens and challenges end with it. The current session may end itself.',
  })
  @ApiErrors({ 400: 'id is not a UUID', ...SECURED_ONLY, 404: 'The user has no session with this id' })
  endSession(
    @CurrentSession() session: AuthenticatedSession,
    @Param('id', ParseUUIDPipe) id: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.sessions.endSession(session, id, origin);
  }

  @Authenticated({ secured: true })
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End every session of the user but this one (secured session)',
    description: 'Their unspent access tokens and challenges end with them.',
  })
  @ApiErrors(SECURED_ONLY)
  endOtherSessions(
    @CurrentSession() session: AuthenticatedSession,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.sessions.endOtherSessions(session, origin);
  }
}
