/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AccessTokenResponse } from '../models/AccessTokenResponse.js';
import type { ValidateUserRequest } from '../models/ValidateUserRequest.js';
import type { ValidateUserResponse } from '../models/ValidateUserResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class AccessTokensService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * A one-time, 60-second token for one keyserver request (seed: getAccessToken)
     * Each keyserver request spends one token, which the keyserver redeems with the server. The token belongs to this session: it dies when the session ends, and it carries whether the session is secured.
     * @returns AccessTokenResponse
     * @throws ApiError
     */
    public getAccessToken(): CancelablePromise<AccessTokenResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/user/access-token',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many access tokens for this session (RATE_LIMIT_ACCESS_TOKENS_PER_SESSION), or too many requests from this address; see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Keyserver only: validate and spend an access token for a user (seed: validateUser)
     * Any call spends the token, whatever the answer; of concurrent calls exactly one can succeed. The answer names the last committed key change, which the keyserver makes current; with abandonKeyChangeId and a token from a secured session, that change is recorded as abandoned unless it is committed.
     * @returns ValidateUserResponse
     * @throws ApiError
     */
    public validateUser({
        requestBody,
    }: {
        requestBody: ValidateUserRequest,
    }): CancelablePromise<ValidateUserResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/keyserver/user/validate',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed body`,
                401: `Missing or wrong keyserver API key`,
                403: `The token is unknown, expired, spent, or another user’s`,
                413: `The request body is larger than 64 KiB`,
            },
        });
    }
}
