// The baseline keyserver: the key fetch on bare node:http + pg + ioredis, with
// the validation hop on an undici pool. Same statements, Redis commands and
// unwrap as the keyserver. Benchmark only.
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { randomUUID } from 'node:crypto';
import { INSERT_EVENT, bearer, database, readJson, redisLimits, send, transaction } from './common.mjs';
import { decodeBlob, encodeBlob, keyring, open, seal } from './storage.mjs';

const { keyChangeReceiptKey, signKeyChangeReceipt } = await import('../../dist/apps/server/libs/crypto/src/index.js');

const db = database();
const limits = redisLimits('keyserver');
const storageKeys = keyring(process.env.KEYSERVER_STORAGE_KEYS);
const server = new Pool(process.env.SERVER_URL, { connections: 64 });
const apiKey = `Bearer ${process.env.KEYSERVER_API_KEY}`;
const receiptKey = await keyChangeReceiptKey(process.env.KEYSERVER_API_KEY);
const KEY_PATH = /^\/api\/keys\/([0-9a-f-]{36})$/;
const STAGE_PATH = /^\/api\/keys\/([0-9a-f-]{36})\/key-changes$/;
const APPLY_PATH = /^\/api\/keys\/([0-9a-f-]{36})\/key-changes\/([0-9a-f-]{36})\/apply$/;
const SELECT_CHANGE = `SELECT id, base_version, storage_key_id, sealed_blob, kdf_algorithm, kdf_memory_kib, kdf_iterations,
       kdf_parallelism, public_key_fingerprint, created_at FROM key_changes`;

const secretsOf = (body) => ({
  encryptedPrivateKey: Buffer.from(body.encryptedPrivateKey, 'base64url'),
  iv: Buffer.from(body.iv, 'base64url'),
  salt: Buffer.from(body.salt, 'base64url'),
});

/** The token redeemed, the user's counter taken, and a committed change applied first, as the keyserver does. */
async function asUser(request, userId, address) {
  const accessToken = bearer(request);
  const user = accessToken && (await validate(userId, accessToken));
  if (!user) return undefined;
  await limits.take([['keysPerUser', userId]]);
  const committed = user.committedKeyChange;
  if (committed) {
    const { rows } = await db.query(
      `${SELECT_CHANGE} c WHERE c.id = $1 AND c.user_id = $2 AND c.base_version = $3
          AND EXISTS (SELECT 1 FROM encrypted_private_keys b WHERE b.user_id = c.user_id AND b.version = c.base_version)`,
      [committed.keyChangeId, userId, committed.baseVersion],
    );
    const change = rows[0];
    if (change) {
      const secrets = open(storageKeys, change.storage_key_id, change.sealed_blob, 'key_changes', change.id);
      const sealed = seal(storageKeys, secrets, 'encrypted_private_keys', userId);
      await transaction(db, async (tx) => {
        const updated = await tx.query(
          `UPDATE encrypted_private_keys
          SET storage_key_id = $3, sealed_blob = $4, encrypted_private_key = NULL, iv = NULL, salt = NULL,
              kdf_algorithm = $5, kdf_memory_kib = $6, kdf_iterations = $7, kdf_parallelism = $8,
              version = version + 1, updated_at = now()
        WHERE user_id = $1 AND version = $2 AND public_key_fingerprint = $9
        RETURNING version`,
          [
            userId,
            change.base_version,
            sealed.keyId,
            sealed.sealed,
            change.kdf_algorithm,
            change.kdf_memory_kib,
            change.kdf_iterations,
            change.kdf_parallelism,
            change.public_key_fingerprint,
          ],
        );
        await tx.query(`DELETE FROM key_changes WHERE user_id = $1 AND base_version = $2`, [
          userId,
          change.base_version,
        ]);
        await tx.query(`INSERT INTO applied_key_changes (id, user_id, version) VALUES ($1, $2, $3)`, [
          change.id,
          userId,
          updated.rows[0].version,
        ]);
        await tx.query(INSERT_EVENT, [userId, 'key-change.applied', address, request.headers['user-agent'] ?? null]);
      });
    }
  }
  return user;
}

