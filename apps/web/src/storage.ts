// Everything the app keeps in the browser, and where. sessionStorage: the
// session token alone (a reload keeps the login, a new tab starts signed out).
// localStorage: each email's device token from its last login. Nothing else,
// anywhere: the key and the password live only in the key worker's memory.
const SESSION_TOKEN = 'sessionToken';
const DEVICE_TOKENS = 'deviceTokens';

export const sessionToken = {
  get: (): string | undefined => sessionStorage.getItem(SESSION_TOKEN) ?? undefined,
  set: (token: string): void => sessionStorage.setItem(SESSION_TOKEN, token),
  clear: (): void => sessionStorage.removeItem(SESSION_TOKEN),
};

function readDeviceTokens(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(DEVICE_TOKENS) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** A login sends the email's device token and keeps the new one: a stranger's wrong guesses do not lock this browser out. */
export const deviceTokens = {
  get: (email: string): string | undefined => readDeviceTokens()[email],
  set(email: string, token: string): void {
    localStorage.setItem(DEVICE_TOKENS, JSON.stringify({ ...readDeviceTokens(), [email]: token }));
  },
};
