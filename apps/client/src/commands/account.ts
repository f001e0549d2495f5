import { read } from 'read';
import { normalizeEmail } from '@app/contracts/wire';
import { isApiError, type ServerApi } from '@app/api-client';
import { deriveLoginSecret } from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';
import { type Context, keyserverClient, requireEmail, serverClient } from '../context.js';
import { isUuid } from '../ids.js';
import { readPassword } from '../password.js';
import { checkLoginSecret } from './auth.js';

/** The services answer these routes only to a session that passed a session challenge. */
const NOT_SECURED =
  'This session is not secured: run `unlock` first (or `create-keypair` if the account has no key pair yet).';

/** A 403 from a route that needs a secured session, said as the next step. */
async function secured<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (isApiError(error) && error.status === 403) throw new CliError(NOT_SECURED, EXIT.refused);
    throw error;
  }
}

const orDash = (value: string | null) => value ?? '-';

/** The account's live sessions, newest first, the one this client holds marked. */
export async function sessions(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const { items } = await secured(serverClient(context, session).sessions.listSessions());
  const newestFirst = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const item of newestFirst) context.say(sessionLine(item));
}

function sessionLine(item: ServerApi.Session): string {
  const marker = item.current ? '*' : ' ';
  return `${marker} ${[
    item.id,
    `created ${item.createdAt}`,
    `last used ${item.lastUsedAt}`,
    item.secured ? 'secured' : 'not secured',
    orDash(item.clientAddress),
    orDash(item.userAgent),
  ].join('  ')}${item.current ? '  (this session)' : ''}`;
}

/** Ends one of the account's sessions by its id (as `sessions` lists it; never a token). */
export async function endSession(context: Context, _options: object, id: string | undefined): Promise<void> {
  if (!id) throw new CliError('end-session needs the id of a session (see `sessions`).', EXIT.usage);
  // The generated client puts the id into the path: only a UUID may go there.
  if (!isUuid(id)) throw new CliError('end-session <id>: the id must be a UUID, as `sessions` lists it.', EXIT.usage);
  const session = await context.sessions.require();
  await secured(serverClient(context, session).sessions.endSession({ id: id.toLowerCase() })).catch(
    (error: unknown) => {
      if (isApiError(error) && error.status === 404)
        throw new CliError(`No live session of this account has the id ${id}.`, EXIT.refused);
      throw error;
    },
  );
  context.say(`Ended session ${id.toLowerCase()}.`);
}

export async function endOtherSessions(context: Context): Promise<void> {
  const session = await context.sessions.require();
  await secured(serverClient(context, session).sessions.endOtherSessions());
  context.say('Ended every session of this account but this one.');
}

export const DEFAULT_EVENTS_LIMIT = 50;
const MAX_EVENTS_LIMIT = 1000;

type Source = 'server' | 'keyserver';
type SourcedEvent = ServerApi.Event & { source: Source };

/** Both services' logs, merged newest first: the newest `--limit` events. */
export async function events(context: Context, options: { limit?: string }): Promise<void> {
  const limit = parseLimit(options.limit);
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  // The server first: its 403 can only mean an unsecured session. Each keyserver page spends an access token.
  const fromServer = await secured(newest('server', limit, (cursor) => server.events.listEvents({ cursor })));
  const fromKeyserver = await secured(
    newest('keyserver', limit, (cursor) => keyserver.keys.listKeyEvents({ userId: session.userId, cursor })),
  );
  const merged = [...fromServer.items, ...fromKeyserver.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (merged.length === 0) context.say('No events.');
  for (const event of merged.slice(0, limit)) {
    context.say(
      [
        event.source.padEnd(9),
        event.type.padEnd(22),
        event.createdAt,
        orDash(event.clientAddress),
        orDash(event.userAgent),
      ].join('  '),
    );
  }
  if (merged.length > limit || fromServer.more || fromKeyserver.more)
    context.say(`(older events not shown; see --limit, at most ${MAX_EVENTS_LIMIT})`);
}

/** A source's newest `limit` events, following `nextCursor` no further than needed. */
async function newest(
  source: Source,
  limit: number,
  page: (cursor: string | undefined) => Promise<ServerApi.EventsPage>,
): Promise<{ items: SourcedEvent[]; more: boolean }> {
  const items: SourcedEvent[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items.map((event) => ({ ...event, source })));
    cursor = answer.nextCursor ?? undefined;
  } while (cursor && items.length < limit);
  return { items: items.slice(0, limit), more: items.length > limit || cursor !== undefined };
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_EVENTS_LIMIT;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new CliError(`--limit must be a whole number from 1 to ${MAX_EVENTS_LIMIT}, not "${value}".`, EXIT.usage);
  }
  return limit;
}

/**
 * Deletes the account: the blob on the keyserver first, then the account on
 * the server, so no blob outlives the account that could still ask for it.
 * The password is checked before anything is deleted: the keyserver's delete
 * does not check it, and a blob deleted for an account that stays is a key lost.
 */
export async function deleteAccount(context: Context, options: { email?: string }): Promise<void> {
  const email = normalizeEmail(requireEmail(options.email));
  const session = await context.sessions.require();
  if (session.email !== email) {
    throw new CliError(`--email is not the signed-in account (${session.email}); nothing was deleted.`, EXIT.usage);
  }
  if (normalizeEmail(await confirmationEmail()) !== email) {
    throw new CliError('The email typed again differs from --email; nothing was deleted.', EXIT.usage);
  }
  const server = serverClient(context, session);
  const me = await server.auth.getCurrentUser();
  if (!me.secured) throw new CliError(NOT_SECURED, EXIT.refused);
  const password = await readPassword();
  const secret = await context.step('Derive the login secret (Argon2id)', () => deriveLoginSecret(email, password));
  await context.step('Check the password with a fresh login', () =>
    checkLoginSecret(context, session, secret, {
      wrongPassword: 'Wrong password; nothing was deleted.',
      otherAccount: 'That password opens another account than the one signed in; nothing was deleted.',
    }),
  );

  await context.step('Delete the encrypted private key on the keyserver (with a one-time access token)', () =>
    secured(keyserverClient(context, server).keys.deletePrivateKey({ userId: session.userId })),
  );
  await context.step('Delete the account on the server', () =>
    server.auth.deleteAccount({ requestBody: { currentPassword: secret } }).catch((error: unknown) => {
      // Checked a moment ago: the password was changed meanwhile, from another session.
      if (isApiError(error) && error.status === 403) {
        throw new CliError(
          'The server refused the password; the account stays, but its private key is already deleted.',
          EXIT.wrongPassword,
        );
      }
      throw error;
    }),
  );
  await context.sessions.clear();
  await context.sessions.forgetDeviceToken(email);
  context.say(
    `Deleted the account ${email}. Its private key is gone for good: nothing encrypted to it can be decrypted any more, by anyone.`,
  );
}

/** The email typed again at the terminal, or KX_CONFIRM_EMAIL (scripts, tests). */
async function confirmationEmail(): Promise<string> {
  const fromEnv = process.env.KX_CONFIRM_EMAIL;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY)
    throw new CliError('Type the email again at a terminal, or set KX_CONFIRM_EMAIL; nothing was deleted.', EXIT.usage);
  return read({ prompt: 'To delete the account and its private key for good, type its email again: ' });
}
