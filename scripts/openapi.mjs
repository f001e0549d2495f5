// npm run openapi [-- --check]: writes openapi/server.json and openapi/keyserver.json
// from the built apps, with no database and no server running (Nest's preview
// mode builds the route metadata without instantiating any provider). Keys are
// sorted so the output is byte-for-byte deterministic. With --check, nothing is
// written: it fails if a committed spec differs from what the code produces, or
// if either is not a valid OpenAPI 3 document.
import { readFile, writeFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { NestFactory } from '@nestjs/core';

const check = process.argv.includes('--check');
// Enough configuration to build the modules; nothing is connected or read.
const env = { NODE_ENV: 'test', DATA_DIR: 'memory://', KEYSERVER_API_KEY: 'openapi-generation-placeholder-key-000000' };

const services = [
  { name: 'server', module: 'ServerModule', docs: 'serverApiDocs' },
  { name: 'keyserver', module: 'KeyserverModule', docs: 'keyserverApiDocs' },
];

let stale = false;
for (const { name, module, docs } of services) {
  const root = `../dist/apps/${name}`;
  const { [module]: RootModule } = await import(`${root}/apps/${name}/src/app.module.js`);
  const { [docs]: options } = await import(`${root}/apps/${name}/src/core/api-docs.js`);
  const { buildOpenApiDocument } = await import(`${root}/libs/platform/src/index.js`);

  const app = await NestFactory.create(RootModule.forRoot(env), { preview: true, logger: false });
  const text = `${JSON.stringify(sortKeys(buildOpenApiDocument(app, options)), null, 2)}\n`;
  await app.close();

  const problems = exampleProblems(JSON.parse(text));
  if (problems.length > 0) {
    console.error(`openapi/${name}.json: ${problems.join('; ')}`);
    stale = true;
  }

  const file = new URL(`../openapi/${name}.json`, import.meta.url);
  if (check) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error(`openapi/${name}.json is stale: run \`npm run openapi\` and commit the result.`);
      stale = true;
    }
    await SwaggerParser.validate(JSON.parse(committed || '{}'));
  } else {
    await SwaggerParser.validate(JSON.parse(text));
    await writeFile(file, text);
    console.log(`wrote openapi/${name}.json`);
  }
}
if (stale) process.exit(1);
if (check) console.log('openapi/server.json and openapi/keyserver.json are current and valid OpenAPI 3.');

/** Every schema property shows an example, and the example obeys the property's own rules. */
function exampleProblems(document) {
  const problems = [];
  for (const [schemaName, schema] of Object.entries(document.components?.schemas ?? {})) {
    for (const [property, rules] of Object.entries(schema.properties ?? {})) {
      const where = `${schemaName}.${property}`;
      if (rules.$ref) continue;
      if (rules.example === undefined) problems.push(`${where} has no example`);
      else if (typeof rules.example === 'string') {
        const { example, pattern, minLength = 0, maxLength = Infinity } = rules;
        if (
          (pattern && !new RegExp(pattern).test(example)) ||
          example.length < minLength ||
          example.length > maxLength
        ) {
          problems.push(`${where}'s example breaks its own schema`);
        }
      }
    }
  }
  return problems;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}
