import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { argon2id } from 'hash-wasm';
import { storedKdf, userWithWeakKey, WEAK_KDF } from './weak-key.js';

const WEB = () => process.env.KX_WEB_URL!;
const SERVER = () => process.env.KX_SERVER_URL!;
const KEYSERVER = () => process.env.KX_KEYSERVER_URL!;
const SCREENS = 'test-results/web/screens';

/** What must never be stored, whatever the encoding: filled in as the walk sees it. */
const secrets = new Set<string>();
/** Every response the web app's origin sent, for the header checks. */
const appResponses = new Map<string, Record<string, string>>();

interface Person {
  email: string;
  password: string;
  userId?: string;
  fingerprint?: string;
}
const person = (name: string): Person => ({
  email: `${name}-${randomBytes(4).toString('hex')}@example.test`,
  password: `correct horse ${randomBytes(6).toString('base64url')} staple`,
});
const alice = person('alice');
const bob = person('bob');

/** A browser profile of its own (a device), watched for secrets on the wire and the app's headers. */
async function device(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // What the page reports as broken is the test's first clue.
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[console] ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (request.method() !== 'POST') return;
    // The login secret (what the server receives for the password) and each challenge answer.
    if (url.endsWith('/api/auth/login') || url.endsWith('/api/auth/register'))
      secrets.add((request.postDataJSON() as { password: string }).password);
    if (url.endsWith('/api/user/session-challenge/answer'))
      secrets.add((request.postDataJSON() as { token: string }).token);
  });
  page.on('response', async (response) => {
    const url = response.url();
    if (url.startsWith(WEB())) appResponses.set(url, await response.allHeaders());
    if (url.endsWith('/api/user/access-token') && response.ok())
      secrets.add(((await response.json()) as { accessToken: string }).accessToken);
  });
  await page.goto(WEB());
  return { context, page };
}

async function screen(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

const form = (page: Page, name: string) => page.getByRole('form', { name });

async function register(page: Page, who: Person): Promise<void> {
  const registration = form(page, 'Register');
  await registration.getByLabel('Email').fill(who.email);
  await registration.getByLabel('Password', { exact: true }).fill(who.password);
  await registration.getByLabel('Repeat the password').fill(who.password);
  await registration.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByText('Registered and logged in')).toBeVisible();
  who.userId = (await page.getByTestId('user-id').textContent())!;
}

async function login(page: Page, who: Person, password = who.password): Promise<void> {
  const box = form(page, 'Log in');
  await box.getByLabel('Email').fill(who.email);
  await box.getByLabel('Password').fill(password);
  await box.getByRole('button', { name: 'Log in' }).click();
}

async function createKeyPair(page: Page, who: Person): Promise<void> {
  const create = form(page, 'Create your key pair');
  await create.getByLabel('Account password').fill(who.password);
  await create.getByLabel('Repeat the password').fill(who.password);
  await create.getByRole('button', { name: 'Create key pair' }).click();
  await expect(page.getByRole('heading', { name: 'Session secured' })).toBeVisible({ timeout: 60_000 });
  who.fingerprint = (await page.getByTestId('own-fingerprint').textContent())!;
}

async function unlock(page: Page, password: string): Promise<void> {
  const box = form(page, 'Unlock your key');
  await box.getByLabel('Password').fill(password);
  await box.getByRole('button', { name: 'Unlock' }).click();
}

