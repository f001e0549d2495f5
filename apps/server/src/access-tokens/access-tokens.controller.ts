import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { ApiErrors } from '@app/platform';
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
  @ApiOperation({
    summary: 'A one-time, 60-second token for one keyserver request (seed: getAccessToken)',
    description:
      'Each keyserver request spends one token, which the keyserver redeems with the server. The token belongs to this ' +
      'session: it dies when the session ends, and it carries whether the session is secured.',
  })
  @ApiErrors({
    401: 'No valid session',
    429: 'Too many access tokens for this session (RATE_LIMIT_ACCESS_TOKENS_PER_SESSION), or too many requests from this address; see Retry-After',
  })
  getAccessToken(@CurrentSession() session: AuthenticatedSession): Promise<AccessTokenResponseDto> {
    return this.accessTokens.getAccessToken(session);
  }

  @KeyserverOnly()
  @Post('keyserver/user/validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Keyserver only: validate and spend an access token for a user (seed: validateUser)',
    description:
      'Any call spends the token, whatever the answer; of concurrent calls exactly one can succeed. The answer names ' +
      'the last committed key change, which the keyserver makes current; with abandonKeyChangeId and a token from a ' +
      'secured session, that change is recorded as abandoned unless it is committed.',
  })
  @ApiErrors(
    {
      400: 'Malformed body',
      401: 'Missing or wrong keyserver API key',
      403: 'The token is unknown, expired, spent, or another user’s',
    },
    { exemptFromCeiling: true },
  )
  validateUser(@Body() request: ValidateUserRequestDto): Promise<ValidateUserResponseDto> {
    return this.accessTokens.validateUser(request);
  }
}
