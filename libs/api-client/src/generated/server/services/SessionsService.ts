/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SessionsResponse } from '../models/SessionsResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class SessionsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * End every session of the user but this one (secured session)
     * Their unspent access tokens and challenges end with them.
     * @returns void
     * @throws ApiError
     */
    public endOtherSessions(): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/user/sessions',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * The user’s live sessions, newest first (secured session)
     * Each with its id (never its token), when it was opened, last used and expires, whether it is secured, the address and User-Agent it logged in from, and `current` for the caller’s own.
     * @returns SessionsResponse
     * @throws ApiError
     */
    public listSessions(): CancelablePromise<SessionsResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/user/sessions',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * End one of the user’s sessions (secured session)
     * Its unspent access tokens and challenges end with it. The current session may end itself.
     * @returns void
     * @throws ApiError
     */
    public endSession({
        id,
    }: {
        /**
         * A session id from listSessions
         */
        id: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/user/sessions/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `id is not a UUID`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                404: `The user has no session with this id`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
