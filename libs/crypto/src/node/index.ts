// Node-only cryptography (node:crypto), for the services: never imported by code that runs in browsers, which
// uses the isomorphic `@app/crypto` (WebCrypto) for the same protocol.
export { sealSessionChallenge } from './session-challenge.js';
export { HpkeBaseSealer, type AeadId, type EphemeralKey, x25519PrivateKey } from './hpke-base.js';
