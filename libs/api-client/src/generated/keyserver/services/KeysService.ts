/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EncryptedPrivateKeyResponse } from '../models/EncryptedPrivateKeyResponse.js';
import type { PutPrivateKeyRequest } from '../models/PutPrivateKeyRequest.js';
import type { PutPrivateKeyResponse } from '../models/PutPrivateKeyResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class KeysService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * The user’s encrypted private key, with its iv, salt and KDF parameters (seed: getEncryptedPrivateKey)
     * @returns EncryptedPrivateKeyResponse
     * @throws ApiError
     */
    public getEncryptedPrivateKey({
        userId,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
    }): CancelablePromise<EncryptedPrivateKeyResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/keys/{userId}',
            path: {
                'userId': userId,
            },
            errors: {
                400: `userId is not a UUID`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, or another user’s)`,
                404: `No blob is stored for this user`,
                503: `The server could not be reached to validate the token`,
            },
        });
    }
    /**
     * Store the user’s encrypted private key (seed: putPrivateKey)
     * Replaces a stored blob while the user’s public key is not confirmed; after that, 409.
     * @returns PutPrivateKeyResponse
     * @throws ApiError
     */
    public putPrivateKey({
        userId,
        requestBody,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
        requestBody: PutPrivateKeyRequest,
    }): CancelablePromise<PutPrivateKeyResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/keys/{userId}',
            path: {
                'userId': userId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed blob, KDF parameters out of bounds, or userId not a UUID`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, or another user’s)`,
                409: `A blob is stored and the key is confirmed`,
                503: `The server could not be reached to validate the token`,
            },
        });
    }
}
