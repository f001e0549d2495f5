import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, RequestOrigin } from '@app/platform';
import { Authenticated } from '../auth/auth-policy.js';
import { CurrentSession, type AuthenticatedSession } from '../auth/current-session.decorator.js';
import {
  AddSecretMemberRequestDto,
  CreateSecretRequestDto,
  ListSecretsQueryDto,
  NewSecretVersionRequestDto,
  SetSecretMemberRoleRequestDto,
} from './dto/secret-requests.dto.js';
import {
  SecretConflictResponseDto,
  SecretResponseDto,
  SecretsPageDto,
  SecretVersionRefDto,
  SecretVersionResponseDto,
} from './dto/secret-responses.dto.js';
import { SECRET_BODY_LIMIT_BYTES } from './secret-bodies.js';
import { VersionPathPipe } from './version-path.pipe.js';
import { SecretsService } from './secrets.service.js';

const SESSION = { 401: 'No valid session', 403: 'This session is not secured: answer a session challenge first' };
const NOT_MEMBER = 'No such secret, or the caller is not a member (a member who left or was removed included)';
const OWNERS = {
  ...SESSION,
  403: 'This session is not secured, or the caller is a member but not an owner',
  404: NOT_MEMBER,
};
const LIMITED = {
  429: 'Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After',
};
const WHOLE_VERSION = `Takes a body of up to ${SECRET_BODY_LIMIT_BYTES / 1024} KiB (256 envelopes).`;
const conflict = (description: string) => ({ description, type: SecretConflictResponseDto });
const secretIdParam = ApiParam({ name: 'secretId', type: String, format: 'uuid' });
const userIdParam = ApiParam({ name: 'userId', type: String, format: 'uuid', description: 'A member' });

@ApiTags('secrets')
@Controller('api/secrets')
export class SecretsController {
  constructor(private readonly secrets: SecretsService) {}

  @Authenticated({ secured: true })
  @Post()
  @ApiOperation({
    summary: 'Create a shared secret: its first version, sealed to each member (PROTOCOL.md 12)',
    description:
      'The client draws `secretId` and seals the secret to each member’s confirmed key, its own included: the caller ' +
      'becomes the owner, the others members, and it is the sender of every envelope. A retry with an identical body ' +
      `answers 201 again; any other use of an id ever used is 409. ${WHOLE_VERSION}`,
  })
  @ApiErrors(
    {
      ...SESSION,
      ...LIMITED,
      400: 'Malformed, version other than 1, no envelope for the caller, a user named twice, or more than 256 envelopes',
      409: conflict(
        'The id is taken; or some recipients’ keys are pending, missing or not the ones named (changedUserIds)',
      ),
    },
    { bodyLimitBytes: SECRET_BODY_LIMIT_BYTES },
  )
  @HttpCode(201)
  createSecret(
    @CurrentSession() session: AuthenticatedSession,
    @Body() dto: CreateSecretRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.secrets.create(session, dto, origin);
  }

  @Authenticated({ secured: true })
  @Get()
  @ApiOperation({
    summary: 'The secrets the caller is a member of, 50 a page',
    description: 'Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.',
  })
  @ApiErrors({ ...SESSION, 400: 'cursor is not a nextCursor this API issued' })
  listSecrets(
    @CurrentSession() session: AuthenticatedSession,
    @Query() query: ListSecretsQueryDto,
  ): Promise<SecretsPageDto> {
    return this.secrets.list(session, query.cursor);
  }

  @Authenticated({ secured: true })
  @Get(':secretId')
  @secretIdParam
  @ApiOperation({
    summary: 'A secret: its current version’s commitment, the caller’s envelope, and its members',
    description:
      'Open the envelope with your key and the sender’s public key, then check the secret against the commitment ' +
      '(PROTOCOL.md 12). `keyFingerprint` is the server’s word: compare it with the fingerprint you compute.',
  })
  @ApiErrors({ ...SESSION, 404: NOT_MEMBER })
  getSecret(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
  ): Promise<SecretResponseDto> {
    return this.secrets.get(session, secretId.toLowerCase());
  }

  @Authenticated({ secured: true })
  @Get(':secretId/versions/:version')
  @secretIdParam
  @ApiParam({
    name: 'version',
    schema: { type: 'integer', minimum: 1, maximum: 2_147_483_646 },
    description: 'A version the caller was a member of',
  })
  @ApiOperation({
    summary: 'The caller’s envelope of one version',
    description:
      'For versions the caller was a member of, so that data encrypted under an older version stays readable. A ' +
      'removed member gets 404 for every version.',
  })
  @ApiErrors({ ...SESSION, 404: `${NOT_MEMBER}; or no envelope of this version for the caller` })
  getSecretVersion(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @Param('version', VersionPathPipe) version: string,
  ): Promise<SecretVersionResponseDto> {
    return this.secrets.getVersion(session, secretId.toLowerCase(), Number(version));
  }

