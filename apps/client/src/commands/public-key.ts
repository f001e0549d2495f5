import { CliError, EXIT } from '../cli-error.js';
import { type Context, serverClient } from '../context.js';

/** A protected endpoint: another user's confirmed public key, for a secured session. */
export async function publicKey(context: Context, options: { user?: string }): Promise<void> {
  if (!options.user) throw new CliError('--user <userId> is required.', EXIT.usage);
  const session = await context.sessions.require();
  const key = await serverClient(context, session).publicKeys.getPublicKeyForUser({ userId: options.user });
  context.say(`User:        ${key.userId}`);
  context.say(`Algorithm:   ${key.algorithm}`);
  context.say(`Public key:  ${key.publicKey}`);
  context.say(`Fingerprint: ${key.fingerprint}`);
}
