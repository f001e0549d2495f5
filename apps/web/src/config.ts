/** What the app reads at run time from its own origin, so that one build serves every deployment. */
export interface WebConfig {
  serverUrl: string;
  keyserverUrl: string;
  idleLockMinutes: number;
}

/**
 * The deployment's config.json, as the module /config.js that is served
 * beside it with the same values: the policy lets the page connect to the two
 * services only (not even to its own origin, so no fetch of config.json),
 * while it may load scripts from its origin.
 */
export async function loadConfig(): Promise<WebConfig> {
  const url = new URL('/config.js', location.href).href;
  const { default: config } = (await import(/* @vite-ignore */ url)) as { default: Partial<WebConfig> };
  if (typeof config.serverUrl !== 'string' || typeof config.keyserverUrl !== 'string') {
    throw new Error('config.json must name serverUrl and keyserverUrl');
  }
  return {
    serverUrl: config.serverUrl,
    keyserverUrl: config.keyserverUrl,
    idleLockMinutes: typeof config.idleLockMinutes === 'number' ? config.idleLockMinutes : 15,
  };
}
