import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ClientAddress, RequestOrigin } from '@app/platform';
import { Authenticated, Public } from './auth-policy.js';
import { AuthService } from './auth.service.js';
import { CurrentSession, type AuthenticatedSession } from './current-session.decorator.js';
import { CredentialsDto, LoginRequestDto } from './dto/credentials.dto.js';
import { DeleteAccountRequestDto } from './dto/delete-account.dto.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { RegisterResponseDto } from './dto/register-response.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { SecretsHeldConflictResponseDto } from '../secrets/dto/secret-responses.dto.js';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/register')
  @ApiOperation({
    summary: 'Create an account',
    description:
      'The password field carries the login secret the client derived (`deriveLoginSecret`), never the password.',
  })
  @ApiErrors({
    400: 'Invalid email or password field',
    409: 'The email is taken',
    429: 'Too many registrations from this address (RATE_LIMIT_REGISTER_PER_ADDRESS); see Retry-After',
    503: 'Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After',
  })
  register(
    @Body() credentials: CredentialsDto,
    @ClientAddress() address: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<RegisterResponseDto> {
    return this.auth.register(credentials, address, origin);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Authenticate: open a session (seed: authenticate)',
    description:
      '`password` is the login secret the client derives from the password (PROTOCOL.md), never the password. ' +
      'Answers a session token (12 hours by default), whether the account has a confirmed key pair, the KDF floor and ' +
      'recommendation for wrapping the private key, and a device token to send with this device’s next login. ' +
      'A wrong email or secret is the same 401; failed logins are counted per email, address and device (429 past the limits).',
  })
  @ApiErrors({
    400: 'Malformed body',
    401: 'Wrong email or password (the same answer for both)',
    429: 'Too many failed logins for this email, address or device; see Retry-After',
    503: 'Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After',
  })
  login(
    @Body() credentials: LoginRequestDto,
    @ClientAddress() address: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<LoginResponseDto> {
    return this.auth.login(credentials, address, origin);
  }

  @Authenticated()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End this session',
    description:
      'The session token stops working at once, and its unspent access tokens and challenges with it. Recorded as `session.ended`.',
  })
  @ApiErrors({ 401: 'No valid session' })
  logout(@CurrentSession() session: AuthenticatedSession, @RequestOrigin() origin: RequestOrigin): Promise<void> {
    return this.auth.logout(session, origin);
  }

  @Authenticated()
  @Get('user/me')
  @ApiOperation({
    summary: 'The signed-in user, and whether this session is secured',
    description:
      'The user’s id and email, the fingerprint of the confirmed public key (null before one is confirmed), and whether ' +
      'this session has answered a session challenge. A client checks a private key it unwraps against this fingerprint.',
  })
  @ApiErrors({ 401: 'No valid session' })
  getCurrentUser(@CurrentSession() session: AuthenticatedSession): Promise<UserResponseDto> {
    return this.auth.me(session);
  }

  @Authenticated({ secured: true })
  @Post('user/delete')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete the account (secured session, current password)',
    description:
      'Deletes the user, sessions, tokens, challenges, keys and events in one transaction; the email can register again. ' +
      'Delete the private key on the keyserver first (`deletePrivateKey`): nothing can recover it afterwards. ' +
      'A wrong password counts as a failed login for the email. The user leaves every shared secret as leaveSecret ' +
      'would (the others are asked to rotate; a secret it alone held is deleted); 409, with the `secretIds`, while it ' +
      'is the last owner of a secret others still hold, or while a secret is being shared with it.',
  })
  @ApiErrors({
    400: 'Malformed body',
    401: 'No valid session',
    403: 'This session is not secured, or the current password is wrong (the session stays)',
    409: {
      description:
        'The user is the last owner of shared secrets others still hold, or secrets were shared with it meanwhile (secretIds)',
      type: SecretsHeldConflictResponseDto,
      example: { secretIds: ['0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e'] },
    },
    429: 'Too many failed logins for this email or address; see Retry-After',
    503: 'Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After',
  })
  deleteAccount(
    @CurrentSession() session: AuthenticatedSession,
    @Body() request: DeleteAccountRequestDto,
    @ClientAddress() address: string,
  ): Promise<void> {
    return this.auth.deleteAccount(session, request, address);
  }
}
