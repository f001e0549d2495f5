import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';

/** GET /api/user/events; the repository and its pruner come from the platform's EventsModule. */
@Module({ controllers: [EventsController] })
export class ServerEventsModule {}