async function putKey(request, response, userId, address) {
  const body = await readJson(request);
  const user = await asUser(request, userId, address);
  if (!user) return send(response, 403, { message: 'rejected' });
  if (body.publicKeyFingerprint !== user.publicKeyFingerprint) return send(response, 409, { message: 'not the key' });
  const sealed = seal(storageKeys, encodeBlob(secretsOf(body)), 'encrypted_private_keys', userId);
  const stored = await transaction(db, async (tx) => {
    const { rows } = await tx.query(
      `INSERT INTO encrypted_private_keys AS stored
         (user_id, storage_key_id, sealed_blob, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism,
          public_key_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) DO UPDATE SET storage_key_id = EXCLUDED.storage_key_id, sealed_blob = EXCLUDED.sealed_blob,
           encrypted_private_key = NULL, iv = NULL, salt = NULL,
           kdf_algorithm = EXCLUDED.kdf_algorithm, kdf_memory_kib = EXCLUDED.kdf_memory_kib,
           kdf_iterations = EXCLUDED.kdf_iterations, kdf_parallelism = EXCLUDED.kdf_parallelism,
           public_key_fingerprint = EXCLUDED.public_key_fingerprint, version = 1, created_at = now(), updated_at = now()
         WHERE stored.public_key_fingerprint IS DISTINCT FROM EXCLUDED.public_key_fingerprint
       RETURNING created_at`,
      [
        userId,
        sealed.keyId,
        sealed.sealed,
        body.kdf.algorithm,
        body.kdf.memoryKiB,
        body.kdf.iterations,
        body.kdf.parallelism,
        body.publicKeyFingerprint,
      ],
    );
    if (rows[0]) {
      await tx.query(`DELETE FROM key_changes WHERE user_id = $1`, [userId]);
      await tx.query(`DELETE FROM applied_key_changes WHERE user_id = $1`, [userId]);
      await tx.query(INSERT_EVENT, [userId, 'key.stored', address, request.headers['user-agent'] ?? null]);
    }
    return rows[0];
  });
  if (!stored) return send(response, 409, { message: 'stored already' });
  send(response, 201, { userId, createdAt: stored.created_at.toISOString() });
}

async function stageChange(request, response, userId, address) {
  const body = await readJson(request);
  const user = await asUser(request, userId, address);
  if (!user) return send(response, 403, { message: 'rejected' });
  const id = randomUUID();
  const sealed = seal(storageKeys, encodeBlob(secretsOf(body)), 'key_changes', id);
  const created = await transaction(db, async (tx) => {
    await tx.query(`SELECT version, public_key_fingerprint FROM encrypted_private_keys WHERE user_id = $1 FOR UPDATE`, [
      userId,
    ]);
    await tx.query(`SELECT count(*)::int AS staged FROM key_changes WHERE user_id = $1`, [userId]);
    const { rows } = await tx.query(
      `INSERT INTO key_changes (user_id, base_version, storage_key_id, sealed_blob,
                                kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, public_key_fingerprint, id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING created_at`,
      [
        userId,
        body.baseVersion,
        sealed.keyId,
        sealed.sealed,
        body.kdf.algorithm,
        body.kdf.memoryKiB,
        body.kdf.iterations,
        body.kdf.parallelism,
        body.publicKeyFingerprint,
        id,
      ],
    );
    await tx.query(INSERT_EVENT, [userId, 'key-change.staged', address, request.headers['user-agent'] ?? null]);
    return rows[0].created_at;
  });
  const receipt = await signKeyChangeReceipt(receiptKey, { userId, keyChangeId: id, baseVersion: body.baseVersion });
  send(response, 201, { keyChangeId: id, baseVersion: body.baseVersion, createdAt: created.toISOString(), receipt });
}

async function applyChange(request, response, userId, keyChangeId, address) {
  const user = await asUser(request, userId, address);
  if (!user) return send(response, 403, { message: 'rejected' });
  await db.query(`${SELECT_CHANGE} WHERE id = $1 AND user_id = $2`, [keyChangeId, userId]);
  const { rows } = await db.query(
    `SELECT b.version FROM applied_key_changes a JOIN encrypted_private_keys b ON b.user_id = a.user_id
        WHERE a.id = $1 AND a.user_id = $2`,
    [keyChangeId, userId],
  );
  if (!rows[0]) return send(response, 404, { message: 'no such change' });
  send(response, 200, { version: rows[0].version });
}

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
  const user = await asUser(request, userId, address);
  if (!user) return send(response, 403, { message: 'rejected' });
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
    const key = KEY_PATH.exec(request.url);
    if (key && request.method === 'GET') return await getKey(request, response, key[1], address);
    if (key && request.method === 'POST') return await putKey(request, response, key[1], address);
    const stage = request.method === 'POST' && STAGE_PATH.exec(request.url);
    if (stage) return await stageChange(request, response, stage[1], address);
    const apply = request.method === 'POST' && APPLY_PATH.exec(request.url);
    if (apply) return await applyChange(request, response, apply[1], apply[2], address);
    send(response, 404, { message: 'not found' });
  } catch (error) {
    console.error(error);
    if (!response.headersSent) send(response, 500, { message: 'internal error' });
  }
}).listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
