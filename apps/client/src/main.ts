import { parseArgs } from 'node:util';
import { CliError, EXIT, explain } from './cli-error.js';
import { deleteAccount, endOtherSessions, endSession, events, sessions } from './commands/account.js';
import { login, logout, register, status } from './commands/auth.js';
import { changePassword } from './commands/change-password.js';
import { createKeypair, unlock } from './commands/keys.js';
import { publicKey } from './commands/public-key.js';
import { secret } from './commands/secrets.js';
import { type Context, createContext } from './context.js';
import { DEFAULT_TIMEOUT_MS, installRequestTimeout, parseTimeout } from './http.js';

const USAGE = `keyexchange reference client

Usage: npm run client -- <command> [options]

  register --email E      create an account (asks for the password twice at a terminal)
  login --email E         open a session, kept in $KX_HOME/session.json (folder 0700, file 0600);
                          keeps this device's token for the email in device-tokens.json, past
                          logout, for the next login: then a stranger's wrong guesses at your
                          email cannot lock this device out
  create-keypair          seed flow 1 and the session challenge that confirms the key; checks
                          the password with a fresh login first, and that the keyserver holds
                          the new key before confirming it
  unlock                  seed flow 2 (fetch and decrypt the private key), then flow 3; a key
                          stored under weaker KDF parameters than the defaults is encrypted
                          anew under the same password, without asking
  change-password         a new password for the account and its private key: asks for the
                          current password, then the new one twice at a terminal (or
                          KX_NEW_PASSWORD); ends every other session of the account. After any
                          interruption, run it again with the same two passwords: it finishes
                          or abandons the change, and says which password is valid
  status                  who is signed in, key pair and session state
  public-key --user ID    another user's confirmed public key (needs an unlocked session)
  logout                  end the session
  sessions                the account's live sessions, newest first: id, created, last used,
                          secured or not, address, user agent; * marks this one (needs a
                          secured session: run unlock first)
  end-session ID          end one of them, by the id \`sessions\` shows (secured session)
  end-other-sessions      end every session of the account but this one (secured session)
  events [--limit N]      the server's and the keyserver's logs merged, newest first: source,
                          type, time, address, user agent; the newest N (default 50, at most
                          1000; each keyserver page spends an access token; secured session)
  secret create --name N [--member USER_ID]...
                          a shared secret: a fresh secret sealed to you and each member's key
  secret list             the secrets you are a member of
  secret show ID [--reveal]
                          open your envelope and print the commitment (members who compare it
                          hold the same secret) and the members; the secret only with --reveal
  secret add-member ID --user USER_ID
  secret remove-member ID --user USER_ID
                          removes and rotates: a fresh secret for everyone else
  secret rotate ID        a fresh secret for every member (after one left)
  secret leave ID | secret delete ID
  secret role ID --user USER_ID --role owner|member
                          Every secret command asks for the password and unlocks your key (never
                          stored). Each user's key fingerprint is pinned the first time it is
                          used and must not change; a version lower than one seen is refused.
                          Before a rotation, members not pinned yet must be confirmed (at the
                          terminal, or named with --member). Pins: trust.json in KX_HOME.
  delete-account --email E
                          delete the account for good: asks for the email again (or
                          KX_CONFIRM_EMAIL) and the password, deletes the private key on the
                          keyserver, then the account on the server, and forgets the session
                          and this device's token. There is no recovery of the private key.

Options: --server URL (KX_SERVER_URL, default http://127.0.0.1:3000),
         --keyserver URL (KX_KEYSERVER_URL, default http://127.0.0.1:3001).
Every request gives up after KX_TIMEOUT_MS milliseconds (default ${DEFAULT_TIMEOUT_MS}).
KX_HOME (default ~/.keyexchange) must be a folder only you can open (chmod 700).
The password is read without echo, or from KX_PASSWORD, or from standard input.
change-password reads the new password without echo, or from KX_NEW_PASSWORD.

Exit codes: 0 ok, 1 failure, 2 usage (or a bad id; at delete-account: the email typed again
  differs), 3 not signed in,
  4 wrong password (at create-keypair: not your account password; at delete-account:
    nothing was deleted; at change-password: the key opens with neither password),
  5 refused (by a service; the session is not secured, for sessions, end-session,
    end-other-sessions, events and delete-account; end-session: no such session;
    or another create-keypair ran meanwhile; at change-password: another change of
    the key was made meanwhile),
  6 service unavailable or not answering in time,
  7 the server's challenge does not open with your private key,
  8 the stored private key does not belong to your public key,
  9 the stored key's KDF parameters are over this client's budget,
  10 too many attempts: a service's rate limit; the message says how long to wait,
  11 refused by this device's trust (secret): a member's key is not the pinned one, a
    version lower than one seen, or an envelope that does not open or match its commitment.`;

type Command = (
  context: Context,
  options: {
    email?: string;
    user?: string;
    limit?: string;
    name?: string;
    member?: string[];
    role?: string;
    reveal?: boolean;
  },
  ...args: string[]
) => Promise<void>;
const commands: Record<string, Command> = {
  register,
  login,
  'create-keypair': createKeypair,
  unlock,
  'change-password': changePassword,
  status,
  'public-key': publicKey,
  logout,
  sessions,
  'end-session': endSession,
  'end-other-sessions': endOtherSessions,
  events,
  'delete-account': deleteAccount,
  secret,
};
/** How many arguments a command takes after its name (none unless listed). */
const argumentCount: Record<string, number> = { 'end-session': 1, secret: 2 };

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        user: { type: 'string' },
        limit: { type: 'string' },
        name: { type: 'string' },
        member: { type: 'string', multiple: true },
        role: { type: 'string' },
        reveal: { type: 'boolean' },
        server: { type: 'string' },
        keyserver: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
  const [name, ...extra] = parsed.positionals;
  if (parsed.values.help || !name) {
    console.log(USAGE);
    return parsed.values.help ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command || extra.length > (argumentCount[name] ?? 0))
    throw new CliError(`Unknown command: ${parsed.positionals.join(' ')}\n\n${USAGE}`, EXIT.usage);
  installRequestTimeout(parseTimeout(process.env.KX_TIMEOUT_MS));
  await command(createContext(parsed.values), parsed.values, ...extra);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const failure = explain(error);
    console.error(failure.message);
    process.exit(failure.exitCode);
  },
);
