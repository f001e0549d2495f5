import { randomBytes } from 'node:crypto';
import { toBase64Url } from '@app/contracts/wire';
import {
  bodyLimitOf,
  exampleOf,
  resolve,
  type OpenApiDocument,
  type Schema,
  type SpecOperation,
  type SpecValidator,
} from './openapi.js';

/** One malformed request to an operation: everything not stated here is as a well-formed request has it. */
export interface Variant {
  name: string;
  /** 413 for a body over the operation's limit, 400 for anything else. */
  status: 400 | 413;
  /** Path parameters in place of the valid ones, percent-encoded as they go on the wire. */
  pathParameters?: Record<string, string>;
  /** The query string, without its `?`, sent as is. */
  query?: string;
  /** The body's bytes, sent as they are. */
  body?: Buffer;
  /** The Content-Type header; none when undefined. */
  contentType?: string;
}

const JSON_TYPE = 'application/json';
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const MISSING = Symbol('missing');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bytes no UTF-8 decoder may accept, each a different way of being wrong. */
const INVALID_UTF8: Array<[string, Buffer]> = [
  ['a 0xFF byte', Buffer.from([0xff])],
  ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
  ['a surrogate encoded as UTF-8 (CESU-8)', Buffer.from([0xed, 0xa0, 0x80])],
  ['a truncated multibyte sequence', Buffer.from([0xe2, 0x82])],
];

/** JSON string escapes that decode to text no UTF-8 can carry. */
const LONE_SURROGATES: Array<[string, string]> = [
  ['a lone high surrogate', '\\ud800'],
  ['a lone low surrogate', '\\udc00'],
  ['a surrogate pair in the wrong order', '\\udc00\\ud800'],
];

interface Field {
  path: string[];
  schema: Schema;
  required: boolean;
}

/** Every property of a body schema, nested objects' own included. */
function fieldsOf(document: OpenApiDocument, schema: Schema, prefix: string[] = []): Field[] {
  const resolved = resolve(document, schema);
  return Object.entries(resolved.properties ?? {}).flatMap(([name, property]) => {
    const field = {
      path: [...prefix, name],
      schema: resolve(document, property),
      required: resolved.required?.includes(name) ?? false,
    };
    return field.schema.properties ? [field, ...fieldsOf(document, field.schema, field.path)] : [field];
  });
}

/** A copy of `body` with the value at `path` replaced, or removed (MISSING). */
function withValue(body: unknown, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (value === MISSING) delete parent[last];
  else parent[last] = value;
  return copy;
}

const valueAt = (body: unknown, path: string[]) =>
  path.reduce<unknown>((parent, key) => (parent as Record<string, unknown>)[key], body);

/** `body` as JSON with the value at `path` replaced by raw JSON text, or bytes. */
function withRawValue(body: unknown, path: string[], raw: Buffer | string): Buffer {
  const marker = `MARKER-${randomBytes(8).toString('hex')}`;
  const [before, after] = JSON.stringify(withValue(body, path, marker)).split(`"${marker}"`);
  return Buffer.concat([Buffer.from(before), Buffer.from(raw), Buffer.from(after)]);
}

/** `body` with raw bytes or escapes at the end of the (valid) string at `path`: only they are wrong. */
function withStringTail(body: unknown, path: string[], tail: Buffer | string): Buffer {
  const head = JSON.stringify(valueAt(body, path)).slice(0, -1);
  return withRawValue(body, path, Buffer.concat([Buffer.from(head), Buffer.from(tail), Buffer.from('"')]));
}

const wrongTypes: Record<string, unknown[]> = {
  string: [12345, true, ['text'], { value: 'text' }],
  integer: ['1', true, [1], { value: 1 }],
  number: ['1', true, [1], { value: 1 }],
  boolean: ['true', 1, [true]],
  object: ['object', 1, [], true],
};

