/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventsPage } from '../models/EventsPage.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class EventsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * The user’s server events, newest first, 50 a page (secured session)
     * `registered`, `login.succeeded`, `login.failed`, `session.secured`, `session.ended`, `public-key.put`, `key.confirmed`, `key-change.committed`, `key-change.abandoned`, `secret.created`, `secret.member-added`, `secret.member-removed`, `secret.left`, `secret.rotated`, `secret.deleted`, `secret.role-changed`, each with when, the client’s address and its User-Agent; never a token, secret or blob. Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.
     * @returns EventsPage
     * @throws ApiError
     */
    public listEvents({
        cursor,
    }: {
        /**
         * The `nextCursor` of the previous page; omit for the newest events.
         */
        cursor?: string,
    }): CancelablePromise<EventsPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/user/events',
            query: {
                'cursor': cursor,
            },
            errors: {
                400: `cursor is not a nextCursor this API issued`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
