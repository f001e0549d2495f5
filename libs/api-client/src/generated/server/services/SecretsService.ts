/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AddSecretMemberRequest } from '../models/AddSecretMemberRequest.js';
import type { CreateSecretRequest } from '../models/CreateSecretRequest.js';
import type { NewSecretVersionRequest } from '../models/NewSecretVersionRequest.js';
import type { SecretResponse } from '../models/SecretResponse.js';
import type { SecretsPage } from '../models/SecretsPage.js';
import type { SecretVersionRef } from '../models/SecretVersionRef.js';
import type { SecretVersionResponse } from '../models/SecretVersionResponse.js';
import type { SetSecretMemberRoleRequest } from '../models/SetSecretMemberRoleRequest.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class SecretsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * The secrets the caller is a member of, 50 a page
     * Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.
     * @returns SecretsPage
     * @throws ApiError
     */
    public listSecrets({
        cursor,
    }: {
        /**
         * The previous page's `nextCursor`; omit for the first page.
         */
        cursor?: string,
    }): CancelablePromise<SecretsPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/secrets',
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
    /**
     * Create a shared secret: its first version, sealed to each member (PROTOCOL.md 12)
     * The client draws `secretId` and seals the secret to each member’s confirmed key, its own included: the caller becomes the owner, the others members, and it is the sender of every envelope. A retry with an identical body answers 201 again; any other use of an id ever used is 409. Takes a body of up to 128 KiB (256 envelopes).
     * @returns SecretVersionRef
     * @throws ApiError
     */
    public createSecret({
        requestBody,
    }: {
        requestBody: CreateSecretRequest,
    }): CancelablePromise<SecretVersionRef> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/secrets',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed, version other than 1, no envelope for the caller, a user named twice, or more than 256 envelopes`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                409: `The id is taken; or some recipients’ keys are pending, missing or not the ones named (changedUserIds)`,
                413: `The request body is larger than 128 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Delete a secret (owners)
     * Every envelope of every version goes, for every member; the id is never used again.
     * @returns void
     * @throws ApiError
     */
    public deleteSecret({
        secretId,
    }: {
        secretId: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/secrets/{secretId}',
            path: {
                'secretId': secretId,
            },
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured, or the caller is a member but not an owner`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included)`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * A secret: its current version’s commitment, the caller’s envelope, and its members
     * Open the envelope with your key and the sender’s public key, then check the secret against the commitment (PROTOCOL.md 12). `keyFingerprint` is the server’s word: compare it with the fingerprint you compute.
     * @returns SecretResponse
     * @throws ApiError
     */
    public getSecret({
        secretId,
    }: {
        secretId: string,
    }): CancelablePromise<SecretResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/secrets/{secretId}',
            path: {
                'secretId': secretId,
            },
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included)`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Leave a secret
     * Every envelope of the caller goes; the others should rotate (rotationRequired). The last member leaving deletes the secret.
     * @returns void
     * @throws ApiError
     */
    public leaveSecret({
        secretId,
    }: {
        secretId: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/secrets/{secretId}/leave',
            path: {
                'secretId': secretId,
            },
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included)`,
                409: `The caller is the last owner and others are members`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Add a member (owners)
     * The body is the current version’s secret sealed to the new member’s confirmed key by the caller. Fetch the member’s key, compute its fingerprint and seal to that: a pending or changed key is refused (409).
     * @returns SecretVersionRef
     * @throws ApiError
     */
    public addSecretMember({
        secretId,
        requestBody,
    }: {
        secretId: string,
        requestBody: AddSecretMemberRequest,
    }): CancelablePromise<SecretVersionRef> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/secrets/{secretId}/members',
            path: {
                'secretId': secretId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured, or the caller is a member but not an owner`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included)`,
                409: `version is not current; the key is pending, missing or another (changedUserIds); or already a member`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Remove a member and rotate, in one step (owners)
     * The body is the next version, sealed to every remaining member: the removed member never receives it. Clears rotationRequired. Takes a body of up to 128 KiB (256 envelopes).
     * @returns SecretVersionRef
     * @throws ApiError
     */
    public removeSecretMember({
        secretId,
        userId,
        requestBody,
    }: {
        secretId: string,
        /**
         * A member
         */
        userId: string,
        requestBody: NewSecretVersionRequest,
    }): CancelablePromise<SecretVersionRef> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/secrets/{secretId}/members/{userId}/removal',
            path: {
                'secretId': secretId,
                'userId': userId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed; or the caller names itself (leave instead)`,
                401: `No valid session`,
                403: `This session is not secured, or the caller is a member but not an owner`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included); or the user is not a member`,
                409: `version is not current + 1; the envelopes do not cover exactly the remaining members (missingUserIds, extraUserIds); or a key is pending, missing or another (changedUserIds)`,
                413: `The request body is larger than 128 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Set a member’s role (owners)
     * Make a member an owner, or an owner a member; the secret always keeps at least one owner.
     * @returns void
     * @throws ApiError
     */
    public setSecretMemberRole({
        secretId,
        userId,
        requestBody,
    }: {
        secretId: string,
        /**
         * A member
         */
        userId: string,
        requestBody: SetSecretMemberRoleRequest,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/secrets/{secretId}/members/{userId}/role',
            path: {
                'secretId': secretId,
                'userId': userId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured, or the caller is a member but not an owner`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included); or the user is not a member`,
                409: `The secret would be left with no owner`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Rotate: a fresh secret as the next version, sealed to every member (owners)
     * Clears rotationRequired. Takes a body of up to 128 KiB (256 envelopes).
     * @returns SecretVersionRef
     * @throws ApiError
     */
    public rotateSecret({
        secretId,
        requestBody,
    }: {
        secretId: string,
        requestBody: NewSecretVersionRequest,
    }): CancelablePromise<SecretVersionRef> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/secrets/{secretId}/versions',
            path: {
                'secretId': secretId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured, or the caller is a member but not an owner`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included)`,
                409: `version is not current + 1; the envelopes do not cover exactly the members (missingUserIds, extraUserIds); or a key is pending, missing or another (changedUserIds)`,
                413: `The request body is larger than 128 KiB`,
                429: `Too many requests from this address, or too many secret writes by this user (RATE_LIMIT_SECRET_WRITES_PER_USER); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * The caller’s envelope of one version
     * For versions the caller was a member of, so that data encrypted under an older version stays readable. A removed member gets 404 for every version.
     * @returns SecretVersionResponse
     * @throws ApiError
     */
    public getSecretVersion({
        secretId,
        version,
    }: {
        secretId: string,
        /**
         * A version the caller was a member of
         */
        version: number,
    }): CancelablePromise<SecretVersionResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/secrets/{secretId}/versions/{version}',
            path: {
                'secretId': secretId,
                'version': version,
            },
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                403: `This session is not secured: answer a session challenge first`,
                404: `No such secret, or the caller is not a member (a member who left or was removed included); or no envelope of this version for the caller`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