/** Candidate values for a field, named; the caller keeps those its schema refuses. */
function candidatesFor(schema: Schema, valid: unknown): Array<[string, unknown]> {
  const candidates: Array<[string, unknown]> = [['null', null]];
  for (const value of wrongTypes[schema.type ?? 'object'] ?? []) {
    candidates.push([`wrong type (${Array.isArray(value) ? 'array' : typeof value})`, value]);
  }
  if (schema.type === 'string' && typeof valid === 'string') candidates.push(...stringCandidates(schema, valid));
  if (schema.type === 'integer' || schema.type === 'number') {
    if (schema.minimum !== undefined) candidates.push(['below its minimum', schema.minimum - 1]);
    if (schema.maximum !== undefined) candidates.push(['above its maximum', schema.maximum + 1]);
    candidates.push(['a fraction', (schema.minimum ?? 0) + 0.5], ['a huge number', 1e300]);
  }
  if (schema.properties) candidates.push(['an empty object', {}]);
  return candidates;
}

function stringCandidates(schema: Schema, valid: string): Array<[string, unknown]> {
  const candidates: Array<[string, unknown]> = [
    ['empty', ''],
    ['huge (40,000 characters)', 'A'.repeat(40_000)],
  ];
  if (schema.maxLength !== undefined) candidates.push(['one character too long', 'A'.repeat(schema.maxLength + 1)]);
  if (schema.minLength !== undefined && schema.minLength > 1) {
    candidates.push(['one character too short', 'A'.repeat(schema.minLength - 1)]);
  }
  if (schema.enum) candidates.push(['not one of its values', `${valid}-other`], ['in lower case', valid.toLowerCase()]);
  if (schema.format === 'base64url') candidates.push(...base64UrlCandidates(schema, valid));
  if (schema.format === 'uuid') {
    candidates.push(
      ['not a UUID', 'not-a-uuid'],
      ['a UUID without its dashes', valid.replaceAll('-', '')],
      ['a UUID with a character more', `${valid}0`],
      ['a UUID in braces', `{${valid}}`],
    );
  }
  if (schema.format === 'email') {
    candidates.push(
      ['not an email address', 'not-an-email-address'],
      ['an address without a domain', 'alice@'],
      ['an address without a local part', '@example.com'],
      ['an address with a space', 'alice smith@example.com'],
    );
  }
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    const breaks: Array<[string, string]> = [
      ['in upper case', valid.toUpperCase()],
      ['a character short', valid.slice(1)],
      ['a character more', `${valid}${valid[0]}`],
      ['with a character outside its pattern', `~${valid.slice(1)}`],
    ];
    candidates.push(...breaks.filter(([, value]) => !pattern.test(value)));
  }
  return candidates;
}

/** base64url spelled wrong (alphabet, padding, stray bits, length) and right but of the wrong byte length. */
function base64UrlCandidates(schema: Schema, valid: string): Array<[string, unknown]> {
  const candidates: Array<[string, unknown]> = [
    ['standard base64 "+"', `+${valid.slice(1)}`],
    ['standard base64 "/"', `/${valid.slice(1)}`],
    ['padded with "="', `${valid}${'='.repeat((4 - (valid.length % 4)) % 4 || 1)}`],
    ['with a space inside', `${valid.slice(0, 4)} ${valid.slice(4)}`],
    ['with a line break inside', `${valid.slice(0, 4)}\n${valid.slice(4)}`],
    ['not base64 at all', '!!!!'],
  ];
  // The last character of 1 or 2 leftover bytes has unused bits: set, they spell the same bytes a second way.
  if (valid.length % 4 === 2 || valid.length % 4 === 3) {
    const last = ALPHABET.indexOf(valid[valid.length - 1]);
    candidates.push(['non-canonical (unused bits set)', `${valid.slice(0, -1)}${ALPHABET[last | 1]}`]);
  }
  // No string of 4n+1 characters is base64 of anything, whatever its characters.
  const minLength = schema.minLength ?? 0;
  const impossible = minLength + ((((1 - minLength) % 4) + 4) % 4);
  if (impossible <= (schema.maxLength ?? Infinity)) {
    candidates.push([`of ${impossible} characters (no byte length)`, 'A'.repeat(impossible)]);
  }
  const minBytes = Math.floor((minLength * 3) / 4);
  if (minBytes > 0) candidates.push([`${minBytes - 1} bytes`, toBase64Url(randomBytes(minBytes - 1))]);
  if (schema.maxLength !== undefined) {
    const maxBytes = Math.floor((schema.maxLength * 3) / 4);
    candidates.push([`${maxBytes + 1} bytes`, toBase64Url(randomBytes(maxBytes + 1))]);
  }
  return candidates;
}

