import type { ApiDocsOptions } from '@app/platform';
import { KEYSERVER_SECURITY } from '../access-tokens/keyserver-api-key.guard.js';
import { SESSION_SECURITY } from '../auth/auth-policy.js';

export const serverApiDocs: ApiDocsOptions = {
  title: 'keyexchange server',
  description:
    'Accounts and sessions, public keys, one-time access tokens and session challenges. ' +
    'It never holds anything that can decrypt a private key. ' +
    'Every derivation, byte encoding and test vector of protocol v1 is in PROTOCOL.md at the root of the keyexchange repository, beside the README.',
  bearerSchemes: {
    [SESSION_SECURITY]: 'The sessionToken from login',
    [KEYSERVER_SECURITY]: 'The keyserver API key (KEYSERVER_API_KEY)',
  },
};
