import './styles.css';
import { isApiError, type ServerApi } from '@app/api-client';
import { Account, type Me } from './account.js';
import { loadConfig, type WebConfig } from './config.js';
import { draftsOf, field, h, restoreDrafts, valuesOf } from './dom.js';
import { inWords, installRetryAfter, UserError } from './errors.js';
import { IdleLock } from './idle-lock.js';
import { SharedSecrets } from './secrets.js';
import { secretsView } from './secrets-view.js';
import { Vault } from './vault.js';

/** The password is the key's only protection: a policy shown before it is chosen, and checked here. */
const MIN_PASSWORD_LENGTH = 12;
const POLICY = `At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of four or more unrelated words is best; never one you use elsewhere.`;

interface State {
  me?: Me;
  /** The fingerprint of the key the worker holds, when unlocked. */
  unlocked?: string;
  notice?: { kind: 'status' | 'alert'; text: string };
  busy?: string;
}

const root = document.getElementById('app')!;
let account: Account;
let idle: IdleLock;
let secrets: ReturnType<typeof secretsView>;
let state: State = {};
/** Which screen is on show (who, with a key or not, unlocked or not): focus moves when it changes. */
let shownScreen = '';

void start();

async function start(): Promise<void> {
  installRetryAfter();
  if (!(await supportsX25519())) {
    return show(
      h(
        'p',
        { role: 'alert' },
        'This browser does not offer X25519 in WebCrypto, which your keys need. Use a current Chrome, Edge, Firefox or Safari.',
      ),
    );
  }
  let config: WebConfig;
  try {
    config = await loadConfig();
  } catch {
    return show(h('p', { role: 'alert' }, 'The app could not read its configuration. Reload the page to try again.'));
  }
  const vault = new Vault();
  account = new Account(config, vault);
  secrets = secretsView({
    secrets: new SharedSecrets(account, vault),
    run,
    say: (text) => (state.notice = { kind: 'status', text }),
    render,
  });
  idle = new IdleLock(config.idleLockMinutes, () => {
    if (!state.unlocked) return;
    account.lock();
    update({
      unlocked: undefined,
      notice: { kind: 'status', text: `Locked after ${config.idleLockMinutes} minutes without input.` },
    });
  });
  if (account.signedIn) {
    // A reload keeps the login (sessionStorage), never the key: it lived in the page's memory.
    await run('Loading your account', async () => {
      state.me = await account.me();
      if (state.me.hasKeyPair) {
        state.notice = { kind: 'status', text: 'The page was reloaded: unlock your key again to use it.' };
      }
    });
  }
  render();
}

async function supportsX25519(): Promise<boolean> {
  try {
    await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']);
    return true;
  } catch {
    return false;
  }
}

function update(next: Partial<State>): void {
  state = { ...state, ...next };
  render();
}

/** Runs one step with the busy indicator; its failure is shown in words. */
async function run(label: string, work: () => Promise<void>): Promise<void> {
  update({ busy: label, notice: undefined });
  try {
    await work();
  } catch (error) {
    // An ended session: back to the sign-in screen, saying why.
    if (isApiError(error) && error.status === 401) {
      await account.logout().catch(() => undefined);
      state.me = undefined;
      state.unlocked = undefined;
    }
    state.notice = { kind: 'alert', text: inWords(error) };
  } finally {
    state.busy = undefined;
    render();
  }
}

function show(...content: Node[]): void {
  root.replaceChildren(...content);
}