/** What can be wrong with a body, field by field and as a whole. */
function bodyVariants(
  operation: SpecOperation,
  document: OpenApiDocument,
  validator: SpecValidator,
  schema: Schema,
): Variant[] {
  const valid = exampleOf(document, schema);
  const problem = validator.check(schema, valid);
  if (problem) throw new Error(`${operation.operationId}: the spec's own examples make an invalid body: ${problem}`);
  const variants: Variant[] = [];
  const add = (name: string, body: Buffer) => variants.push({ name, status: 400, body, contentType: JSON_TYPE });

  for (const field of fieldsOf(document, schema)) {
    const name = field.path.join('.');
    const value = valueAt(valid, field.path);
    if (field.required) add(`${name}: missing`, json(withValue(valid, field.path, MISSING)));
    for (const [what, candidate] of candidatesFor(field.schema, value)) {
      const body = withValue(valid, field.path, candidate);
      // Only what the spec refuses is malformed: a candidate the schema takes is no variant.
      if (validator.check(schema, body) !== undefined) add(`${name}: ${what}`, json(body));
    }
    if (field.schema.properties) {
      add(`${name}: a field it does not take`, json(withValue(valid, [...field.path, 'unexpected'], true)));
    }
    if (field.schema.type === 'string') {
      add(`${name}: invalid UTF-8 (${INVALID_UTF8[0][0]})`, withStringTail(valid, field.path, INVALID_UTF8[0][1]));
      add(`${name}: ${LONE_SURROGATES[0][0]}`, withStringTail(valid, field.path, LONE_SURROGATES[0][1]));
    }
    if (field.schema.type === 'integer' || field.schema.type === 'number') {
      // JSON.parse reads it as Infinity.
      add(`${name}: a number past any double (1e400)`, withRawValue(valid, field.path, '1e400'));
    }
  }

  const text = JSON.stringify(valid);
  const first = fieldsOf(document, schema)[0];
  const firstString = fieldsOf(document, schema).find((field) => field.schema.type === 'string');
  if (resolve(document, schema).required?.length) add('an empty object', json({}));
  add('a field it does not take', json({ ...(valid as object), unexpected: true }));
  add(
    `a duplicate key (${first.path[0]}, same value)`,
    Buffer.from(
      `{${JSON.stringify(first.path[0])}:${JSON.stringify((valid as Record<string, unknown>)[first.path[0]])},${text.slice(1)}`,
    ),
  );
  add(
    `a duplicate key (${first.path[0]}, another value)`,
    Buffer.from(`${text.slice(0, -1)},${JSON.stringify(first.path[0])}:${JSON.stringify(0)}}`),
  );
  const nested = fieldsOf(document, schema).find((field) => field.path.length > 1);
  if (nested) {
    const parent = nested.path.slice(0, -1);
    const key = nested.path[nested.path.length - 1];
    const marker = `MARKER-${randomBytes(8).toString('hex')}`;
    const withMarker = JSON.stringify(withValue(valid, [...parent, marker], 0));
    add(
      `a duplicate key inside ${parent.join('.')} (${key})`,
      Buffer.from(withMarker.replace(`"${marker}":0`, `${JSON.stringify(key)}:1`)),
    );
  }
  if (firstString) {
    for (const [what, bytes] of INVALID_UTF8.slice(1)) {
      add(`${firstString.path.join('.')}: invalid UTF-8 (${what})`, withStringTail(valid, firstString.path, bytes));
    }
    for (const [what, escape] of LONE_SURROGATES.slice(1)) {
      add(`${firstString.path.join('.')}: ${what}`, withStringTail(valid, firstString.path, escape));
    }
  }
  add('a lone surrogate in a key', Buffer.from(`${text.slice(0, -1)},"\\ud800":1}`));
  add('no body at all', Buffer.alloc(0));
  variants.push(...wholeBodyVariants(operation, Buffer.from(text)));
  return variants;
}

