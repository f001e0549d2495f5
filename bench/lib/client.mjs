// The benchmark's side of the protocol: HTTP over keep-alive connections
// (undici pools), and the client's cryptography, all done before timing.
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';

const crypto = await import('../../dist/apps/server/libs/crypto/src/index.js');
export { crypto };

/** The cheapest Argon2id parameters the keyserver accepts: the blob's strength is no part of the server's work. */
export const FAST_KDF = { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 };

/** A JSON API at `origin`, `connections` sockets kept alive. Non-2xx answers throw, unless `expect` names them. */
export function api(origin, connections = 256) {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const call = async (method, path, { body, token, expect } = {}) => {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await pool.request({
      method,
      path,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300 && !expect?.includes(response.statusCode)) {
      const error = new Error(`${method} ${origin}${path}: ${response.statusCode} ${text}`);
      throw Object.assign(error, { status: response.statusCode, retryAfter: response.headers['retry-after'] });
    }
    return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    get: (path, options) => call('GET', path, options).then((r) => r.body),
    post: (path, options) => call('POST', path, options).then((r) => r.body),
    put: (path, options) => call('PUT', path, options).then((r) => r.body),
    close: () => pool.close(),
  };
}

export const newLoginSecret = () => randomBytes(32).toString('base64url');

/** Registers an account and logs in; the "password" is the login secret a client derives. */
export async function registerUser(server, tag) {
  const email = `bench-${tag}-${randomBytes(6).toString('hex')}@example.com`;
  const password = newLoginSecret();
  await server.post('/api/auth/register', { body: { email, password } });
  const login = await server.post('/api/auth/login', { body: { email, password } });
  return { email, password, userId: login.userId, sessionToken: login.sessionToken, deviceToken: login.deviceToken };
}

/** Everything flow 1 sends, computed ahead (key pair, wrapped blob, fingerprint). */
export async function keyMaterial(user) {
  const keys = await crypto.generateKeyPair();
  const blob = await crypto.wrapPrivateKey({
    privateKeyPkcs8: keys.privateKeyPkcs8,
    password: user.password,
    userId: user.userId,
    kdf: FAST_KDF,
  });
  return {
    keys,
    publicKeyBody: { algorithm: crypto.KEY_ALGORITHM, publicKey: crypto.toBase64Url(keys.publicKey) },
    blobBody: {
      encryptedPrivateKey: crypto.toBase64Url(blob.encryptedPrivateKey),
      iv: crypto.toBase64Url(blob.iv),
      salt: crypto.toBase64Url(blob.salt),
      kdf: blob.kdf,
      publicKeyFingerprint: await crypto.fingerprint(keys.publicKey),
    },
  };
}

/** Opens a session challenge with the private key: the client's part, outside the server's time. */
export async function answerOf(challenge, privateKey) {
  const token = await crypto.openSessionChallenge({
    privateKey,
    challengeId: challenge.challengeId,
    enc: crypto.fromBase64Url(challenge.enc),
    ciphertext: crypto.fromBase64Url(challenge.ciphertext),
  });
  return { challengeId: challenge.challengeId, token: crypto.toBase64Url(token) };
}

/** Flow 1 for a logged-in user whose key material is ready: public key, blob, confirming challenge. */
export async function createKeyPair(server, keyserver, user, material) {
  await server.put('/api/user/public-key', { token: user.sessionToken, body: material.publicKeyBody });
  const { accessToken } = await server.post('/api/user/access-token', { token: user.sessionToken });
  await keyserver.post(`/api/keys/${user.userId}`, { token: accessToken, body: material.blobBody });
  const challenge = await server.post('/api/user/session-challenge', { token: user.sessionToken });
  const answer = await answerOf(challenge, material.keys.privateKey);
  await server.post('/api/user/session-challenge/answer', { token: user.sessionToken, body: answer });
}
