import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventsPageDto, ListEventsQueryDto } from '@app/contracts';
import { ApiErrors, EventsRepository } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';

@ApiTags('events')
@Controller('api/user/events')
export class EventsController {
  constructor(private readonly events: EventsRepository) {}

  @Authenticated({ secured: true })
  @Get()
  @ApiOperation({
    summary: 'The user’s server events, newest first, 50 a page (secured session)',
    description:
      '`registered`, `login.succeeded`, `login.failed`, `session.secured`, `session.ended`, `public-key.put`, ' +
      '`key.confirmed`, `key-change.committed`, `key-change.abandoned`, `secret.created`, `secret.member-added`, ' +
      '`secret.member-removed`, `secret.left`, `secret.rotated`, `secret.deleted`, `secret.role-changed`, each with when, the client’s address and its ' +
      'User-Agent; never a token, secret or blob. Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.',
  })
  @ApiErrors({
    400: 'cursor is not a nextCursor this API issued',
    401: 'No valid session',
    403: 'This session is not secured: answer a session challenge first',
  })
  listEvents(
    @CurrentSession() session: AuthenticatedSession,
    @Query() query: ListEventsQueryDto,
  ): Promise<EventsPageDto> {
    return this.events.list(session.userId, query.cursor);
  }
}
