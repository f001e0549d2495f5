import { type Context, serverClient } from '../context.js';
import { requireUuid } from '../ids.js';

/** A protected endpoint: another user's confirmed public key, for a secured session. */
export async function publicKey(context: Context, options: { user?: string }): Promise<void> {
  const userId = requireUuid('--user', options.user);
  const session = await context.sessions.require();
  const key = await serverClient(context, session).publicKeys.getPublicKeyForUser({ userId });
  context.say(`User:        ${key.userId}`);
  context.say(`Algorithm:   ${key.algorithm}`);
  context.say(`Public key:  ${key.publicKey}`);
  context.say(`Fingerprint: ${key.fingerprint}`);
}
