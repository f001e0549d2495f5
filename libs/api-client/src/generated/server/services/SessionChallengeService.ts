/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SessionChallengeResponse } from '../models/SessionChallengeResponse.js';
import type { SubmitSessionChallengeRequest } from '../models/SubmitSessionChallengeRequest.js';
import type { SubmitSessionChallengeResponse } from '../models/SubmitSessionChallengeResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class SessionChallengeService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * A 32-byte token sealed to the user’s public key with HPKE (seed: getSessionChallenge)
     * Lives 60 seconds, belongs to this session, and takes exactly one answer.
     * @returns SessionChallengeResponse
     * @throws ApiError
     */
    public getSessionChallenge(): CancelablePromise<SessionChallengeResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/user/session-challenge',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                409: `The user has no public key`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many challenges for this session (RATE_LIMIT_CHALLENGES_PER_SESSION), or too many requests from this address; see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Answer a session challenge with the opened token (seed: submitSessionChallenge)
     * A right answer secures this session and confirms the key. A wrong 32-byte answer spends the challenge.
     * @returns SubmitSessionChallengeResponse
     * @throws ApiError
     */
    public submitSessionChallenge({
        requestBody,
    }: {
        requestBody: SubmitSessionChallengeRequest,
    }): CancelablePromise<SubmitSessionChallengeResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/user/session-challenge/answer',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed: the token is not 32 bytes of base64url (the challenge is not spent)`,
                401: `No valid session`,
                403: `Wrong token, expired, already answered, another session’s challenge, or its key was replaced`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many refused answers from this session (RATE_LIMIT_WRONG_ANSWERS_PER_SESSION), or too many requests from this address; the challenge is not spent; see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
