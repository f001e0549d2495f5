import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
  register(@Body() credentials: CredentialsDto): Promise<RegisterResponseDto> {
    return this.auth.register(credentials);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  login(@Body() credentials: CredentialsDto): Promise<LoginResponseDto> {
    return this.auth.login(credentials);
  }

  @Authenticated()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  logout(@CurrentSession() session: AuthenticatedSession): Promise<void> {
    return this.auth.logout(session);
  }

  @Authenticated()
  @Get('user/me')
  me(@CurrentSession() session: AuthenticatedSession): Promise<UserResponseDto> {
    return this.auth.me(session);
  }
}
