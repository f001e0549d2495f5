import { Body, Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { PutPublicKeyDto } from './dto/put-public-key.dto.js';
import { PublicKeyResponseDto, UserPublicKeyResponseDto } from './dto/public-key-response.dto.js';
import { PublicKeysService } from './public-keys.service.js';

@ApiTags('public-keys')
@Controller('api')
export class PublicKeysController {
  constructor(private readonly publicKeys: PublicKeysService) {}

  @Authenticated()
  @Put('user/public-key')
  putPublicKey(
    @CurrentSession() session: AuthenticatedSession,
    @Body() dto: PutPublicKeyDto,
  ): Promise<PublicKeyResponseDto> {
    return this.publicKeys.putPublicKey(session, dto);
  }

  @Authenticated({ secured: true })
  @Get('users/:userId/public-key')
  getPublicKeyForUser(
    @Param('userId', ParseUUIDPipe) userId: string,
  ): Promise<UserPublicKeyResponseDto> {
    return this.publicKeys.getPublicKeyForUser(userId);
  }
}
