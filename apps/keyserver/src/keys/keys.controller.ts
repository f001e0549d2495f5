import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { ValidateUserResponseDto } from '@app/contracts';
import { ApiErrors } from '@app/platform';
import { RequiresAccessToken, ValidatedUser } from './access-token.guard.js';
import { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';
import { KeysService } from './keys.service.js';

const ACCESS_ERRORS = {
  401: 'No access token',
  403: 'The server rejected the access token (unknown, expired, spent, or another user’s)',
  503: 'The server could not be reached to validate the token',
};

@ApiTags('keys')
@ApiParam({ name: 'userId', type: String, format: 'uuid', description: 'The user whose key this is; must match the access token' })
@Controller('api/keys/:userId')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @RequiresAccessToken()
  @Post()
  @ApiOperation({
    summary: 'Store the user’s encrypted private key (seed: putPrivateKey)',
    description: 'Replaces a stored blob while the user’s public key is not confirmed; after that, 409.',
  })
  @ApiErrors({
    400: 'Malformed blob, KDF parameters out of bounds, or userId not a UUID',
    ...ACCESS_ERRORS,
    409: 'A blob is stored and the key is confirmed',
  })
  putPrivateKey(
    @ValidatedUser() user: ValidateUserResponseDto,
    @Body() dto: PutPrivateKeyRequestDto,
  ): Promise<PutPrivateKeyResponseDto> {
    return this.keys.putPrivateKey(user, dto);
  }

  @RequiresAccessToken()
  @Get()
  @ApiOperation({ summary: 'The user’s encrypted private key, with its iv, salt and KDF parameters (seed: getEncryptedPrivateKey)' })
  @ApiErrors({ 400: 'userId is not a UUID', ...ACCESS_ERRORS, 404: 'No blob is stored for this user' })
  getEncryptedPrivateKey(@ValidatedUser() user: ValidateUserResponseDto): Promise<EncryptedPrivateKeyResponseDto> {
    return this.keys.getEncryptedPrivateKey(user);
  }
}