function render(): void {
  const notice = state.notice
    ? h('p', { class: `notice ${state.notice.kind}`, role: state.notice.kind, tabindex: '-1' }, state.notice.text)
    : h('p', { class: 'notice', role: 'status' });
  const busy = state.busy
    ? h(
        'div',
        { class: 'busy', role: 'status' },
        h('progress', { 'aria-label': state.busy }),
        h('span', {}, `${state.busy}…`),
      )
    : false;
  // Whatever a secret showed goes with the key: locked, logged out or ended.
  if (!state.unlocked) secrets?.reset();
  const screen = state.me ? accountScreen(state.me) : signInScreen();
  // While a step runs, and after it fails, what was typed stays (passwords excepted); a step done clears it.
  const drafts = state.busy || state.notice?.kind === 'alert' ? draftsOf(root) : undefined;
  show(h('main', { 'aria-busy': state.busy ? 'true' : 'false' }, busy, notice, ...screen));
  if (drafts) restoreDrafts(root, drafts);
  if (state.busy) {
    for (const control of root.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button'))
      control.disabled = true;
    return;
  }
  // Keyboard focus goes to what failed, or, on a new screen, to its first field.
  const screenNow = `${state.me?.userId}/${state.me?.hasKeyPair}/${Boolean(state.unlocked)}`;
  if (state.notice?.kind === 'alert') notice.focus();
  else if (screenNow !== shownScreen) root.querySelector<HTMLInputElement>('input')?.focus();
  shownScreen = screenNow;
}

function signInScreen(): Node[] {
  const login = h(
    'form',
    { 'aria-labelledby': 'login-title', on: { submit: (event) => onLogin(event) } },
    h('h2', { id: 'login-title' }, 'Log in'),
    field('Email', { name: 'email', type: 'email', autocomplete: 'username' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit' }, 'Log in'),
  );
  const register = h(
    'form',
    { 'aria-labelledby': 'register-title', on: { submit: (event) => onRegister(event) } },
    h('h2', { id: 'register-title' }, 'Register'),
    field('Email', { name: 'email', type: 'email', autocomplete: 'email' }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      minlength: String(MIN_PASSWORD_LENGTH),
      hint: POLICY,
    }),
    field('Repeat the password', { name: 'repeat', type: 'password', autocomplete: 'new-password' }),
    h('button', { type: 'submit' }, 'Register'),
  );
  return [
    h('h1', {}, 'keyexchange'),
    h(
      'p',
      { class: 'hint' },
      'Each browser tab signs in on its own: a new tab starts signed out. Your password never leaves this device.',
    ),
    h('div', { class: 'columns' }, login, register),
  ];
}

function accountScreen(me: Me): Node[] {
  const keyState = state.unlocked
    ? h(
        'section',
        { 'aria-labelledby': 'key-title', class: 'secured' },
        h('h2', { id: 'key-title' }, 'Session secured'),
        h('p', {}, 'Your key is unlocked in this page. Fingerprint:'),
        h('p', { class: 'fingerprint', 'data-testid': 'own-fingerprint' }, state.unlocked),
        h('button', { type: 'button', on: { click: onLock } }, 'Lock now'),
      )
    : me.hasKeyPair
      ? unlockForm()
      : createForm();
  return [
    h(
      'header',
      {},
      h('h1', {}, 'keyexchange'),
      h('p', {}, 'Signed in as ', h('strong', {}, me.email)),
      h('p', { class: 'hint' }, 'User id: ', h('code', { 'data-testid': 'user-id' }, me.userId)),
      h('button', { type: 'button', on: { click: onLogout } }, 'Log out'),
    ),
    keyState,
    ...(state.unlocked ? [secrets.section(me), changePasswordForm()] : []),
    lookUpForm(),
    sessionsSection(),
    eventsSection(),
  ];
}

function createForm(): Node {
  return h(
    'form',
    { 'aria-labelledby': 'create-title', on: { submit: (event) => onCreate(event) } },
    h('h2', { id: 'create-title' }, 'Create your key pair'),
    h('p', {}, 'Your private key is created in this browser and stored only encrypted under your account password.'),
    h(
      'p',
      { class: 'warning', role: 'note' },
      'If you forget your password, your key is lost for good: nobody, not even the service, can recover it.',
    ),
    field('Account password', {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      hint: POLICY,
    }),
    field('Repeat the password', { name: 'repeat', type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit' }, 'Create key pair'),
  );
}

function unlockForm(): Node {
  return h(
    'form',
    { 'aria-labelledby': 'unlock-title', on: { submit: (event) => onUnlock(event) } },
    h('h2', { id: 'unlock-title' }, 'Unlock your key'),
    h('p', {}, 'Your key is locked. It is kept only in this page: unlock it again after a reload.'),
    field('Password', { name: 'password', type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit' }, 'Unlock'),
  );
}

function changePasswordForm(): Node {
  return h(
    'form',
    { 'aria-labelledby': 'change-title', on: { submit: (event) => onChangePassword(event) } },
    h('h2', { id: 'change-title' }, 'Change password'),
    h('p', {}, 'Your key is re-encrypted under the new password in this page; other sessions are ended.'),
    field('Current password', { name: 'current', type: 'password', autocomplete: 'current-password' }),
    field('New password', {
      name: 'password',
      type: 'password',
      autocomplete: 'new-password',
      minlength: String(MIN_PASSWORD_LENGTH),
      hint: POLICY,
    }),
    field('Repeat the new password', { name: 'repeat', type: 'password', autocomplete: 'new-password' }),
    h('button', { type: 'submit' }, 'Change password'),
  );
}

let eventList: ServerApi.Event[] | undefined;

function eventsSection(): Node {
  return h(
    'section',
    { 'aria-labelledby': 'events-title' },
    h('h2', { id: 'events-title' }, 'Recent account events'),
    h('button', { type: 'button', on: { click: onListEvents } }, eventList ? 'Refresh' : 'Show events'),
    eventList &&
      (eventList.length
        ? h(
            'ul',
            {},
            ...eventList.map((e) =>
              h(
                'li',
                {},
                `${new Date(e.createdAt).toLocaleString()}: ${e.type}${e.clientAddress ? ` from ${e.clientAddress}` : ''}`,
              ),
            ),
          )
        : h('p', {}, 'No events yet.')),
  );
}

let lookedUp: { userId: string; fingerprint: string } | undefined;

function lookUpForm(): Node {
  return h(
    'form',
    { 'aria-labelledby': 'lookup-title', on: { submit: (event) => onLookUp(event) } },
    h('h2', { id: 'lookup-title' }, "Look up someone's public key"),
    field('User id', { name: 'userId', autocomplete: 'off' }),
    h('button', { type: 'submit' }, 'Look up'),
    lookedUp &&
      h(
        'p',
        {},
        `Fingerprint of ${lookedUp.userId}: `,
        h('span', { class: 'fingerprint', 'data-testid': 'looked-up-fingerprint' }, lookedUp.fingerprint),
      ),
  );
}

let sessionList: ServerApi.Session[] | undefined;

function sessionsSection(): Node {
  return h(
    'section',
    { 'aria-labelledby': 'sessions-title' },
    h('h2', { id: 'sessions-title' }, 'Sessions'),
    h('button', { type: 'button', on: { click: onListSessions } }, sessionList ? 'Refresh' : 'Show sessions'),
    sessionList &&
      h(
        'ul',
        {},
        ...sessionList.map((s) =>
          h(
            'li',
            {},
            `Started ${new Date(s.createdAt).toLocaleString()}${s.secured ? ', secured' : ''}${s.current ? ' (this one)' : ''} `,
            !s.current && h('button', { type: 'button', on: { click: () => onEndSession(s.id) } }, 'End this session'),
          ),
        ),
      ),
    sessionList &&
      sessionList.length > 1 &&
      h('button', { type: 'button', on: { click: onEndOthers } }, 'End all other sessions'),
  );
}

function onLogin(event: Event): void {
  event.preventDefault();
  const { email, password } = valuesOf(event.target as HTMLFormElement);
  void run('Logging in (deriving your login secret)', async () => {
    await account.login(email, password);
    state.me = await account.me();
    state.notice = state.me.hasKeyPair
      ? { kind: 'status', text: 'Logged in. Unlock your key to secure this session.' }
      : { kind: 'status', text: 'Logged in. You have no key pair yet: create one.' };
  });
}

function onRegister(event: Event): void {
  event.preventDefault();
  const { email, password, repeat } = valuesOf(event.target as HTMLFormElement);
  void run('Registering (deriving your login secret)', async () => {
    checkNewPassword(password, repeat);
    await account.register(email, password);
    await account.login(email, password);
    state.me = await account.me();
    state.notice = { kind: 'status', text: 'Registered and logged in. Next: create your key pair.' };
  });
}

function onCreate(event: Event): void {
  event.preventDefault();
  const { password, repeat } = valuesOf(event.target as HTMLFormElement);
  const me = state.me!;
  void run('Creating your key pair (checking the password, encrypting the key)', async () => {
    checkNewPassword(password, repeat);
    state.unlocked = await account.createKeypair(me, password);
    state.me = await account.me();
    state.notice = { kind: 'status', text: 'Key pair created and confirmed: session secured.' };
    idle.start();
  });
}

function onUnlock(event: Event): void {
  event.preventDefault();
  const { password } = valuesOf(event.target as HTMLFormElement);
  const me = state.me!;
  void run('Unlocking (decrypting your key)', async () => {
    const { fingerprint, upgraded } = await account.unlock(me, password);
    state.unlocked = fingerprint;
    state.notice = {
      kind: 'status',
      text: upgraded
        ? 'Unlocked: session secured. Your key was re-encrypted with stronger password hashing settings.'
        : 'Unlocked: session secured.',
    };
    idle.start();
  });
}

function onLock(): void {
  account.lock();
  idle.stop();
  update({ unlocked: undefined, notice: { kind: 'status', text: 'Locked: your key is no longer in this page.' } });
}

function onLogout(): void {
  void run('Logging out', async () => {
    idle.stop();
    await account.logout();
    lookedUp = undefined;
    sessionList = undefined;
    eventList = undefined;
    state.me = undefined;
    state.unlocked = undefined;
    state.notice = { kind: 'status', text: 'Logged out.' };
  });
}

function onChangePassword(event: Event): void {
  event.preventDefault();
  const { current, password, repeat } = valuesOf(event.target as HTMLFormElement);
  const me = state.me!;
  void run('Changing your password (re-encrypting your key)', async () => {
    checkNewPassword(password, repeat);
    if (password === current) throw new UserError('The new password is the current one. Nothing was changed.');
    await account.changePassword(me, current, password);
    sessionList = undefined;
    state.notice = {
      kind: 'status',
      text: 'Password changed: only the new one works from now on, and your other sessions were ended.',
    };
  });
}

function onListEvents(): void {
  void run('Loading your events', async () => {
    eventList = (await account.events()).items;
  });
}

function onLookUp(event: Event): void {
  event.preventDefault();
  const { userId } = valuesOf(event.target as HTMLFormElement);
  void run('Looking up the public key', async () => {
    lookedUp = undefined;
    const key = await account.lookUp(userId.trim());
    lookedUp = { userId: key.userId, fingerprint: key.fingerprint };
  });
}

function onListSessions(): void {
  void run('Loading your sessions', async () => {
    sessionList = (await account.sessions()).items;
  });
}

function onEndSession(sessionId: string): void {
  void run('Ending the session', async () => {
    await account.endSession(sessionId);
    sessionList = (await account.sessions()).items;
  });
}

function onEndOthers(): void {
  void run('Ending the other sessions', async () => {
    await account.endOtherSessions();
    sessionList = (await account.sessions()).items;
  });
}

function checkNewPassword(password: string, repeat: string): void {
  if (password !== repeat) throw new UserError('The two passwords differ. Nothing was changed.');
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new UserError(`The password is too short. ${POLICY}`);
}