/**
 * What is wrong with a body whatever the operation: not JSON, JSON of the
 * wrong kind, the wrong Content-Type, or too large. `sample` is a body that
 * would be read were it not for the one defect.
 */
function wholeBodyVariants(operation: SpecOperation, sample: Buffer): Variant[] {
  const text = sample.toString();
  const variants: Variant[] = [];
  // null: no Content-Type header at all.
  const add = (name: string, body: Buffer | string, contentType: string | null = JSON_TYPE) =>
    variants.push({ name, status: 400, body: Buffer.from(body), contentType: contentType ?? undefined });
  add('JSON: an array', `[${text}]`);
  add('JSON: a string', '"text"');
  add('JSON: a number', '42');
  add('JSON: null', 'null');
  add('JSON: true', 'true');
  add('invalid JSON: cut short', text.slice(0, -1));
  add('invalid JSON: a trailing comma', `${text.slice(0, -1)},}`);
  add('invalid JSON: single quotes', text.replaceAll('"', "'"));
  add('invalid JSON: a comment', `/* comment */${text}`);
  add('invalid JSON: NaN', `${text.slice(0, -1)},"n":NaN}`);
  add('invalid JSON: text after the value', `${text} trailing`);
  add('invalid JSON: two values', `${text}${text}`);
  add('invalid UTF-8 outside a string', Buffer.concat([Buffer.from([0xff]), sample]));
  add('Content-Type text/plain', sample, 'text/plain');
  add('Content-Type application/x-www-form-urlencoded', 'a=1&b=2', 'application/x-www-form-urlencoded');
  add('Content-Type multipart/form-data', sample, 'multipart/form-data; boundary=x');
  add('Content-Type application/xml', sample, 'application/xml');
  add('Content-Type application/octet-stream', sample, 'application/octet-stream');
  add('Content-Type application/merge-patch+json', sample, 'application/merge-patch+json');
  add('Content-Type application/jsonx', sample, 'application/jsonx');
  add('no Content-Type', sample, null);
  add('charset latin1', sample, 'application/json; charset=latin1');
  add('charset UTF-16 (JSON is UTF-8)', Buffer.from(text, 'utf16le'), 'application/json; charset=utf-16le');
  const limit = bodyLimitOf(operation);
  // Valid JSON but for its size: white space before it.
  const padded = (size: number) => Buffer.concat([Buffer.alloc(size - sample.length, ' '), sample]);
  variants.push(
    {
      name: `over the limit by one byte (${limit + 1} bytes)`,
      status: 413,
      body: padded(limit + 1),
      contentType: JSON_TYPE,
    },
    { name: 'over the limit (1 MiB)', status: 413, body: padded(1024 * 1024), contentType: JSON_TYPE },
  );
  return variants;
}

/** A body on an operation that takes none: any body at all is wrong, in every way a body can be. */
function unwantedBodyVariants(operation: SpecOperation): Variant[] {
  const sample = json({ unexpected: true });
  const add = (name: string, body: Buffer | string): Variant => ({
    name,
    status: 400,
    body: Buffer.from(body),
    contentType: JSON_TYPE,
  });
  return [
    add('a body (it takes none)', sample),
    add('a body with a duplicate key', '{"unexpected":true,"unexpected":true}'),
    add(
      'a body with invalid UTF-8',
      Buffer.concat([Buffer.from('{"unexpected":"'), INVALID_UTF8[0][1], Buffer.from('"}')]),
    ),
    add('a body with a lone surrogate', '{"unexpected":"\\ud800"}'),
    ...wholeBodyVariants(operation, sample),
  ];
}

