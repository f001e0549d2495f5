import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ValidateUserResponseDto } from '@app/contracts';
import { RequiresAccessToken, ValidatedUser } from './access-token.guard.js';
import { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import { PutPrivateKeyDto } from './dto/put-private-key.dto.js';
import { KeysService } from './keys.service.js';

@ApiTags('keys')
@Controller('api/keys/:userId')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @RequiresAccessToken()
  @Post()
  putPrivateKey(
    @ValidatedUser() user: ValidateUserResponseDto,
    @Body() dto: PutPrivateKeyDto,
  ): Promise<PutPrivateKeyResponseDto> {
    return this.keys.putPrivateKey(user, dto);
  }

  @RequiresAccessToken()
  @Get()
  getEncryptedPrivateKey(@ValidatedUser() user: ValidateUserResponseDto): Promise<EncryptedPrivateKeyResponseDto> {
    return this.keys.getEncryptedPrivateKey(user);
  }
}
