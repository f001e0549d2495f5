import { Global, Module } from '@nestjs/common';
import { EventsPruner } from './events.pruner.js';
import { EventsRepository } from './events.repository.js';

/** Each user's log of events and its pruning, for every module of a service (import after DatabaseModule). */
@Global()
@Module({ providers: [EventsRepository, EventsPruner], exports: [EventsRepository, EventsPruner] })
export class EventsModule {}
