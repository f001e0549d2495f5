import { LargeJsonBodies } from '@app/platform';

/** Bodies that carry a whole version (up to 256 envelopes) may be this large; every other body is 64 KiB at most. */
export const SECRET_BODY_LIMIT_BYTES = 128 * 1024;

/** createSecret, rotateSecret and removeSecretMember. */
export const secretBodies = new LargeJsonBodies(
  /^POST \/api\/secrets(\/[^/]+\/(versions|members\/[^/]+\/removal))?\/?$/i,
  SECRET_BODY_LIMIT_BYTES,
);
