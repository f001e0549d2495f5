import type { ServerApi } from '@app/api-client';

/** What supertest and fetch answer with: a body they type as `any`. */
interface Answer {
  body: unknown;
}

/**
 * A response's body as the shape the test expects, named from the generated client's types (the API's own contract),
 * so what a test reads from it is type-checked. It checks nothing at run time: the assertions do.
 */
export function bodyOf<T>(response: Answer): T {
  return response.body as T;
}

/** The one error shape both services answer with. */
export function errorOf(response: Answer): ServerApi.ErrorResponse {
  return bodyOf<ServerApi.ErrorResponse>(response);
}
