import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { base64UrlByteLength } from './wire.js';

export interface Base64UrlLength {
  /** Exact decoded length; or use min/max. */
  bytes?: number;
  minBytes?: number;
  maxBytes?: number;
}

/** Characters of unpadded base64url for n bytes. */
const encodedLength = (bytes: number) => Math.ceil((bytes * 4) / 3);

/** The OpenAPI schema of a base64url field: format, alphabet and encoded lengths. */
export function ApiBase64Url(length: Base64UrlLength): PropertyDecorator {
  const [min, max] = bounds(length);
  return ApiProperty({
    type: String,
    format: 'base64url',
    pattern: '^[A-Za-z0-9_-]*$',
    minLength: encodedLength(min),
    maxLength: encodedLength(max),
  });
}

/** Binary fields travel as base64url without padding, with a decoded length rule (also in the OpenAPI schema). */
export function IsBase64Url(length: Base64UrlLength, options?: ValidationOptions): PropertyDecorator {
  const [min, max] = bounds(length);
  const size = min === max ? `${min} bytes` : `${min} to ${max} bytes`;
  const validation = ValidateBy(
    {
      name: 'isBase64Url',
      constraints: [min, max],
      validator: {
        validate: (value) => {
          const n = base64UrlByteLength(value);
          return n !== undefined && n >= min && n <= max;
        },
        defaultMessage: (args) => `${args?.property} must be ${size} encoded as base64url without padding`,
      },
    },
    options,
  );
  return applyDecorators(ApiBase64Url(length), validation);
}

function bounds(length: Base64UrlLength): [number, number] {
  return [length.bytes ?? length.minBytes ?? 0, length.bytes ?? length.maxBytes ?? Number.MAX_SAFE_INTEGER];
}