/** The server's word, asked with the page's own session token. */
async function serverMe(page: Page): Promise<{ publicKeyFingerprint: string | null; secured: boolean }> {
  const token = await page.evaluate(() => sessionStorage.getItem('sessionToken'));
  const response = await fetch(`${SERVER()}/api/user/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as { publicKeyFingerprint: string | null; secured: boolean };
}

/**
 * The private key, opened here from the keyserver's blob with the password,
 * as the protocol says (Argon2id, AES-256-GCM bound to the user id), to look
 * for it in the browser's storage in every encoding.
 */
async function privateKeyEncodings(page: Page, who: Person): Promise<string[]> {
  const token = await page.evaluate(() => sessionStorage.getItem('sessionToken'));
  const access = (await (
    await fetch(`${SERVER()}/api/user/access-token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  ).json()) as { accessToken: string };
  const blob = (await (
    await fetch(`${KEYSERVER()}/api/keys/${who.userId}`, { headers: { authorization: `Bearer ${access.accessToken}` } })
  ).json()) as {
    encryptedPrivateKey: string;
    iv: string;
    salt: string;
    kdf: { memoryKiB: number; iterations: number; parallelism: number };
  };
  const key = await argon2id({
    password: who.password.normalize('NFC'),
    salt: Buffer.from(blob.salt, 'base64url'),
    memorySize: blob.kdf.memoryKiB,
    iterations: blob.kdf.iterations,
    parallelism: blob.kdf.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });
  const sealed = Buffer.from(blob.encryptedPrivateKey, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(blob.iv, 'base64url'));
  decipher.setAAD(Buffer.from(`keyexchange/v1/private-key/${who.userId}`));
  decipher.setAuthTag(sealed.subarray(-16));
  const pkcs8 = Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
  const raw = pkcs8.subarray(-32);
  return [pkcs8, raw].flatMap((bytes) => [
    bytes.toString('base64url'),
    bytes.toString('base64'),
    bytes.toString('hex'),
    // A byte array written out as JSON.
    JSON.stringify([...bytes]).slice(1, -1),
  ]);
}

/** Everything the page can keep: web storage, IndexedDB, Cache Storage, cookies, the URL and history. */
async function everythingStored(page: Page) {
  const inPage = await page.evaluate(async () => ({
    localStorage: Object.fromEntries(Object.entries(localStorage)),
    sessionStorage: Object.fromEntries(Object.entries(sessionStorage)),
    indexedDB: (await indexedDB.databases()).map((db) => db.name),
    caches: await caches.keys(),
    documentCookie: document.cookie,
    url: location.href,
    historyState: JSON.stringify(history.state),
  }));
  return { ...inPage, cookies: await page.context().cookies() };
}

