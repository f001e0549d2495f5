// npm run migrate -- server|keyserver: applies that service's pending
// migrations with the service's own environment, from the build, for
// deployments that start the services with MIGRATIONS=skip (README, Operations).
const service = process.argv[2];
if (service !== 'server' && service !== 'keyserver') {
  console.error('Usage: npm run migrate -- server|keyserver');
  process.exit(2);
}
await import(`../dist/apps/${service}/apps/${service}/src/migrate.js`);
