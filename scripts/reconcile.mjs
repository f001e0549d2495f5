// npm run reconcile: lists the users whose key, as the server knows it, and
// blob, as the keyserver holds it, disagree (README, "Backup and restore").
// Reads both databases, changes nothing. Needs SERVER_DATABASE_URL and
// KEYSERVER_DATABASE_URL (or their _FILE variants). Exit 0 when all agree,
// 1 when some disagree, 2 on a usage or connection error.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const PAGE = 1000;

function setting(name) {
  const file = process.env[`${name}_FILE`];
  const value = file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : process.env[name];
  if (!value) {
    console.error(
      `npm run reconcile needs ${name} (or ${name}_FILE): the ${name.startsWith('SERVER') ? "server's" : "keyserver's"} PostgreSQL database.`,
    );
    process.exit(2);
  }
  return value;
}

/** Pages of rows ordered by user id, so the two sides merge without holding either in memory. */
async function* pages(client, sql) {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await client.query(sql, [after, PAGE]);
    if (rows.length === 0) return;
    yield* rows;
    after = rows.at(-1).user_id;
  }
}

async function main() {
  const server = new pg.Client({ connectionString: setting('SERVER_DATABASE_URL') });
  const keyserver = new pg.Client({ connectionString: setting('KEYSERVER_DATABASE_URL') });
  try {
    await server.connect();
    await keyserver.connect();
  } catch (error) {
    console.error(`Cannot connect: ${error.message}`);
    process.exit(2);
  }
  // Read-only transactions: this tool never writes.
  await server.query('BEGIN READ ONLY');
  await keyserver.query('BEGIN READ ONLY');
  const keys = pages(
    server,
    `SELECT user_id, fingerprint, key_version FROM public_keys
      WHERE confirmed_at IS NOT NULL AND user_id > $1 ORDER BY user_id LIMIT $2`,
  );
  const blobs = pages(
    keyserver,
    `SELECT user_id, public_key_fingerprint AS fingerprint, version,
            (SELECT count(*)::int FROM key_changes c WHERE c.user_id = b.user_id) AS staged
       FROM encrypted_private_keys b WHERE user_id > $1 ORDER BY user_id LIMIT $2`,
  );
  const disagreements = [];
  let key = await keys.next();
  let blob = await blobs.next();
  while (!key.done) {
    // Blobs of users with no confirmed key (a setup in progress) are not a disagreement.
    while (!blob.done && blob.value.user_id < key.value.user_id) blob = await blobs.next();
    const k = key.value;
    const b = !blob.done && blob.value.user_id === k.user_id ? blob.value : undefined;
    if (!b) disagreements.push([k.user_id, k.key_version, '-', 'no blob on the keyserver']);
    else if (b.fingerprint !== k.fingerprint)
      disagreements.push([k.user_id, k.key_version, b.version, 'the blob belongs to another key']);
    else if (b.version !== k.key_version) {
      const why =
        b.version === k.key_version - 1 && b.staged > 0
          ? 'a committed change not applied yet (it applies at the user’s next keyserver request)'
          : 'versions differ';
      disagreements.push([k.user_id, k.key_version, b.version, why]);
    }
    key = await keys.next();
  }
  await server.end();
  await keyserver.end();
  if (disagreements.length === 0) {
    console.log('Every confirmed key has a blob of its version on the keyserver.');
    return 0;
  }
  console.log(['user id', 'server keyVersion', 'keyserver version', 'why'].join('\t'));
  for (const row of disagreements) console.log(row.join('\t'));
  console.log(`${disagreements.length} user(s) disagree; nothing was changed.`);
  return 1;
}

process.exitCode = await main();
