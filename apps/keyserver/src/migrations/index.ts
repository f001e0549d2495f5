import { InitialSchema1764032400000 } from './1764032400000-initial-schema.js';
import { BlobsBoundToPublicKeys1764979200000 } from './1764979200000-blobs-bound-to-public-keys.js';
import { SealedBlobs1765000000000 } from './1765000000000-sealed-blobs.js';
import { RateLimits1765100000000 } from './1765100000000-rate-limits.js';
import { Events1765200000000 } from './1765200000000-events.js';
import { BlobVersions1765400000000 } from './1765400000000-blob-versions.js';
import { KeyChanges1765500000000 } from './1765500000000-key-changes.js';
import { PruningIndexes1765600000000 } from './1765600000000-pruning-indexes.js';

/** In order; listed explicitly so the built app needs no file globbing. */
export const keyserverMigrations = [
  InitialSchema1764032400000,
  BlobsBoundToPublicKeys1764979200000,
  SealedBlobs1765000000000,
  RateLimits1765100000000,
  Events1765200000000,
  BlobVersions1765400000000,
  KeyChanges1765500000000,
  PruningIndexes1765600000000,
];
