import type { ApiDocsOptions } from '@app/platform';
import { ACCESS_TOKEN_SECURITY } from '../keys/access-token.guard.js';

export const keyserverApiDocs: ApiDocsOptions = {
  title: 'keyexchange keyserver',
  description:
    'Holds each user’s password-encrypted private key, which it cannot decrypt. ' +
    'Every request carries a one-time access token from the server. ' +
    'Every derivation, byte encoding and test vector of protocol v1 is in PROTOCOL.md at the root of the keyexchange repository, beside the README.',
  tags: {
    keys: 'Encrypted private keys, their staged key changes, and the keyserver’s log of their use',
    health: 'Liveness and readiness probes',
  },
  bearerSchemes: { [ACCESS_TOKEN_SECURITY]: 'A one-time accessToken from the server (POST /api/user/access-token)' },
};
