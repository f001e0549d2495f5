import type { ApiDocsOptions } from '@app/platform';
import { KEYSERVER_SECURITY } from '../access-tokens/keyserver-api-key.guard.js';
import { SESSION_SECURITY } from '../auth/auth-policy.js';

export const serverApiDocs: ApiDocsOptions = {
  title: 'keyexchange server',
  description:
    'Accounts and sessions, public keys, one-time access tokens and session challenges. ' +
    'It never holds anything that can decrypt a private key. ' +
    'Every derivation, byte encoding and test vector of protocol v1 is in PROTOCOL.md at the root of the keyexchange repository, beside the README.',
  tags: {
    auth: 'Accounts, login and logout, account deletion',
    'public-keys': 'Users’ public keys: put (pending until confirmed), look up',
    'access-tokens': 'One-time keyserver access tokens, and their validation by the keyserver',
    'session-challenge': 'Challenges sealed to the public key: answering one secures the session and confirms the key',
    'key-changes': 'Committing a key change the keyserver has staged (a new password, a stronger KDF)',
    secrets:
      'Secrets shared between users: each version sealed by a member to every member’s public key (PROTOCOL.md 12); ' +
      'the server stores envelopes it cannot open',
    sessions: 'The user’s live sessions: list, end one, end the others',
    events: 'The user’s log of what happened to the account',
    health: 'Liveness and readiness probes',
  },
  bearerSchemes: {
    [SESSION_SECURITY]: 'The sessionToken from login',
    [KEYSERVER_SECURITY]: 'The keyserver API key (KEYSERVER_API_KEY)',
  },
};
