// @hpke/core falls back to `import("crypto")` (Node's) where globalThis.crypto
// is missing; in a browser it never is. The bundle gets this instead of a Node built-in.
export const webcrypto = globalThis.crypto;
