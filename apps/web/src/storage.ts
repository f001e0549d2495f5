// Everything the app keeps in the browser, and where. sessionStorage: the
// session token alone (a reload keeps the login, a new tab starts signed out).
// localStorage: each email's device token from its last login, and per user
// the fingerprints this browser pinned and the highest version of each secret
// it saw (public values both). Nothing else, anywhere: the key, the password
// and shared secrets live only in the key worker's memory.
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

/** What this browser trusts for one user: the keys it pinned (trust on first use) and each secret's highest version seen. */
export interface Trust {
  pins: Record<string, string>;
  versions: Record<string, number>;
}

const trustKey = (userId: string) => `pins:${userId}`;

export const trustStore = {
  get(userId: string): Trust {
    try {
      const parsed = JSON.parse(localStorage.getItem(trustKey(userId)) ?? '{}') as Partial<Trust>;
      return { pins: { ...parsed.pins }, versions: { ...parsed.versions } };
    } catch {
      return { pins: {}, versions: {} };
    }
  },
  set: (userId: string, trust: Trust): void => localStorage.setItem(trustKey(userId), JSON.stringify(trust)),
};
