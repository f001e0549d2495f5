// The attacker of bench/run.mjs's login flood, in a process of its own so that
// its loop does not slow the load generator it is measured against.
// Keeps `concurrency` wrong-secret logins in flight until told to stop; a 503
// is retried after its Retry-After, as HTTP asks (a client that ignores it is a
// request flood, which the per-address ceiling answers, turned off here).
import { randomBytes } from 'node:crypto';

const [url, email, concurrency] = process.argv.slice(2);
let flooding = true;
const answers = {};
process.once('message', () => (flooding = false));

async function attacker() {
  while (flooding) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: randomBytes(24).toString('base64url') }),
    }).catch(() => undefined);
    await response?.arrayBuffer();
    const status = response?.status ?? 'network error';
    answers[status] = (answers[status] ?? 0) + 1;
    if (status === 503)
      await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
}

process.send('flooding');
await Promise.race([
  Promise.all(Array.from({ length: Number(concurrency) }, attacker)),
  new Promise((resolve) => process.once('message', resolve)),
]);
process.send(answers);
process.disconnect();
