/**
 * Routes that take bodies over JSON_BODY_LIMIT_BYTES: a module that has some
 * provides one of these (`{ provide: LargeJsonBodies, useValue: new LargeJsonBodies(...) }`),
 * and configureHttpApp reads those routes' bodies with its limit. Each such
 * operation states the limit in its spec (ApiErrors' `bodyLimitBytes`).
 */
export class LargeJsonBodies {
  constructor(
    /** Matched against `<METHOD> <path>` (no query string), e.g. `POST /api/secrets`. */
    readonly routes: RegExp,
    readonly limitBytes: number,
  ) {}
}
