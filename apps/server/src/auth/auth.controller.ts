import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@app/platform';
import { Authenticated, Public } from './auth-policy.js';
import { AuthService } from './auth.service.js';
import { CurrentSession, type AuthenticatedSession } from './current-session.decorator.js';
import { CredentialsDto } from './dto/credentials.dto.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { RegisterResponseDto } from './dto/register-response.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/register')
  @ApiOperation({
    summary: 'Create an account',
    description: 'The password field carries the login secret the client derived (`deriveLoginSecret`), never the password.',
  })
  @ApiErrors({ 400: 'Invalid email or password field', 409: 'The email is taken' })
  register(@Body() credentials: CredentialsDto): Promise<RegisterResponseDto> {
    return this.auth.register(credentials);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Authenticate: open a session (seed: authenticate)' })
  @ApiErrors({ 400: 'Malformed body', 401: 'Wrong email or password (the same answer for both)' })
  login(@Body() credentials: CredentialsDto): Promise<LoginResponseDto> {
    return this.auth.login(credentials);
  }

  @Authenticated()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End this session' })
  @ApiErrors({ 401: 'No valid session' })
  logout(@CurrentSession() session: AuthenticatedSession): Promise<void> {
    return this.auth.logout(session);
  }

  @Authenticated()
  @Get('user/me')
  @ApiOperation({ summary: 'The signed-in user, and whether this session is secured' })
  @ApiErrors({ 401: 'No valid session' })
  getCurrentUser(@CurrentSession() session: AuthenticatedSession): Promise<UserResponseDto> {
    return this.auth.me(session);
  }
}
