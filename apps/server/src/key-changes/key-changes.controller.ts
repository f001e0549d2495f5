import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ClientAddress, RequestOrigin } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { CommitKeyChangeRequestDto, CommittedKeyChangeResponseDto } from './dto/commit-key-change.dto.js';
import { KeyChangesService } from './key-changes.service.js';

@ApiTags('key-changes')
@Controller('api/user')
export class KeyChangesController {
  constructor(private readonly keyChanges: KeyChangesService) {}

  @Authenticated({ secured: true })
  @Post('key-change')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Commit a key change staged on the keyserver: a new password, or a stronger KDF (commitKeyChange)',
    description:
      'The second of two phases. Checked in this order: the body and the keyserver’s receipt (400); baseVersion is ' +
      'the key’s keyVersion, the change was not abandoned nor committed from another session (409); the current ' +
      'password (403, counted as a failed login for the email; 429 like a login past its limits). Then, in one ' +
      'transaction: keyVersion becomes baseVersion + 1, and with newPassword the login verifier is replaced and every ' +
      'other session ends with its unspent access tokens and challenges. A retry from the committing session answers ' +
      '200 with the same body and changes nothing, without checking the password again. The keyserver makes the ' +
      'change current on the user’s next request (or applyKeyChange).',
  })
  @ApiErrors({
    400: 'Malformed body, or a receipt that does not verify',
    401: 'No valid session',
    403: 'This session is not secured, or the current password is wrong (the session stays)',
    409: 'baseVersion is not the key’s keyVersion (or there is no confirmed key), the change was abandoned, or it was committed from another session',
    429: 'Too many failed logins for this email or address; see Retry-After',
    503: 'Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After',
  })
  commitKeyChange(
    @CurrentSession() session: AuthenticatedSession,
    @Body() request: CommitKeyChangeRequestDto,
    @ClientAddress() address: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<CommittedKeyChangeResponseDto> {
    return this.keyChanges.commitKeyChange(session, request, address, origin);
  }
}
