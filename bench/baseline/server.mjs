// The baseline server: the server's hot routes on bare node:http + pg + ioredis,
// with the same statements, Redis commands and cryptography. Benchmark only.
import { createServer } from 'node:http';
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { INSERT_EVENT, bearer, database, readJson, redisLimits, send, sha256, transaction } from './common.mjs';
import { keyring, open, seal } from './storage.mjs';

const { sealSessionChallenge } = await import('../../dist/apps/server/libs/crypto/src/node/session-challenge.js');
const { keyChangeReceiptKey, verifyKeyChangeReceipt } = await import('../../dist/apps/server/libs/crypto/src/index.js');

const db = database();
const limits = redisLimits('server');
const verifierKeys = keyring(process.env.SERVER_VERIFIER_KEYS);
const apiKeyHash = sha256(process.env.KEYSERVER_API_KEY);
const receiptKey = await keyChangeReceiptKey(process.env.KEYSERVER_API_KEY);

/** scrypt at the stored parameters (`$scrypt$ln=..,r=..,p=..$salt$key`), as the server verifies a login secret. */
async function verifySecret(secret, stored) {
  const [, , params, salt, key] = stored.split('$');
  const [ln, r, p] = params.split(',').map((part) => Number(part.split('=')[1]));
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), ln, r, p);
  return timingSafeEqual(actual, Buffer.from(key, 'base64url'));
}

