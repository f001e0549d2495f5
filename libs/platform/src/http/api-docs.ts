import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export interface ApiDocsOptions {
  title: string;
  description: string;
  /** Bearer schemes by name, with what the token is. */
  bearerSchemes: Record<string, string>;
  /** Every tag the operations use, with what it groups. */
  tags?: Record<string, string>;
}

/**
 * States in the spec that an operation, or every operation of a controller,
 * needs no credential (`security: []`): without it a reader (and a linter)
 * cannot tell a public operation from one whose security was forgotten.
 */
/** @nestjs/swagger's metadata key for an operation (DECORATORS.API_OPERATION, not exported by the package). */
const API_OPERATION = 'swagger/apiOperation';

export function ApiNoSecurity(): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const methods = descriptor
      ? [descriptor.value as object]
      : Object.getOwnPropertyNames((target as { prototype: object }).prototype)
          .filter((name) => name !== 'constructor')
          .map((name) => (target as { prototype: Record<string, object> }).prototype[name]);
    for (const method of methods) {
      const operation = (Reflect.getMetadata(API_OPERATION, method) ?? {}) as object;
      Reflect.defineMetadata(API_OPERATION, { ...operation, security: [] }, method);
    }
  };
}

export function buildOpenApiDocument(app: INestApplication, options: ApiDocsOptions): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: Swagger UI calls the origin that served it; clients pass their own base URL.
    .addServer('/', 'The service that serves this document');
  for (const [name, description] of Object.entries(options.tags ?? {})) builder.addTag(name, description);
  for (const [name, description] of Object.entries(options.bearerSchemes)) {
    // Opaque random tokens, not JWTs (Nest's default format).
    builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description }, name);
  }
  // A handler's name is its operationId: the protocol's word, and the generated client's method.
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controller, method) => method,
  });
  return withoutDtoSuffix(document);
}

/**
 * Schema names are the DTO class names less their `Dto` suffix (a Nest
 * convention the Swagger plugin needs), so clients read `LoginResponse`.
 */
function withoutDtoSuffix(document: OpenAPIObject): OpenAPIObject {
  const rename = (name: string) => name.replace(/Dto$/, '');
  const text = JSON.stringify(document, (key, value: unknown) =>
    key === '$ref' && typeof value === 'string' ? value.replace(/(#\/components\/schemas\/\w+?)Dto$/, '$1') : value,
  );
  const renamed = JSON.parse(text) as OpenAPIObject;
  const schemas = renamed.components?.schemas ?? {};
  renamed.components = {
    ...renamed.components,
    schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [rename(name), schema])),
  };
  return renamed;
}

/**
 * Swagger UI at /docs and the document at /docs-json. In production the UI
 * forgets pasted tokens on reload: persisted, they would sit in the browser's
 * storage for any script on the origin to read.
 */
export function serveApiDocs(
  app: INestApplication,
  options: ApiDocsOptions,
  { production }: { production: boolean },
): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, options), {
    jsonDocumentUrl: 'docs-json',
    // No validator badge: it would send the document's URL to validator.swagger.io (and the CSP blocks it).
    swaggerOptions: { persistAuthorization: !production, validatorUrl: null },
  });
}
