import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';

/** Deeper than any body this API takes; deeper input could exhaust the stack. */
const MAX_DEPTH = 8;
/**
 * Keys that whitelisting does not see: class-transformer skips a key the DTO
 * inherits (`toString`, `constructor`...), so it never becomes an own property.
 */
const FORBIDDEN_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The global validation: a body must be one JSON object, shallow, with no
 * prototype keys (nor may a query have any) and no nulls, before
 * class-transformer and class-validator look at it; then the usual whitelist
 * rules apply.
 */
@Injectable()
export class JsonBodyValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') assertPlainJsonObject(value);
    // The whole query (not `@Query('name')`): an object of the parameters.
    if (metadata.type === 'query' && typeof value === 'object' && value !== null) assertNoForbiddenKeys(value);
    return super.transform(value, metadata);
  }
}

function assertPlainJsonObject(body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException('The request body must be a JSON object');
  }
  // Iterative walk: the check itself must not recurse on hostile input.
  const pending: Array<[unknown, number]> = [[body, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) throw new BadRequestException(`The request body is nested deeper than ${MAX_DEPTH} levels`);
    assertNoForbiddenKeys(value);
    for (const [key, child] of Object.entries(value)) {
      // No request field is nullable; @IsOptional() would take a null for an absent field.
      if (child === null) throw new BadRequestException(`${key} must not be null (leave an optional field out)`);
      pending.push([child, depth + 1]);
    }
  }
}

function assertNoForbiddenKeys(value: object): void {
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new BadRequestException(`property ${key} should not exist`);
  }
}
