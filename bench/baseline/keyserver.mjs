// The baseline keyserver: the key fetch on bare node:http + pg + ioredis, with
// the validation hop on an undici pool. Same statements, Redis commands and
// unwrap as the keyserver. Benchmark only.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { bearer, database, INSERT_EVENT, redisLimits, send } from './common.mjs';
import { decodeBlob, keyring, open } from './storage.mjs';

const db = database();
const limits = redisLimits('keyserver');
const storageKeys = keyring(process.env.KEYSERVER_STORAGE_KEYS);
const server = new Pool(process.env.SERVER_URL, { connections: 64 });
const apiKey = `Bearer ${process.env.KEYSERVER_API_KEY}`;
const KEY_PATH = /^\/api\/keys\/([0-9a-f-]{36})$/;

async function validate(userId, accessToken) {
  const response = await server.request({
    method: 'POST',
    path: '/keyserver/user/validate',
    headers: { authorization: apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, accessToken }),
  });
  const body = await response.body.json();
  return response.statusCode === 200 ? body : undefined;
}

async function getKey(request, response, userId, address) {
  const accessToken = bearer(request);
  const user = accessToken && (await validate(userId, accessToken));
  if (!user) return send(response, 403, { message: 'rejected' });
  await limits.take([['keysPerUser', userId]]);
  const { rows } = await db.query(
    `SELECT storage_key_id, sealed_blob, encrypted_private_key, iv, salt,
              kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, public_key_fingerprint, updated_at, version
         FROM encrypted_private_keys WHERE user_id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row) return send(response, 404, { message: 'no key' });
  const secrets = decodeBlob(open(storageKeys, row.storage_key_id, row.sealed_blob, 'encrypted_private_keys', userId));
  const { rows: staged } = await db.query(
    `SELECT id, base_version, storage_key_id, sealed_blob, kdf_algorithm, kdf_memory_kib, kdf_iterations,
       kdf_parallelism, public_key_fingerprint, created_at FROM key_changes WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  await db.query(INSERT_EVENT, [userId, 'key.fetched', address, request.headers['user-agent'] ?? null]);
  send(response, 200, {
    userId,
    encryptedPrivateKey: secrets.encryptedPrivateKey.toString('base64url'),
    iv: secrets.iv.toString('base64url'),
    salt: secrets.salt.toString('base64url'),
    kdf: {
      algorithm: row.kdf_algorithm,
      memoryKiB: row.kdf_memory_kib,
      iterations: row.kdf_iterations,
      parallelism: row.kdf_parallelism,
    },
    publicKeyFingerprint: row.public_key_fingerprint,
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    pendingChanges: staged,
  });
}

createServer(async (request, response) => {
  try {
    if (request.url === '/health/ready') {
      await db.query('SELECT 1');
      return send(response, 200, { status: 'ok' });
    }
    const address = request.socket.remoteAddress;
    await limits.ceiling(address);
    const match = request.method === 'GET' && KEY_PATH.exec(request.url);
    if (!match) return send(response, 404, { message: 'not found' });
    await getKey(request, response, match[1], address);
  } catch (error) {
    console.error(error);
    if (!response.headersSent) send(response, 500, { message: 'internal error' });
  }
}).listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