/** Query strings an operation does not take: unknown names, odd spellings, bad escapes, and too much. */
function queryVariants(operation: SpecOperation): Variant[] {
  const declared = operation.queryParameters.map((parameter) => parameter.name);
  const queries: Array<[string, string]> = [
    ['an unknown parameter', 'unexpected=1'],
    ['an unknown parameter without a value', 'unexpected'],
    ['an unknown parameter with an empty value', 'unexpected='],
    ['a parameter with no name', '=1'],
    ['an array parameter', 'unexpected[]=1'],
    ['an object parameter', 'unexpected[key]=1'],
    ['__proto__', '__proto__=1'],
    ['__proto__ as an object', '__proto__[admin]=1'],
    ['constructor', 'constructor=1'],
    ['toString', 'toString=1'],
    ['an invalid percent-escape in a name', '%FF=1'],
    ['an invalid percent-escape in a value', 'unexpected=%FF'],
    ['a lone percent sign', 'unexpected=%'],
    ['an encoded NUL', 'unexpected=%00'],
    ['an encoded lone surrogate (CESU-8)', 'unexpected=%ED%A0%80'],
    ['a huge value', `unexpected=${'x'.repeat(6000)}`],
    ['a huge name', `${'k'.repeat(2000)}=1`],
    ['many parameters', Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&')],
  ];
  if (declared.length === 0) {
    queries.push(['only separators', '&&'], ['a parameter another operation takes', 'cursor=abc']);
  }
  for (const name of declared) {
    queries.push(
      [`${name} twice`, `${name}=a&${name}=b`],
      [`${name} as an array`, `${name}[]=a`],
      [`${name} as an object`, `${name}[key]=a`],
      [`${name} and an unknown parameter`, `${name}=&unexpected=1`],
      [`${name} not one this API issued`, `${name}=not-a-${name}`],
      [`${name} with an invalid percent-escape`, `${name}=%FF`],
      [`${name} huge`, `${name}=${'x'.repeat(6000)}`],
    );
  }
  return queries.map(([name, query]) => ({ name: `query: ${name}`, status: 400, query }));
}

/** A path parameter's valid value in these tests: 1 for an integer (a version), else a UUID. */
export function validPathValue(parameter: { schema?: { type?: unknown } }, uuid: string): string {
  return parameter.schema?.type === 'integer' ? '1' : uuid;
}

/** What is not a positive 32-bit integer, as a path parameter. */
const NOT_POSITIVE_INTEGERS: Array<[string, string]> = [
  ['not a number', 'one'],
  ['a fraction', '1.5'],
  ['zero', '0'],
  ['negative', '-1'],
  ['an exponent', '1e3'],
  ['past 32 bits', '99999999999'],
  ['a number and a space', '1%20'],
  ['an invalid percent-escape', '%FF'],
  ['an encoded NUL', '%00'],
  ['huge', '9'.repeat(2000)],
];

/** Path parameters that are not UUIDs (or not positive integers), each parameter in turn (the others valid). */
function pathVariants(operation: SpecOperation, validPath: Record<string, string>): Variant[] {
  return operation.pathParameters.flatMap((parameter) => {
    const { name } = parameter;
    if (parameter.schema?.type === 'integer') {
      return NOT_POSITIVE_INTEGERS.map(([what, value]) => ({
        name: `path ${name}: ${what}`,
        status: 400 as const,
        pathParameters: { [name]: value },
      }));
    }
    const uuid = validPath[name];
    const values: Array<[string, string]> = [
      ['not a UUID', 'not-a-uuid'],
      ['a number', '12345'],
      ['a UUID without its dashes', uuid.replaceAll('-', '')],
      ['a UUID with a character more', `${uuid}0`],
      ['a UUID a character short', uuid.slice(1)],
      ['a UUID in braces', `%7B${uuid}%7D`],
      ['a UUID and a space', `${uuid}%20`],
      ['a UUID with a non-hex digit', `g${uuid.slice(1)}`],
      ['an encoded slash', `${uuid}%2Fx`],
      ['an invalid percent-escape', '%FF'],
      ['an encoded NUL', '%00'],
      ['huge', 'a'.repeat(2000)],
    ];
    return values.map(([what, value]) => ({
      name: `path ${name}: ${what}`,
      status: 400 as const,
      pathParameters: { [name]: value },
    }));
  });
}

/** Every malformed variant of one operation, from its spec. */
export function variantsOf(
  operation: SpecOperation,
  document: OpenApiDocument,
  validator: SpecValidator,
  validPath: Record<string, string>,
): Variant[] {
  return [
    ...(operation.body
      ? bodyVariants(operation, document, validator, operation.body)
      : unwantedBodyVariants(operation)),
    ...queryVariants(operation),
    ...pathVariants(operation, validPath),
  ];
}
