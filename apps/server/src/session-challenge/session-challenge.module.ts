import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PublicKeysModule } from '../public-keys/public-keys.module.js';
import { SessionChallengeController } from './session-challenge.controller.js';
import { SessionChallengeService } from './session-challenge.service.js';
import { SessionChallengesRepository } from './session-challenges.repository.js';

@Module({
  imports: [AuthModule, PublicKeysModule],
  controllers: [SessionChallengeController],
  providers: [SessionChallengeService, SessionChallengesRepository],
  exports: [SessionChallengesRepository],
})
export class SessionChallengeModule {}
