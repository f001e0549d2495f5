// npm run rewrap -- server|keyserver: seals every stored secret of that service
// under the current (first) key of its keyring, with the service's own
// environment, while the service keeps answering (see README, Deployment).
const service = process.argv[2];
if (service !== 'server' && service !== 'keyserver') {
  console.error('Usage: npm run rewrap -- server|keyserver');
  process.exit(2);
}
await import(`../dist/apps/${service}/apps/${service}/src/rewrap.js`);
