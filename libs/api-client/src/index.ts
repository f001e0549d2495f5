// The TypeScript clients generated from openapi/*.json (npm run generate:client).
// Everything under ./generated is generated: change the services, then regenerate.
import { ApiError as KeyserverApiError } from './generated/keyserver/core/ApiError.js';
import { ApiError as ServerApiError } from './generated/server/core/ApiError.js';

export { ServerClient } from './generated/server/ServerClient.js';
export { KeyserverClient } from './generated/keyserver/KeyserverClient.js';
export type * as ServerApi from './generated/server/index.js';
export type * as KeyserverApi from './generated/keyserver/index.js';
export { KeyserverApiError, ServerApiError };

/** Each generated client throws its own ApiError class; this recognises both. */
export function isApiError(error: unknown): error is ServerApiError | KeyserverApiError {
  return error instanceof ServerApiError || error instanceof KeyserverApiError;
}
export { waitInWords } from './retry-after.js';
