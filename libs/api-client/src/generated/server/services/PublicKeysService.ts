/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { PublicKeyResponse } from '../models/PublicKeyResponse.js';
import type { PutPublicKeyRequest } from '../models/PutPublicKeyRequest.js';
import type { UserPublicKeyResponse } from '../models/UserPublicKeyResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class PublicKeysService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Store the user’s public key (seed: create keypair, step 3)
     * The key is pending until a session challenge sealed to it is answered. A pending key may be replaced (challenges sealed to it are voided); a confirmed key may not.
     * @returns PublicKeyResponse
     * @throws ApiError
     */
    public putPublicKey({
        requestBody,
    }: {
        requestBody: PutPublicKeyRequest,
    }): CancelablePromise<PublicKeyResponse> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/user/public-key',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Not an X25519 public key of this algorithm, or a low-order point`,
                401: `No valid session`,
                409: `The user already has a confirmed key`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * A user’s confirmed public key (a protected endpoint: needs a secured session)
     * The key others encrypt to, with its fingerprint to compare out of band. A pending key (not yet confirmed by a session challenge) is never served: 404, the same as for an unknown user.
     * @returns UserPublicKeyResponse
     * @throws ApiError
     */
    public getPublicKeyForUser({
        userId,
    }: {
        /**
         * The user whose public key this is
         */
        userId: string,
    }): CancelablePromise<UserPublicKeyResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/users/{userId}/public-key',
            path: {
                'userId': userId,
            },
            errors: {
                400: `userId is not a UUID`,
                401: `No valid session`,
                403: `This session is not secured`,
                404: `No such user, or no confirmed key`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
