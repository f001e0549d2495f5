import { normalizeEmail } from '@app/contracts/wire';
import { isApiError, type ServerApi } from '@app/api-client';
import { deriveLoginSecret } from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';
import { type Context, requireEmail, serverClient } from '../context.js';
import { isUuid } from '../ids.js';
import { readPassword } from '../password.js';
import type { StoredSession } from '../session-store.js';

export async function register(context: Context, options: { email?: string }): Promise<void> {
  const email = requireEmail(options.email);
  const password = await readPassword({ confirm: true }); // a typo here would leave an account nobody can open
  // The server receives a secret derived from the password, never the password.
  const secret = await context.step('Derive the login secret (Argon2id)', () => deriveLoginSecret(email, password));
  const { userId } = await context.step('Register', () =>
    serverClient(context).auth.register({ requestBody: { email, password: secret } }),
  );
  context.say(`Registered ${normalizeEmail(email)} (user ${userId}). Next: login --email ${email}`);
}

export async function login(context: Context, options: { email?: string }): Promise<void> {
  const email = requireEmail(options.email);
  await context.sessions.prepare(); // refuse an unsafe folder before a session exists to leak
  const password = await readPassword();
  const secret = await context.step('Derive the login secret (Argon2id)', () => deriveLoginSecret(email, password));
  const session = await context
    .step('Log in', () => logIn(context, email, secret))
    .catch((error: unknown) => {
      if (isApiError(error) && error.status === 401) throw new CliError('Wrong email or password.', EXIT.wrongPassword);
      throw error;
    });
  if (!isUuid(session.userId)) throw new CliError('The server answered a user id that is not a UUID.', EXIT.failure);
  await context.sessions.save({
    email: normalizeEmail(email),
    userId: session.userId,
    sessionToken: session.sessionToken,
    expiresAt: session.expiresAt,
    kdfRecommended: session.kdfRecommended,
  });
  context.say(
    session.hasKeyPair
      ? 'Logged in. Next: unlock (fetch and decrypt your private key, then secure this session).'
      : 'Logged in. You have no key pair yet. Next: create-keypair',
  );
}

/**
 * Logs in with this device's token for the email, and keeps the one the server
 * answers in its place (the one sent is no longer good): with it, a stranger's
 * wrong guesses at this email do not lock this device out.
 */
export async function logIn(context: Context, email: string, secret: string): Promise<ServerApi.LoginResponse> {
  const deviceToken = await context.sessions.deviceToken(email);
  const session = await serverClient(context).auth.login({ requestBody: { email, password: secret, deviceToken } });
  await context.sessions.saveDeviceToken(email, session.deviceToken);
  return session;
}

/**
 * Checks a login secret with a fresh login, ended at once (it is only a check).
 * It sends this device's token and keeps the new one, like any login here, so a
 * stranger's guesses cannot block it. `refusals` are the lines (exit 4) for a
 * wrong password and for a password of another account.
 */
export async function checkLoginSecret(
  context: Context,
  session: StoredSession,
  secret: string,
  refusals: { wrongPassword: string; otherAccount: string },
): Promise<void> {
  const check = await logIn(context, session.email, secret).catch((error: unknown) => {
    if (isApiError(error) && error.status === 401) throw new CliError(refusals.wrongPassword, EXIT.wrongPassword);
    throw error;
  });
  await serverClient(context, check)
    .auth.logout()
    .catch(() => undefined); // it expires by itself
  if (check.userId !== session.userId) throw new CliError(refusals.otherAccount, EXIT.wrongPassword);
}

export async function logout(context: Context): Promise<void> {
  const session = await context.sessions.require();
  await serverClient(context, session)
    .auth.logout()
    .catch((error: unknown) => {
      // A session that already ended is as good as logged out.
      if (!(isApiError(error) && error.status === 401)) throw error;
    });
  await context.sessions.clear();
  context.say('Logged out.');
}

export async function status(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const me = await serverClient(context, session).auth.getCurrentUser();
  context.say(`Signed in as ${me.email} (user ${me.userId})`);
  context.say(`Key pair: ${me.hasKeyPair ? 'confirmed' : 'none yet (run create-keypair)'}`);
  context.say(`Session: ${me.secured ? 'secured' : 'not secured (run unlock)'}; expires ${session.expiresAt}`);
}
