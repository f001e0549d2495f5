import { InitialSchema1764032400000 } from './1764032400000-initial-schema.js';
import { AccessTokensBelongToSessions1764979200000 } from './1764979200000-access-tokens-belong-to-sessions.js';
import { SealedVerifiers1765000000000 } from './1765000000000-sealed-verifiers.js';
import { RateLimitsAndDeviceTokens1765100000000 } from './1765100000000-rate-limits-and-device-tokens.js';
import { SessionDetails1765200000000 } from './1765200000000-session-details.js';
import { Events1765300000000 } from './1765300000000-events.js';
import { KeyVersions1765400000000 } from './1765400000000-key-versions.js';
import { KeyChanges1765500000000 } from './1765500000000-key-changes.js';
import { PruningIndexes1765600000000 } from './1765600000000-pruning-indexes.js';
import { Secrets1765700000000 } from './1765700000000-secrets.js';

/** In order; listed explicitly so the built app needs no file globbing. */
export const serverMigrations = [
  InitialSchema1764032400000,
  AccessTokensBelongToSessions1764979200000,
  SealedVerifiers1765000000000,
  RateLimitsAndDeviceTokens1765100000000,
  SessionDetails1765200000000,
  Events1765300000000,
  KeyVersions1765400000000,
  KeyChanges1765500000000,
  PruningIndexes1765600000000,
  Secrets1765700000000,
];