test.describe.serial('the web app in Chromium', () => {
  let a: { context: BrowserContext; page: Page };
  let b: { context: BrowserContext; page: Page };
  let c: { context: BrowserContext; page: Page };
  /** Carol's browser, from the shared secrets on. */
  let e: { context: BrowserContext; page: Page };

  test.afterAll(async () => {
    for (const d of [a, b, c, e]) await d?.context.close();
  });

  test('registers, creates a key pair, and shows the session secured with the fingerprint the server holds', async ({
    browser,
  }) => {
    a = await device(browser);
    secrets.add(alice.password);
    await expect(page(a).getByRole('heading', { name: 'Log in' })).toBeVisible();
    await screen(page(a), 'sign-in');
    await register(page(a), alice);
    await expect(page(a).getByText('If you forget your password, your key is lost for good')).toBeVisible();
    await expect(
      page(a)
        .getByText(/At least 12 characters/)
        .first(),
    ).toBeVisible();
    await screen(page(a), 'create-key-pair');
    await createKeyPair(page(a), alice);
    expect(alice.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await serverMe(page(a))).toMatchObject({ publicKeyFingerprint: alice.fingerprint, secured: true });
    await screen(page(a), 'session-secured');
  });

  test('refuses a key password typed differently twice, before any work', async ({ browser }) => {
    b = await device(browser);
    secrets.add(bob.password);
    await register(page(b), bob);
    const create = form(page(b), 'Create your key pair');
    await create.getByLabel('Account password').fill(bob.password);
    await create.getByLabel('Repeat the password').fill(`${bob.password}x`);
    await create.getByRole('button', { name: 'Create key pair' }).click();
    await expect(page(b).getByRole('alert')).toHaveText('The two passwords differ. Nothing was changed.');
    await createKeyPair(page(b), bob);
  });

  test("looks up another user's public key, with the fingerprint the server holds", async () => {
    const lookUp = form(page(a), "Look up someone's public key");
    await lookUp.getByLabel('User id').fill(bob.userId!);
    await lookUp.getByRole('button', { name: 'Look up' }).click();
    await expect(page(a).getByTestId('looked-up-fingerprint')).toHaveText(bob.fingerprint!);
    expect((await serverMe(page(b))).publicKeyFingerprint).toBe(bob.fingerprint);
    await lookUp.getByLabel('User id').fill('not-a-user-id');
    await lookUp.getByRole('button', { name: 'Look up' }).click();
    await expect(page(a).getByRole('alert')).toHaveText('A user id is a UUID.');
  });

  test('logs out, ending the session on the server too', async () => {
    const token = await page(a).evaluate(() => sessionStorage.getItem('sessionToken'));
    await page(a).getByRole('button', { name: 'Log out' }).click();
    await expect(page(a).getByText('Logged out.')).toBeVisible();
    expect(await page(a).evaluate(() => sessionStorage.getItem('sessionToken'))).toBeNull();
    const me = await fetch(`${SERVER()}/api/user/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
  });

  test('on a new device: a wrong password says so, the right one unlocks the same key', async ({ browser }) => {
    c = await device(browser);
    await login(page(c), alice, 'not the password at all');
    await expect(page(c).getByRole('alert')).toHaveText('Wrong email or password.');
    await login(page(c), alice);
    await expect(page(c).getByRole('heading', { name: 'Unlock your key' })).toBeVisible();
    await screen(page(c), 'unlock');
    await unlock(page(c), 'not the password at all');
    await expect(page(c).getByRole('alert')).toHaveText('Wrong password: your key did not open with it.');
    await unlock(page(c), alice.password);
    await expect(page(c).getByRole('heading', { name: 'Session secured' })).toBeVisible({ timeout: 60_000 });
    await expect(page(c).getByTestId('own-fingerprint')).toHaveText(alice.fingerprint!);
    expect(await serverMe(page(c))).toMatchObject({ publicKeyFingerprint: alice.fingerprint, secured: true });
  });

  test('a reload keeps the login and forgets the key; a new tab starts signed out', async () => {
    await page(c).reload();
    await expect(page(c).getByRole('heading', { name: 'Unlock your key' })).toBeVisible();
    await expect(page(c).getByText(alice.email)).toBeVisible();
    await expect(page(c).getByText('The page was reloaded: unlock your key again to use it.')).toBeVisible();
    const tab = await c.context.newPage();
    await tab.goto(WEB());
    await expect(tab.getByRole('heading', { name: 'Log in' })).toBeVisible();
    await expect(tab.getByText('a new tab starts signed out')).toBeVisible();
    await tab.close();
  });

  test('"Lock now" forgets the key', async () => {
    await unlock(page(c), alice.password);
    await expect(page(c).getByRole('heading', { name: 'Session secured' })).toBeVisible({ timeout: 60_000 });
    await page(c).getByRole('button', { name: 'Lock now' }).click();
    await expect(page(c).getByRole('heading', { name: 'Unlock your key' })).toBeVisible();
    await expect(page(c).getByTestId('own-fingerprint')).toHaveCount(0);
    await expect(page(c).getByText('Locked: your key is no longer in this page.')).toBeVisible();
  });

  test('lists the sessions and ends another one, which is signed out there', async ({ browser }) => {
    const d = await device(browser);
    try {
      await login(page(d), alice);
      await expect(page(d).getByRole('heading', { name: 'Unlock your key' })).toBeVisible();
      await page(c).getByRole('button', { name: 'Show sessions' }).click();
      const sessions = page(c).getByRole('region', { name: 'Sessions' }).getByRole('listitem');
      await expect(sessions).toHaveCount(2);
      await screen(page(c), 'sessions');
      await page(c).getByRole('button', { name: 'End this session' }).click();
      await expect(sessions).toHaveCount(1);
      await expect(sessions).toContainText('(this one)');
      await page(d).reload();
      await expect(page(d).getByRole('alert')).toHaveText('Your session has ended. Log in again.');
      await expect(page(d).getByRole('heading', { name: 'Log in' })).toBeVisible();
    } finally {
      await d.context.close();
    }
  });

  test('changes the password: the key opens with the new one, and the old one no longer logs in', async () => {
    const newPassword = `battery ${randomBytes(6).toString('base64url')} horse staple`;
    secrets.add(newPassword);
    await unlock(page(c), alice.password);
    await expect(page(c).getByRole('heading', { name: 'Session secured' })).toBeVisible({ timeout: 60_000 });
    const change = form(page(c), 'Change password');
    await change.getByLabel('Current password').fill('not the password at all');
    await change.getByLabel('New password', { exact: true }).fill(newPassword);
    await change.getByLabel('Repeat the new password').fill(newPassword);
    await change.getByRole('button', { name: 'Change password' }).click();
    await expect(page(c).getByRole('alert')).toHaveText('Wrong current password. Nothing was changed.');
    await screen(page(c), 'change-password');
    await change.getByLabel('Current password').fill(alice.password);
    await change.getByLabel('New password', { exact: true }).fill(newPassword);
    await change.getByLabel('Repeat the new password').fill(newPassword);
    await change.getByRole('button', { name: 'Change password' }).click();
    await expect(page(c).getByText('Password changed: only the new one works from now on')).toBeVisible({
      timeout: 60_000,
    });
    const oldPassword = alice.password;
    alice.password = newPassword;

    await page(c).getByRole('button', { name: 'Log out' }).click();
    await login(page(c), alice, oldPassword);
    await expect(page(c).getByRole('alert')).toHaveText('Wrong email or password.');
    await login(page(c), alice);
    await unlock(page(c), alice.password);
    await expect(page(c).getByTestId('own-fingerprint')).toHaveText(alice.fingerprint!, { timeout: 60_000 });
  });

  test("shows the account's events", async () => {
    await page(c).getByRole('button', { name: 'Show events' }).click();
    const events = page(c).getByRole('region', { name: 'Recent account events' }).getByRole('listitem');
    await expect(events.first()).toBeVisible();
    expect(await events.count()).toBeGreaterThan(2);
    await screen(page(c), 'events');
  });

  test('shares a secret: created, a member added, an owner made, unpinned members confirmed, a removal that rotates, leave, delete', async ({
    browser,
  }) => {
    test.setTimeout(240_000);
    const carol = person('carol');
    secrets.add(carol.password);
    e = await device(browser);
    await register(page(e), carol);
    await createKeyPair(page(e), carol);
    const [alicePage, bobPage, carolPage] = [page(c), page(b), page(e)];
    const region = (p: Page) => p.getByRole('region', { name: 'Shared secrets' });
    // A step is done when the page is no longer busy (what it showed before stays until then).
    const settled = (p: Page) => expect(p.locator('main')).toHaveAttribute('aria-busy', 'false');
    const commitment = async (p: Page) => {
      await settled(p);
      return (await p.getByTestId('secret-commitment').textContent())!;
    };
    const open = async (p: Page) => {
      await region(p)
        .getByRole('button', { name: /^(Show secrets|Refresh)$/ })
        .click();
      await settled(p);
      await region(p).getByRole('button', { name: 'Open Facility north' }).click();
      await settled(p);
      await expect(p.getByRole('heading', { name: 'Facility north' })).toBeVisible();
    };
    const reveal = async (p: Page) => {
      await p.getByRole('button', { name: 'Reveal the secret' }).click();
      await settled(p);
      const secret = (await p.getByTestId('secret-value').textContent())!;
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      secrets.add(secret);
      return secret;
    };

    const create = form(alicePage, 'New shared secret');
    await create.getByLabel('Name').fill('Facility north');
    await create.getByLabel("Members' user ids").fill(`${bob.userId}, not-a-user`);
    await create.getByRole('button', { name: 'Create secret' }).click();
    await expect(alicePage.getByRole('alert')).toHaveText('A user id is a UUID: "not-a-user" is not one.');
    // What was typed stays after a refusal.
    await expect(create.getByLabel('Name')).toHaveValue('Facility north');
    await expect(create.getByLabel("Members' user ids")).toHaveValue(`${bob.userId}, not-a-user`);
    await create.getByLabel("Members' user ids").fill(bob.userId!);
    await create.getByRole('button', { name: 'Create secret' }).click();
    await expect(alicePage.getByText('Secret created and sealed to 2 member(s).')).toBeVisible();
    await expect(create.getByLabel('Name')).toHaveValue('');
    const first = await commitment(alicePage);
    await screen(alicePage, 'shared-secret');
    await open(bobPage);
    expect(await commitment(bobPage)).toBe(first);
    const firstSecret = await reveal(alicePage);
    expect(await reveal(bobPage)).toBe(firstSecret);
    await bobPage.getByRole('button', { name: 'Hide the secret' }).click();
    await expect(bobPage.getByTestId('secret-value')).toHaveCount(0);

    // Bob's browser as if Alice's key had changed since he pinned it: refused until he forgets the pin.
    const pinOf = (p: Page, owner: string, userId: string) =>
      p.evaluate(
        ([owner, userId]) =>
          (JSON.parse(localStorage.getItem(`pins:${owner}`)!) as { pins: Record<string, string> }).pins[userId],
        [owner, userId],
      );
    expect(await pinOf(bobPage, bob.userId!, alice.userId!)).toBe(alice.fingerprint);
    await bobPage.evaluate(
      ([owner, userId]) => {
        const trust = JSON.parse(localStorage.getItem(`pins:${owner}`)!) as { pins: Record<string, string> };
        trust.pins[userId] = '0'.repeat(64);
        localStorage.setItem(`pins:${owner}`, JSON.stringify(trust));
      },
      [bob.userId!, alice.userId!],
    );
    await region(bobPage).getByRole('button', { name: 'Open Facility north' }).click();
    await expect(bobPage.getByRole('alert')).toContainText(`${alice.userId}'s key is not the one this browser pinned`);
    await expect(bobPage.getByTestId('secret-value')).toHaveCount(0);
    const forget = form(bobPage, 'Forget a pinned key');
    await forget.getByLabel('User id of the key to forget').fill(alice.userId!);
    bobPage.once('dialog', (dialog) => void dialog.accept());
    await forget.getByRole('button', { name: 'Forget pin' }).click();
    await expect(bobPage.getByText(`Forgot the pinned key ${'0'.repeat(64)}.`)).toBeVisible();
    await open(bobPage);
    expect(await commitment(bobPage)).toBe(first);
    expect(await pinOf(bobPage, bob.userId!, alice.userId!)).toBe(alice.fingerprint);

    await form(alicePage, 'Add a member').getByLabel('User id to add').fill(carol.userId!);
    await alicePage.getByRole('button', { name: 'Add member' }).click();
    await expect(alicePage.getByText(`Member added`)).toContainText(carol.fingerprint!);
    await open(carolPage);
    expect(await commitment(carolPage)).toBe(first);
    await alicePage.getByRole('button', { name: `Make owner: ${carol.userId}` }).click();
    await expect(alicePage.getByText('Now an owner.')).toBeVisible();

    // Carol rotates: she has pinned Alice (her envelope's sender), not Bob, so she is asked about Bob first.
    await open(carolPage);
    await carolPage.getByRole('button', { name: 'Rotate now' }).click();
    const confirmation = carolPage.getByRole('region', { name: 'Confirm the members of version 2 of Facility north' });
    await expect(confirmation.getByRole('listitem').filter({ hasText: bob.userId })).toContainText(
      `${bob.fingerprint} (not pinned: check it)`,
    );
    await expect(confirmation.getByRole('listitem').filter({ hasText: alice.userId })).toContainText('(pinned)');
    await screen(carolPage, 'shared-secret-confirm');
    await confirmation.getByRole('button', { name: 'Seal to these members' }).click();
    await expect(carolPage.getByText('Rotated to version 2.')).toBeVisible();
    const second = await commitment(carolPage);
    expect(second).not.toBe(first);
    await open(alicePage);
    expect(await commitment(alicePage)).toBe(second);

    // Alice removes Bob: every remaining key is pinned here; she still sees who receives version 3.
    await alicePage.getByRole('button', { name: `Remove: ${bob.userId}` }).click();
    const removal = alicePage.getByRole('region', { name: 'Confirm the members of version 3 of Facility north' });
    await expect(removal).toContainText(`Removing ${bob.userId}`);
    await expect(removal.getByRole('listitem')).toHaveCount(2);
    await expect(removal).not.toContainText('not pinned');
    await removal.getByRole('button', { name: 'Seal to these members' }).click();
    await expect(alicePage.getByText(/^Removed; the secret is rotated to version 3/)).toBeVisible();
    const third = await commitment(alicePage);
    await open(carolPage);
    expect(await commitment(carolPage)).toBe(third);
    const thirdSecret = await reveal(alicePage);
    expect(await reveal(carolPage)).toBe(thirdSecret);
    expect(thirdSecret).not.toBe(firstSecret);
    // Bob's page still shows version 1; it cannot open anything newer.
    await bobPage.getByRole('button', { name: 'Reveal the secret' }).click();
    await expect(bobPage.getByRole('alert')).toHaveText('No such secret, or you are not a member of it.');
    await expect(bobPage.getByRole('heading', { name: 'Facility north' })).toHaveCount(0);
    await region(bobPage).getByRole('button', { name: 'Refresh' }).click();
    await expect(region(bobPage).getByText('You are a member of no shared secret yet.')).toBeVisible();

    // Carol leaves; Alice is asked to rotate, and deletes it instead.
    carolPage.once('dialog', (dialog) => void dialog.accept());
    await carolPage.getByRole('button', { name: 'Leave' }).click();
    await expect(carolPage.getByText('Left. The other members are asked to rotate.')).toBeVisible();
    await region(alicePage).getByRole('button', { name: 'Refresh' }).click();
    await expect(region(alicePage).getByRole('listitem').filter({ hasText: 'Facility north' })).toContainText(
      'a member left: an owner should rotate',
    );
    alicePage.once('dialog', (dialog) => void dialog.accept());
    await alicePage.getByRole('button', { name: 'Delete secret' }).click();
    await expect(alicePage.getByText('Deleted, every version of it.')).toBeVisible();
    await expect(region(alicePage).getByText('You are a member of no shared secret yet.')).toBeVisible();

    // Locking forgets what was shown: nothing of the secret stays on the page.
    await carolPage.getByRole('button', { name: 'Lock now' }).click();
    await expect(carolPage.getByRole('region', { name: 'Shared secrets' })).toHaveCount(0);
    expect(await carolPage.content()).not.toContain(thirdSecret);
  });

  test('unlocking a key stored under weaker hashing settings re-encrypts it under the defaults, same password', async ({
    browser,
  }) => {
    const erin = person('erin');
    secrets.add(erin.password);
    const weak = await userWithWeakKey(SERVER(), KEYSERVER(), erin.email, erin.password);
    expect(await storedKdf(SERVER(), KEYSERVER(), weak.userId, weak.sessionToken)).toEqual(WEAK_KDF);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(WEB());
      await login(page, erin);
      await unlock(page, erin.password);
      await expect(page.getByText('Your key was re-encrypted with stronger password hashing settings')).toBeVisible({
        timeout: 60_000,
      });
      expect(await storedKdf(SERVER(), KEYSERVER(), weak.userId, weak.sessionToken)).toEqual({
        algorithm: 'argon2id',
        memoryKiB: 65536,
        iterations: 3,
        parallelism: 1,
      });
      // The same password still opens it, now under the defaults.
      await page.getByRole('button', { name: 'Lock now' }).click();
      await unlock(page, erin.password);
      await expect(page.getByText('Unlocked: session secured.', { exact: true })).toBeVisible({ timeout: 60_000 });
    } finally {
      await context.close();
    }
  });

  test('locks the key after WEB_IDLE_LOCK_MINUTES without input', async ({ browser }) => {
    const context = await browser.newContext();
    try {
      const idle = await context.newPage();
      await idle.goto(process.env.KX_IDLE_WEB_URL!);
      await login(idle, bob);
      await unlock(idle, bob.password);
      await expect(idle.getByRole('heading', { name: 'Session secured' })).toBeVisible({ timeout: 60_000 });
      // 0.05 minutes here: three seconds without a key pressed or a pointer moved.
      await expect(idle.getByText(/^Locked after 0\.05 minutes without input\.$/)).toBeVisible({ timeout: 15_000 });
      await expect(idle.getByRole('heading', { name: 'Unlock your key' })).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('keeps nothing but the session token, device tokens and pins, and no secret anywhere', async () => {
    const forbidden = [...secrets, ...(await privateKeyEncodings(page(c), alice))];
    expect(forbidden.length).toBeGreaterThan(8);
    for (const d of [a, b, c, e]) {
      const stored = await everythingStored(page(d));
      const pins = Object.keys(stored.localStorage).filter((key) => key.startsWith('pins:'));
      expect(Object.keys(stored.localStorage).filter((key) => !pins.includes(key))).toEqual(['deviceTokens']);
      // Pins: public values only, fingerprints and version numbers.
      for (const key of pins) {
        expect(key).toMatch(/^pins:[0-9a-f-]{36}$/);
        const trust = JSON.parse(stored.localStorage[key] as string) as { pins: object; versions: object };
        expect(Object.keys(trust).sort()).toEqual(['pins', 'versions']);
        for (const pin of Object.values(trust.pins)) expect(pin).toMatch(/^[0-9a-f]{64}$/);
        for (const version of Object.values(trust.versions)) expect(Number.isInteger(version)).toBe(true);
      }
      if (d === c) expect(pins).toEqual([`pins:${alice.userId}`]);
      expect(Object.keys(stored.sessionStorage).filter((k) => k !== 'sessionToken')).toEqual([]);
      expect(stored.indexedDB).toEqual([]);
      expect(stored.caches).toEqual([]);
      expect(stored.documentCookie).toBe('');
      expect(stored.cookies).toEqual([]);
      expect(stored.url).toBe(`${WEB()}/`);
      expect(stored.historyState).toBe('null');
      const everything = JSON.stringify(stored);
      for (const secret of forbidden) expect(everything.includes(secret), 'a secret is stored').toBe(false);
    }
  });

  test('every resource of the app carries the content security policy and the security headers', async () => {
    // Also what the page never asks for: config.json (for people and tools) and a missing file.
    for (const path of ['/config.json', '/no-such-file']) {
      const response = await fetch(`${WEB()}${path}`);
      appResponses.set(`${WEB()}${path}`, Object.fromEntries(response.headers));
    }
    expect(await (await fetch(`${WEB()}/config.json`)).json()).toEqual({
      serverUrl: SERVER(),
      keyserverUrl: KEYSERVER(),
      idleLockMinutes: 15,
    });
    const expected = new Map([
      ['default-src', "'none'"],
      ['script-src', "'self' 'wasm-unsafe-eval'"],
      ['worker-src', "'self'"],
      ['connect-src', `${SERVER()} ${KEYSERVER()}`],
      ['style-src', "'self'"],
      ['img-src', "'self'"],
      ['base-uri', "'none'"],
      ['form-action', "'none'"],
      ['frame-ancestors', "'none'"],
      ['object-src', "'none'"],
    ]);
    const urls = [...appResponses.keys()];
    expect(urls.some((url) => /key-worker-.*\.js$/.test(url))).toBe(true);
    expect(urls.some((url) => url.endsWith('/config.js'))).toBe(true);
    for (const [url, headers] of appResponses) {
      const policy = new Map(
        headers['content-security-policy']
          .split(';')
          .map((directive) => directive.trim().split(/\s+/))
          .filter((parts) => parts[0])
          .map(([name, ...values]) => [name, values.join(' ')]),
      );
      expect(policy, url).toEqual(expected);
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['x-frame-options'], url).toBe('DENY');
      expect(headers['referrer-policy'], url).toBe('no-referrer');
      expect(headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(headers['cross-origin-resource-policy'], url).toBe('same-origin');
    }
  });
});

const page = (d: { page: Page }) => d.page;
