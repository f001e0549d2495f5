import { applyDecorators, type Type } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponseDto } from '@app/contracts';
import { JSON_BODY_LIMIT_BYTES } from './http-platform.module.js';

/**
 * What every operation may answer, whatever else it does: the platform refuses
 * malformed input before any handler runs (http-platform.module.ts).
 */
const MALFORMED: Record<number, string> = {
  400: 'Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)',
};

/** What every rate-limited route may answer, whatever else it does. */
const RATE_LIMITED: Record<number, string> = {
  429: 'Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After',
  503: 'The rate limits cannot be checked right now; see Retry-After',
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Whole seconds to wait before trying again',
    schema: { type: 'integer', example: 840 },
  },
};

/**
 * Documents the error statuses an operation answers, each with the shared
 * error body and an example of that status (not one generic example). Every
 * route answers 400 to malformed input and 413 to a body over the limit, and
 * the per-address ceiling's 429 and a counter outage's 503 unless it is
 * exempt from the ceiling.
 */
export function ApiErrors(
  errors: Record<number, string | { description: string; type: Type<unknown>; example?: Record<string, unknown> }>,
  {
    exemptFromCeiling = false,
    bodyLimitBytes = JSON_BODY_LIMIT_BYTES,
  }: { exemptFromCeiling?: boolean; bodyLimitBytes?: number } = {},
): MethodDecorator & ClassDecorator {
  const all = {
    ...MALFORMED,
    413: `The request body is larger than ${bodyLimitBytes / 1024} KiB`,
    ...(exemptFromCeiling ? {} : RATE_LIMITED),
    ...errors,
  };
  return applyDecorators(
    ...Object.entries(all).map(([code, error]) => {
      const status = Number(code);
      const { description, type, example } =
        typeof error === 'string' ? { description: error, type: ErrorResponseDto, example: {} } : error;
      return ApiResponse({
        status,
        description,
        type,
        example: { statusCode: status, error: STATUS_CODES[status], message: description, ...example },
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      });
    }),
  );
}
