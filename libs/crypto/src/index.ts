export * from './encoding.js';
export * from './errors.js';
export * from './kdf.js';
export * from './keys.js';
export * from './login-secret.js';
export * from './private-key.js';
export * from './session-challenge.js';
export * from './key-change-receipt.js';
