// Serves the built web app (dist/web) with its security headers and a
// config.json read from the environment, so one build serves every
// deployment. `npm start` runs it; so can the production image.
//
//   WEB_PORT (3002), WEB_HOST (127.0.0.1)
//   WEB_SERVER_URL (http://127.0.0.1:3000), WEB_KEYSERVER_URL (http://127.0.0.1:3001): as browsers reach them
//   WEB_IDLE_LOCK_MINUTES (15): the key is locked after this long without input
//   WEB_ROOT (dist/web)
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import helmet from 'helmet';

export function webConfig(env = process.env) {
  const problems = [];
  const url = (name, fallback) => {
    const value = env[name] ?? fallback;
    let parsed;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username) {
      problems.push(`${name} must be an http(s) URL with no query, fragment or credentials: "${value}" is not.`);
      return value;
    }
    return parsed.href.replace(/\/$/, '');
  };
  const number = (name, fallback, min, max, integer) => {
    const text = env[name] ?? String(fallback);
    const value = Number(text);
    if (
      text.trim() === '' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      problems.push(
        `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}: "${text}" is not.`,
      );
    }
    return value;
  };
  const config = {
    port: number('WEB_PORT', 3002, 1, 65535, true),
    host: env.WEB_HOST ?? '127.0.0.1',
    root: resolve(env.WEB_ROOT ?? 'dist/web'),
    serverUrl: url('WEB_SERVER_URL', 'http://127.0.0.1:3000'),
    keyserverUrl: url('WEB_KEYSERVER_URL', 'http://127.0.0.1:3001'),
    // Fractions allowed: a test locks after seconds.
    idleLockMinutes: number('WEB_IDLE_LOCK_MINUTES', 15, 0.01, 1440, false),
  };
  if (!existsSync(resolve(config.root, 'index.html'))) {
    problems.push(`${config.root} holds no index.html: build the app first (npm run build:web).`);
  }
  if (problems.length) throw new Error(`Invalid web app configuration:\n- ${problems.join('\n- ')}`);
  return config;
}

/**
 * A service's URL as a policy source: its origin, or its path as a prefix. A
 * source with a path and no trailing slash matches that exact path only, and
 * every request goes below it.
 */
const connectSource = (url) => (new URL(url).pathname === '/' ? url : `${url}/`);

/** The policy every response carries, worker scripts included: the page may talk to the two services and nothing else. */
export function contentSecurityPolicy(config) {
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
      workerSrc: ["'self'"],
      connectSrc: [config.serverUrl, config.keyserverUrl].map(connectSource),
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
    },
  };
}

export function webApp(config) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    helmet({
      contentSecurityPolicy: contentSecurityPolicy(config),
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    next();
  });
  const runtimeConfig = JSON.stringify({
    serverUrl: config.serverUrl,
    keyserverUrl: config.keyserverUrl,
    idleLockMinutes: config.idleLockMinutes,
  });
  // The same values twice: config.json for people and tools, config.js for the page, whose policy lets it load
  // scripts from this origin but connect to the two services only.
  app.get('/config.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(runtimeConfig);
  });
  app.get('/config.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/javascript').send(`export default ${runtimeConfig};\n`);
  });
  app.use(
    express.static(config.root, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      setHeaders(res, path) {
        // File names under assets/ carry their content's hash; the page itself must always be fresh.
        res.setHeader(
          'Cache-Control',
          /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  app.use((_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(404).type('text/plain').send('Not found');
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let config;
  try {
    config = webConfig();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  const server = webApp(config).listen(config.port, config.host, () => {
    const local = config.host === '127.0.0.1' ? ` (or http://localhost:${config.port})` : '';
    console.log(`web app ready on http://${config.host}:${config.port}${local}`);
  });
  // Static files: nothing to drain but idle kept-alive connections.
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
