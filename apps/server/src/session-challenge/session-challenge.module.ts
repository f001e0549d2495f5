import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PublicKeysModule } from '../public-keys/public-keys.module.js';
import { SessionChallengeController } from './session-challenge.controller.js';
import { SessionChallengeService } from './session-challenge.service.js';

@Module({
  imports: [AuthModule, PublicKeysModule],
  controllers: [SessionChallengeController],
  providers: [SessionChallengeService],
})
export class SessionChallengeModule {}
