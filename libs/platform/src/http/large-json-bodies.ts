/**
 * Routes that take bodies over JSON_BODY_LIMIT_BYTES: a service that has some
 * names them in its HTTP configuration (`http.largeJsonBodies`), and
 * configureHttpApp reads those routes' bodies with this limit. Each such
 * operation states the limit in its spec (ApiErrors' `bodyLimitBytes`).
 */
export class LargeJsonBodies {
  constructor(
    /** Matched against `<METHOD> <path>` (no query string), e.g. `POST /api/secrets`. */
    readonly routes: RegExp,
    readonly limitBytes: number,
  ) {}
}