async function hashSecret(secret) {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, 17, 8, 1);
  return `$scrypt$ln=17,r=8,p=1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const derive = (secret, salt, ln, r, p) =>
  new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, { N: 2 ** ln, r, p, maxmem: 2 * 128 * 2 ** ln * r }, (e, k) =>
      e ? reject(e) : resolve(k),
    ),
  );

const SESSION = `WITH live AS (
         SELECT id, user_id, secured_at IS NOT NULL AS secured, last_used_at
           FROM sessions WHERE token_hash = $1 AND expires_at > now()),
       used AS (
         UPDATE sessions SET last_used_at = now()
          WHERE id = (SELECT id FROM live) AND last_used_at < now() - interval '1 minute')
       SELECT id, user_id, secured FROM live`;

const SPEND = `WITH spent AS (
         UPDATE access_tokens SET spent_at = now()
          WHERE token_hash = $1 AND spent_at IS NULL
          RETURNING user_id, session_id, expires_at > now() AS live)
       SELECT spent.user_id,
              spent.live AND s.id IS NOT NULL AS live,
              s.secured_at IS NOT NULL AS session_secured,
              k.confirmed_at IS NOT NULL AS key_confirmed,
              k.fingerprint,
              k.key_version,
              c.id AS committed_change_id,
              c.base_version AS committed_base_version
         FROM spent
         LEFT JOIN sessions s ON s.id = spent.session_id AND s.expires_at > now()
         LEFT JOIN public_keys k ON k.user_id = spent.user_id
         LEFT JOIN key_changes c
           ON c.user_id = spent.user_id AND c.state = 'committed' AND c.base_version = k.key_version - 1`;

async function session(request) {
  const token = bearer(request);
  if (!token) return undefined;
  const { rows } = await db.query(SESSION, [sha256(Buffer.from(token, 'base64url'))]);
  return rows[0];
}

const routes = {
  'POST /api/user/access-token': async (request, response) => {
    const live = await session(request);
    if (!live) return send(response, 401, { message: 'no session' });
    await limits.take([['accessTokensPerSession', live.id]]);
    const accessToken = randomBytes(32);
    const { rows } = await db.query(
      `INSERT INTO access_tokens (token_hash, user_id, session_id, expires_at)
       SELECT $1, s.user_id, s.id, now() + make_interval(secs => $3::int)
         FROM sessions s WHERE s.id = $2 FOR KEY SHARE
       RETURNING expires_at`,
      [sha256(accessToken), live.id, 60],
    );
    send(response, 201, {
      accessToken: accessToken.toString('base64url'),
      expiresAt: rows[0].expires_at.toISOString(),
    });
  },

  'POST /keyserver/user/validate': async (request, response) => {
    const presented = sha256(bearer(request) ?? '');
    if (!timingSafeEqual(presented, apiKeyHash)) return send(response, 401, { message: 'not the keyserver' });
    const { userId, accessToken } = await readJson(request);
    const { rows } = await db.query(SPEND, [sha256(Buffer.from(accessToken, 'base64url'))]);
    const token = rows[0];
    if (!token || !token.live || token.user_id !== userId) return send(response, 403, { message: 'rejected' });
    send(response, 200, {
      valid: true,
      userId,
      keyConfirmed: token.key_confirmed,
      sessionSecured: token.session_secured,
      keyVersion: token.key_version,
      publicKeyFingerprint: token.fingerprint,
      committedKeyChange: token.committed_change_id
        ? { keyChangeId: token.committed_change_id, baseVersion: token.committed_base_version }
        : null,
      abandonedKeyChangeId: null,
    });
  },

  'POST /api/user/session-challenge': async (request, response) => {
    const live = await session(request);
    if (!live) return send(response, 401, { message: 'no session' });
    await limits.take([['challengesPerSession', live.id]]);
    const challengeId = randomUUID();
    const token = randomBytes(32);
    const { rows } = await db.query(
      `INSERT INTO session_challenges (id, session_id, public_key_id, token_hash, expires_at)
       SELECT $1, s.id, k.id, $4, now() + make_interval(secs => $5::int)
         FROM public_keys k, sessions s WHERE k.user_id = $3 AND s.id = $2 FOR KEY SHARE
       RETURNING expires_at, (SELECT public_key FROM public_keys WHERE id = public_key_id) AS public_key`,
      [challengeId, live.id, live.user_id, sha256(token), 60],
    );
    const sealed = sealSessionChallenge({ publicKey: rows[0].public_key, challengeId, token });
    send(response, 201, {
      challengeId,
      enc: Buffer.from(sealed.enc).toString('base64url'),
      ciphertext: Buffer.from(sealed.ciphertext).toString('base64url'),
      expiresAt: rows[0].expires_at.toISOString(),
    });
  },

  'POST /api/user/session-challenge/answer': async (request, response) => {
    const live = await session(request);
    if (!live) return send(response, 401, { message: 'no session' });
    const { challengeId, token } = await readJson(request);
    const charged = await limits.take([['wrongAnswersPerSession', live.id]]);
    const client = await db.connect();
    try {
      await client.query('START TRANSACTION');
      await client.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [live.user_id]);
      const { rows } = await client.query(
        `UPDATE session_challenges SET answered_at = now()
        WHERE id = $1 AND session_id = $2 AND answered_at IS NULL AND expires_at > now()
        RETURNING token_hash, public_key_id`,
        [challengeId, live.id],
      );
      if (!rows[0] || !timingSafeEqual(rows[0].token_hash, sha256(Buffer.from(token, 'base64url')))) {
        await client.query('COMMIT');
        return send(response, 403, { message: 'wrong answer' });
      }
      await client.query(
        `UPDATE public_keys SET confirmed_at = coalesce(confirmed_at, now()), key_version = coalesce(key_version, 1), updated_at = now()
        WHERE id = $1 RETURNING confirmed_at = now() AS newly`,
        [rows[0].public_key_id],
      );
      await client.query(`UPDATE sessions SET secured_at = coalesce(secured_at, now()) WHERE id = $1`, [live.id]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await limits.refund(charged);
    send(response, 200, { secured: true });
  },

  'POST /api/auth/login': async (request, response, address) => {
    const { email, password } = await readJson(request);
    const charged = await limits.take([
      ['loginPerEmailAndAddress', `${email}|${address}`],
      ['loginPerAddress', address],
      ['loginPerEmail', email],
    ]);
    const { rows } = await db.query(
      `SELECT u.id, u.password_hash, u.verifier_key_id, u.sealed_verifier,
              EXISTS (SELECT 1 FROM public_keys k WHERE k.user_id = u.id AND k.confirmed_at IS NOT NULL) AS has_key_pair
         FROM users u WHERE u.email = $1`,
      [email],
    );
    const user = rows[0];
    const stored = open(verifierKeys, user.verifier_key_id, user.sealed_verifier, 'users', user.id).toString('utf8');
    if (!(await verifySecret(password, stored))) return send(response, 401, { message: 'wrong' });
    await limits.refund(charged);
    const sessionToken = randomBytes(32);
    const deviceToken = randomBytes(32);
    const client = await db.connect();
    let expiresAt;
    try {
      await client.query('START TRANSACTION');
      const inserted = await client.query(
        `INSERT INTO sessions (user_id, token_hash, expires_at, client_address, user_agent)
       VALUES ($1, $2, now() + make_interval(secs => $3::int), $4, $5) RETURNING expires_at`,
        [user.id, sha256(sessionToken), 43200, address, request.headers['user-agent'] ?? null],
      );
      expiresAt = inserted.rows[0].expires_at;
      await client.query(INSERT_EVENT, [user.id, 'login.succeeded', address, request.headers['user-agent'] ?? null]);
      await client.query(
        `INSERT INTO device_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(days => $3::int))`,
        [user.id, sha256(deviceToken), 90],
      );
      await client.query(
        `DELETE FROM device_tokens WHERE user_id = $1 AND id NOT IN (
         SELECT id FROM device_tokens WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2)`,
        [user.id, 20],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    send(response, 200, {
      sessionToken: sessionToken.toString('base64url'),
      userId: user.id,
      expiresAt: expiresAt.toISOString(),
      hasKeyPair: user.has_key_pair,
      deviceToken: deviceToken.toString('base64url'),
    });
  },

  'PUT /api/user/public-key': async (request, response, address) => {
    const live = await session(request);
    if (!live) return send(response, 401, { message: 'no session' });
    const { algorithm, publicKey } = await readJson(request);
    const bytes = Buffer.from(publicKey, 'base64url');
    const fingerprint = createHash('sha256').update(bytes).digest('hex');
    const key = await transaction(db, async (tx) => {
      await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [live.user_id]);
      await tx.query(`DELETE FROM public_keys WHERE user_id = $1 AND confirmed_at IS NULL`, [live.user_id]);
      const { rows } = await tx.query(
        `INSERT INTO public_keys (user_id, algorithm, public_key, fingerprint)
       VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING
       RETURNING id, algorithm, public_key, fingerprint, false AS confirmed`,
        [live.user_id, algorithm, bytes, fingerprint],
      );
      await tx.query(INSERT_EVENT, [live.user_id, 'public-key.put', address, request.headers['user-agent'] ?? null]);
      return rows[0];
    });
    send(response, 200, { userId: live.user_id, algorithm: key.algorithm, publicKey, fingerprint, confirmed: false });
  },

  'POST /api/user/key-change': async (request, response, address) => {
    const live = await session(request);
    if (!live) return send(response, 401, { message: 'no session' });
    const { keyChangeId, baseVersion, receipt, currentPassword, newPassword } = await readJson(request);
    const receiptInput = { userId: live.user_id, keyChangeId, baseVersion };
    if (!(await verifyKeyChangeReceipt(receiptKey, receiptInput, Buffer.from(receipt, 'base64url')))) {
      return send(response, 400, { message: 'receipt' });
    }
    await db.query(`SELECT user_id, state, base_version, session_id, created_at FROM key_changes WHERE id = $1`, [
      keyChangeId,
    ]);
    await db.query(`SELECT key_version FROM public_keys WHERE user_id = $1`, [live.user_id]);
    const { rows } = await db.query(
      `SELECT id, email, password_hash, verifier_key_id, sealed_verifier, false AS has_key_pair FROM users WHERE id = $1`,
      [live.user_id],
    );
    const user = rows[0];
    const charged = await limits.take([
      ['loginPerEmailAndAddress', `${user.email}|${address}`],
      ['loginPerAddress', address],
      ['loginPerEmail', user.email],
    ]);
    const stored = open(verifierKeys, user.verifier_key_id, user.sealed_verifier, 'users', user.id).toString('utf8');
    if (!(await verifySecret(currentPassword, stored))) return send(response, 403, { message: 'wrong password' });
    await limits.refund(charged);
    const verifier = seal(verifierKeys, Buffer.from(await hashSecret(newPassword)), 'users', user.id);
    const committed = await transaction(db, async (tx) => {
      await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      await tx.query(`SELECT key_version FROM public_keys WHERE user_id = $1`, [user.id]);
      const inserted = await tx.query(
        `INSERT INTO key_changes (id, user_id, state, base_version, session_id) VALUES ($1, $2, 'committed', $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING created_at`,
        [keyChangeId, user.id, baseVersion, live.id],
      );
      await tx.query(
        `UPDATE public_keys SET key_version = $2, updated_at = now() WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
        [user.id, baseVersion + 1],
      );
      await tx.query(
        `UPDATE users SET verifier_key_id = $2, sealed_verifier = $3, password_hash = NULL WHERE id = $1`,
        [user.id, verifier.keyId, verifier.sealed],
      );
      await tx.query(`DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id`, [user.id, live.id]);
      await tx.query(INSERT_EVENT, [user.id, 'key-change.committed', address, request.headers['user-agent'] ?? null]);
      return inserted.rows[0];
    });
    send(response, 200, { keyChangeId, keyVersion: baseVersion + 1, committedAt: committed.created_at.toISOString() });
  },

  'GET /health/ready': async (_request, response) => {
    await db.query('SELECT 1');
    send(response, 200, { status: 'ok' });
  },
};

createServer(async (request, response) => {
  try {
    const address = request.socket.remoteAddress;
    const isValidate = request.url === '/keyserver/user/validate';
    if (!isValidate && request.url !== '/health/ready') await limits.ceiling(address);
    const route = routes[`${request.method} ${request.url}`];
    if (!route) return send(response, 404, { message: 'not found' });
    await route(request, response, address);
  } catch (error) {
    console.error(error);
    if (!response.headersSent) send(response, 500, { message: 'internal error' });
  }
}).listen(Number(process.env.PORT), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