  @Authenticated({ secured: true })
  @Post(':secretId/members')
  @secretIdParam
  @ApiOperation({
    summary: 'Add a member (owners)',
    description:
      'The body is the current version’s secret sealed to the new member’s confirmed key by the caller. Fetch the ' +
      'member’s key, compute its fingerprint and seal to that: a pending or changed key is refused (409).',
  })
  @ApiErrors({
    ...OWNERS,
    ...LIMITED,
    409: conflict(
      'version is not current; the key is pending, missing or another (changedUserIds); or already a member',
    ),
  })
  @HttpCode(201)
  addSecretMember(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @Body() dto: AddSecretMemberRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.secrets.addMember(session, secretId.toLowerCase(), dto, origin);
  }

  @Authenticated({ secured: true })
  @Post(':secretId/members/:userId/removal')
  @secretIdParam
  @userIdParam
  @ApiOperation({
    summary: 'Remove a member and rotate, in one step (owners)',
    description:
      'The body is the next version, sealed to every remaining member: the removed member never receives it. ' +
      `Clears rotationRequired. ${WHOLE_VERSION}`,
  })
  @ApiErrors(
    {
      ...OWNERS,
      ...LIMITED,
      400: 'Malformed; or the caller names itself (leave instead)',
      404: `${NOT_MEMBER}; or the user is not a member`,
      409: conflict(
        'version is not current + 1; the envelopes do not cover exactly the remaining members (missingUserIds, ' +
          'extraUserIds); or a key is pending, missing or another (changedUserIds)',
      ),
    },
    { bodyLimitBytes: SECRET_BODY_LIMIT_BYTES },
  )
  @HttpCode(200)
  removeSecretMember(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: NewSecretVersionRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.secrets.removeMember(session, secretId.toLowerCase(), userId.toLowerCase(), dto, origin);
  }

  @Authenticated({ secured: true })
  @Post(':secretId/versions')
  @secretIdParam
  @ApiOperation({
    summary: 'Rotate: a fresh secret as the next version, sealed to every member (owners)',
    description: `Clears rotationRequired. ${WHOLE_VERSION}`,
  })
  @ApiErrors(
    {
      ...OWNERS,
      ...LIMITED,
      409: conflict(
        'version is not current + 1; the envelopes do not cover exactly the members (missingUserIds, extraUserIds); ' +
          'or a key is pending, missing or another (changedUserIds)',
      ),
    },
    { bodyLimitBytes: SECRET_BODY_LIMIT_BYTES },
  )
  @HttpCode(200)
  rotateSecret(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @Body() dto: NewSecretVersionRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.secrets.rotate(session, secretId.toLowerCase(), dto, origin);
  }

  @Authenticated({ secured: true })
  @Post(':secretId/leave')
  @secretIdParam
  @ApiOperation({
    summary: 'Leave a secret',
    description:
      'Every envelope of the caller goes; the others should rotate (rotationRequired). The last member leaving ' +
      'deletes the secret.',
  })
  @ApiErrors({ ...SESSION, ...LIMITED, 404: NOT_MEMBER, 409: 'The caller is the last owner and others are members' })
  @HttpCode(204)
  leaveSecret(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.secrets.leave(session, secretId.toLowerCase(), origin);
  }

  @Authenticated({ secured: true })
  @Delete(':secretId')
  @secretIdParam
  @ApiOperation({
    summary: 'Delete a secret (owners)',
    description: 'Every envelope of every version goes, for every member; the id is never used again.',
  })
  @ApiErrors({ ...OWNERS, ...LIMITED })
  @HttpCode(204)
  deleteSecret(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.secrets.delete(session, secretId.toLowerCase(), origin);
  }

  @Authenticated({ secured: true })
  @Put(':secretId/members/:userId/role')
  @secretIdParam
  @userIdParam
  @ApiOperation({
    summary: 'Set a member’s role (owners)',
    description: 'Make a member an owner, or an owner a member; the secret always keeps at least one owner.',
  })
  @ApiErrors({
    ...OWNERS,
    ...LIMITED,
    404: `${NOT_MEMBER}; or the user is not a member`,
    409: 'The secret would be left with no owner',
  })
  @HttpCode(204)
  setSecretMemberRole(
    @CurrentSession() session: AuthenticatedSession,
    @Param('secretId', ParseUUIDPipe) secretId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: SetSecretMemberRoleRequestDto,
    @RequestOrigin() origin: RequestOrigin,
  ): Promise<void> {
    return this.secrets.setRole(session, secretId.toLowerCase(), userId.toLowerCase(), dto, origin);
  }
}
