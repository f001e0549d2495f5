import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, RequestOrigin } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { PutPublicKeyRequestDto } from './dto/put-public-key.dto.js';
import { PublicKeyResponseDto, UserPublicKeyResponseDto } from './dto/public-key-response.dto.js';
import { PublicKeysService } from './public-keys.service.js';

@ApiTags('public-keys')
@Controller('api')
export class PublicKeysController {
  constructor(private readonly publicKeys: PublicKeysService) {}

  @Authenticated()
  @Put('user/public-key')
  @ApiOperation({
    summary: 'Store the user’s public key (seed: create keypair, step 3)',
    description:
      'The key is pending until a session challenge sealed to it is answered. A pending key may be replaced ' +
      '(challenges sealed to it are voided); a confirmed key may not.',
  })
  @ApiErrors({
    400: 'Not an X25519 public key of this algorithm, or a low-order point',
    401: 'No valid session',
    409: 'The user already has a confirmed key',
  })
  putPublicKey(
    @CurrentSession() session: AuthenticatedSession,
    @Body() dto: PutPublicKeyRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<PublicKeyResponseDto> {
    return this.publicKeys.putPublicKey(session, dto, origin);
  }

  @Authenticated({ secured: true })
  @Get('users/:userId/public-key')
  @ApiParam({ name: 'userId', type: String, format: 'uuid', description: 'The user whose public key this is' })
  @ApiOperation({
    summary: 'A user’s confirmed public key (a protected endpoint: needs a secured session)',
    description:
      'The key others encrypt to, with its fingerprint to compare out of band. A pending key (not yet confirmed by a ' +
      'session challenge) is never served: 404, the same as for an unknown user.',
  })
  @ApiErrors({
    400: 'userId is not a UUID',
    401: 'No valid session',
    403: 'This session is not secured',
    404: 'No such user, or no confirmed key',
  })
  getPublicKeyForUser(@Param('userId', ParseUUIDPipe) userId: string): Promise<UserPublicKeyResponseDto> {
    return this.publicKeys.getPublicKeyForUser(userId);
  }
}
