import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, RequestOrigin } from '@app/platform';
import { EventsPageDto, ListEventsQueryDto } from '@app/contracts';
import { AccessToken, RequiresAccessToken } from './access-token.guard.js';
import {
  AppliedKeyChangeResponseDto,
  StagedKeyChangeResponseDto,
  StageKeyChangeRequestDto,
} from './dto/key-change.dto.js';
import { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';
import { KeysService } from './keys.service.js';
import { ParseKeyChangeIdPipe, ParseUserIdPipe } from './user-id.pipe.js';

const ACCESS_ERRORS = {
  401: 'No access token',
  403: 'The server rejected the access token (unknown, expired, spent, another user’s, or its session ended)',
  429: 'Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After',
  503: 'The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After',
};

@ApiTags('keys')
@ApiParam({
  name: 'userId',
  type: String,
  format: 'uuid',
  description: 'The user whose key this is; must match the access token',
})
@Controller('api/keys/:userId')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @RequiresAccessToken()
  @Post()
  @ApiOperation({
    summary: 'Store the user’s encrypted private key, bound to its public key (seed: putPrivateKey)',
    description:
      'The path and body are validated before the access token is spent. `publicKeyFingerprint` must be the ' +
      'user’s current public key on the server (409 otherwise). The first blob stored for a public key is final ' +
      '(409); a stored blob of another key is replaced. Once the key is confirmed, only a token from a secured ' +
      'session may store (the repair path for an account left holding another key’s blob).',
  })
  @ApiErrors({
    400: 'Malformed blob, KDF parameters out of bounds, or userId not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    409: 'publicKeyFingerprint is not the user’s current public key, a blob for this key is stored already, or the key is confirmed and the token’s session is not secured',
  })
  putPrivateKey(
    @Param('userId', ParseUserIdPipe) userId: string,
    @AccessToken() accessToken: string,
    @Body() dto: PutPrivateKeyRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<PutPrivateKeyResponseDto> {
    return this.keys.putPrivateKey(userId, accessToken, dto, origin);
  }

  @RequiresAccessToken()
  @Get()
  @ApiOperation({
    summary:
      'The user’s encrypted private key, with its iv, salt, KDF parameters and public key fingerprint (seed: getEncryptedPrivateKey)',
    description:
      'Spends an access token and counts against RATE_LIMIT_KEYS_PER_USER; every fetch is recorded as `key.fetched` ' +
      'before the blob leaves. A committed key change is applied first, so the blob is always the version whose ' +
      'password the server accepts. `pendingChanges` lists the changes staged and not yet applied, so that a client ' +
      'that stopped can finish or abandon one.',
  })
  @ApiErrors({
    400: 'userId is not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    404: 'No blob is stored for this user',
  })
  getEncryptedPrivateKey(
    @Param('userId', ParseUserIdPipe) userId: string,
    @AccessToken() accessToken: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<EncryptedPrivateKeyResponseDto> {
    return this.keys.getEncryptedPrivateKey(userId, accessToken, origin);
  }

  @RequiresAccessToken()
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete the user’s encrypted private key, staged key changes and keyserver events (deletePrivateKey)',
    description:
      'The first step of deleting the account: the client then asks the server to delete the user. Spends an ' +
      'access token, which must come from a secured session, and counts against RATE_LIMIT_KEYS_PER_USER. ' +
      'Everything is deleted in one transaction; 204 also when nothing was stored, so a retry after a lost answer ' +
      'succeeds. Records no event: the user’s log is deleted with the rest.',
  })
  @ApiErrors({
    400: 'userId is not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    403: 'The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured',
  })
  deletePrivateKey(
    @Param('userId', ParseUserIdPipe) userId: string,
    @AccessToken() accessToken: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.keys.deletePrivateKey(userId, accessToken, origin);
  }

  @RequiresAccessToken()
  @Get('events')
  @ApiOperation({
    summary: 'The user’s keyserver events, newest first, 50 a page (listKeyEvents)',
    description:
      'Key stores, fetches and refused requests (`key.stored`, `key.fetched`, `key.fetch-refused`, `key-change.*`), ' +
      'each with when, the client’s address and its User-Agent; never a token, secret or blob. Spends an access token, ' +
      'which must come from a secured session. Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.',
  })
  @ApiErrors({
    400: 'cursor is not a nextCursor this API issued, or userId is not a UUID (the token is not spent)',
    401: ACCESS_ERRORS[401],
    403: 'The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured',
    503: ACCESS_ERRORS[503],
  })
  listKeyEvents(
    @Param('userId', ParseUserIdPipe) userId: string,
    @AccessToken() accessToken: string,
    @Query() query: ListEventsQueryDto,
  ): Promise<EventsPageDto> {
    return this.keys.listKeyEvents(userId, accessToken, query.cursor);
  }

  @RequiresAccessToken()
  @Post('key-changes')
  @ApiOperation({
    summary:
      'Stage a key change: the same private key wrapped anew, under a new password or stronger KDF parameters (stageKeyChange)',
    description:
      'The first of two phases: the server commits the change (commitKeyChange) with the receipt answered here, and ' +
      'the keyserver then makes it current (on the next request of the user, or applyKeyChange). A staged change is ' +
      'immutable, and kept until it is applied or abandoned. Needs a token from a secured session; counts against ' +
      'RATE_LIMIT_KEYS_PER_USER.',
  })
  @ApiErrors({
    400: 'Malformed blob, KDF parameters out of bounds, or userId not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    403: 'The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured',
    409: 'No blob of the confirmed key is stored, publicKeyFingerprint is not the confirmed key, baseVersion is not the current version, or 5 changes are staged already',
  })
  stageKeyChange(
    @Param('userId', ParseUserIdPipe) userId: string,
    @AccessToken() accessToken: string,
    @Body() dto: StageKeyChangeRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<StagedKeyChangeResponseDto> {
    return this.keys.stageKeyChange(userId, accessToken, dto, origin);
  }

  @RequiresAccessToken()
  @Post('key-changes/:keyChangeId/apply')
  @HttpCode(HttpStatus.OK)
  @ApiParam({ name: 'keyChangeId', type: String, format: 'uuid' })
  @ApiOperation({
    summary: 'Make a committed key change current (applyKeyChange)',
    description:
      'Every request of the user already applies the server’s last committed change first; this asks for it ' +
      'explicitly. Answers the key’s current version once the change is applied, now or earlier. Any valid access ' +
      'token of the user; counts against RATE_LIMIT_KEYS_PER_USER.',
  })
  @ApiErrors({
    400: 'userId or keyChangeId is not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    404: 'No change with this id is staged or applied for this user',
    409: 'The change is staged but not committed',
  })
  applyKeyChange(
    @Param('userId', ParseUserIdPipe) userId: string,
    @Param('keyChangeId', ParseKeyChangeIdPipe) keyChangeId: string,
    @AccessToken() accessToken: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<AppliedKeyChangeResponseDto> {
    return this.keys.applyKeyChange(userId, keyChangeId, accessToken, origin);
  }

  @RequiresAccessToken()
  @Delete('key-changes/:keyChangeId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam({ name: 'keyChangeId', type: String, format: 'uuid' })
  @ApiOperation({
    summary: 'Abandon a staged key change (abandonKeyChange)',
    description:
      'The keyserver asks the server, through the token’s validation, to record the change as abandoned so it can ' +
      'never be committed, then deletes it. A change the server has committed is applied instead and answered 409. ' +
      'Needs a token from a secured session; counts against RATE_LIMIT_KEYS_PER_USER.',
  })
  @ApiErrors({
    400: 'userId or keyChangeId is not a UUID (the token is not spent)',
    ...ACCESS_ERRORS,
    403: 'The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured',
    404: 'No change with this id is staged for this user',
    409: 'This change was committed and is now current',
  })
  abandonKeyChange(
    @Param('userId', ParseUserIdPipe) userId: string,
    @Param('keyChangeId', ParseKeyChangeIdPipe) keyChangeId: string,
    @AccessToken() accessToken: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.keys.abandonKeyChange(userId, keyChangeId, accessToken, origin);
  }
}
