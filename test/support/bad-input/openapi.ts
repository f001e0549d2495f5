import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { decodeBase64Url } from '@app/contracts/wire';

/** The parts of an OpenAPI 3.0 document the generator reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  example?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  items?: Schema;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Response {
  description: string;
  content?: Record<string, { schema?: Schema }>;
}

interface Operation {
  operationId: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export type ServiceName = 'server' | 'keyserver';

/** One operation of a committed spec, as the test sends requests to it. */
export interface SpecOperation {
  service: ServiceName;
  method: 'get' | 'post' | 'put' | 'delete';
  /** The spec's path template, `/api/keys/{userId}`. */
  path: string;
  operationId: string;
  description: string;
  pathParameters: Parameter[];
  queryParameters: Parameter[];
  /** The JSON body's schema, references resolved; undefined when the operation takes no body. */
  body?: Schema;
  /** The security scheme a request must present, if any. */
  securityScheme?: string;
  responses: Record<string, Response>;
}

export function readSpec(service: ServiceName): OpenApiDocument {
  return JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../../openapi/${service}.json`, import.meta.url)), 'utf8'),
  ) as OpenApiDocument;
}

/** The schema a `$ref` names (an `allOf` of one, as Nest writes a described reference, counts as that one). */
export function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components.schemas[name];
    if (!target) throw new Error(`The spec has no schema ${schema.$ref}`);
    return resolve(document, target);
  }
  if (schema.allOf?.length === 1) return resolve(document, schema.allOf[0]);
  return schema;
}

export function operationsOf(service: ServiceName, document: OpenApiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const json = operation.requestBody?.content['application/json'];
      if (operation.requestBody && !json) throw new Error(`${operation.operationId} takes a body that is not JSON`);
      operations.push({
        service,
        method: method as SpecOperation['method'],
        path,
        operationId: operation.operationId,
        description: operation.description ?? '',
        pathParameters: parameters.filter((p) => p.in === 'path'),
        queryParameters: parameters.filter((p) => p.in === 'query'),
        body: json ? resolve(document, json.schema) : undefined,
        securityScheme: Object.keys(operation.security?.[0] ?? {})[0],
        responses: operation.responses,
      });
    }
  }
  return operations;
}

/** The largest body an operation reads: 64 KiB, unless its description states a larger limit. */
export function bodyLimitOf(operation: SpecOperation): number {
  const stated = /bod(?:y|ies)[^.]*?\b(\d+) KiB/i.exec(operation.description)?.[1];
  return Math.max(64, Number(stated ?? 0)) * 1024;
}

/**
 * A value the schema accepts, from the examples the spec gives: every
 * property, optional ones included, so that each is there to break.
 */
export function exampleOf(document: OpenApiDocument, schema: Schema): unknown {
  const resolved = resolve(document, schema);
  if (resolved.type === 'object' || resolved.properties) {
    return Object.fromEntries(
      Object.entries(resolved.properties ?? {}).map(([name, property]) => [name, exampleOf(document, property)]),
    );
  }
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.enum) return resolved.enum[0];
  throw new Error(`The spec gives no example for ${JSON.stringify(schema)}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A JSON-schema validator for one spec's schemas. OpenAPI 3.0 is not quite
 * JSON Schema (`nullable`, `example`), hence strict off; the formats the
 * specs use are checked as the services mean them (base64url: its one
 * canonical spelling).
 */
export class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.ajv.addFormat('base64url', { type: 'string', validate: (value) => decodeBase64Url(value) !== undefined });
    this.ajv.addFormat('uuid', UUID);
    this.ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
    this.ajv.addSchema({ components: document.components }, 'spec');
  }

  /** Undefined when `value` matches `schema`, else what does not. */
  check(schema: Schema, value: unknown): string | undefined {
    let validate = this.compiled.get(schema);
    if (!validate) {
      // References point into the document added as `spec`.
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"spec#/components/');
      validate = this.ajv.compile(JSON.parse(text) as object);
      this.compiled.set(schema, validate);
    }
    if (validate(value)) return undefined;
    return this.ajv.errorsText(validate.errors);
  }
}
