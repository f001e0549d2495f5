import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import { AccessTokensService } from './access-tokens.service.js';
import { AccessTokenResponseDto } from './dto/access-token-response.dto.js';
import { KeyserverOnly } from './keyserver-api-key.guard.js';

@ApiTags('access-tokens')
@Controller()
export class AccessTokensController {
  constructor(private readonly accessTokens: AccessTokensService) {}

  @Authenticated()
  @Post('api/user/access-token')
  getAccessToken(@CurrentSession() session: AuthenticatedSession): Promise<AccessTokenResponseDto> {
    return this.accessTokens.getAccessToken(session);
  }

  @KeyserverOnly()
  @Post('keyserver/user/validate')
  @HttpCode(HttpStatus.OK)
  validateUser(@Body() request: ValidateUserRequestDto): Promise<ValidateUserResponseDto> {
    return this.accessTokens.validateUser(request);
  }
}
