import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The number of bytes a strict base64url string (no padding) encodes, or
 * undefined when it is not one. Non-canonical spellings (stray low bits in the
 * last character) are refused so each value has exactly one encoding.
 */
export function base64UrlByteLength(value: unknown): number | undefined {
  if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) return undefined;
  const bytes = Math.floor((value.length * 3) / 4);
  const last = value.length % 4 === 0 ? 0 : value.charCodeAt(value.length - 1);
  if (last) {
    const sextet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(String.fromCharCode(last));
    const unusedBits = value.length % 4 === 2 ? 0b1111 : 0b11;
    if (sextet & unusedBits) return undefined;
  }
  return bytes;
}

export interface Base64UrlLength {
  /** Exact decoded length; or use min/max. */
  bytes?: number;
  minBytes?: number;
  maxBytes?: number;
}

/** Characters of unpadded base64url for n bytes. */
const encodedLength = (bytes: number) => Math.ceil((bytes * 4) / 3);

/** Binary fields travel as base64url without padding, with a decoded length rule (also in the OpenAPI schema). */
export function IsBase64Url(length: Base64UrlLength, options?: ValidationOptions): PropertyDecorator {
  const min = length.bytes ?? length.minBytes ?? 0;
  const max = length.bytes ?? length.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const size = min === max ? `${min} bytes` : `${min} to ${max} bytes`;
  const schema = ApiProperty({
    type: String,
    format: 'base64url',
    pattern: '^[A-Za-z0-9_-]*$',
    minLength: encodedLength(min),
    maxLength: encodedLength(max),
  });
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
  return applyDecorators(schema, validation);
}
