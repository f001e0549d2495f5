/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AppliedKeyChangeResponse } from '../models/AppliedKeyChangeResponse.js';
import type { EncryptedPrivateKeyResponse } from '../models/EncryptedPrivateKeyResponse.js';
import type { EventsPage } from '../models/EventsPage.js';
import type { PutPrivateKeyRequest } from '../models/PutPrivateKeyRequest.js';
import type { PutPrivateKeyResponse } from '../models/PutPrivateKeyResponse.js';
import type { StagedKeyChangeResponse } from '../models/StagedKeyChangeResponse.js';
import type { StageKeyChangeRequest } from '../models/StageKeyChangeRequest.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class KeysService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Delete the user’s encrypted private key, staged key changes and keyserver events (deletePrivateKey)
     * The first step of deleting the account: the client then asks the server to delete the user. Spends an access token, which must come from a secured session, and counts against RATE_LIMIT_KEYS_PER_USER. Everything is deleted in one transaction; 204 also when nothing was stored, so a retry after a lost answer succeeds. Records no event: the user’s log is deleted with the rest.
     * @returns void
     * @throws ApiError
     */
    public deletePrivateKey({
        userId,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/keys/{userId}',
            path: {
                'userId': userId,
            },
            errors: {
                400: `userId is not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * The user’s encrypted private key, with its iv, salt, KDF parameters and public key fingerprint (seed: getEncryptedPrivateKey)
     * Spends an access token and counts against RATE_LIMIT_KEYS_PER_USER; every fetch is recorded as `key.fetched` before the blob leaves. A committed key change is applied first, so the blob is always the version whose password the server accepts. `pendingChanges` lists the changes staged and not yet applied, so that a client that stopped can finish or abandon one.
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
                400: `userId is not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended)`,
                404: `No blob is stored for this user`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * Store the user’s encrypted private key, bound to its public key (seed: putPrivateKey)
     * The path and body are validated before the access token is spent. `publicKeyFingerprint` must be the user’s current public key on the server (409 otherwise). The first blob stored for a public key is final (409); a stored blob of another key is replaced. Once the key is confirmed, only a token from a secured session may store (the repair path for an account left holding another key’s blob).
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
                400: `Malformed blob, KDF parameters out of bounds, or userId not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended)`,
                409: `publicKeyFingerprint is not the user’s current public key, a blob for this key is stored already, or the key is confirmed and the token’s session is not secured`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * The user’s keyserver events, newest first, 50 a page (listKeyEvents)
     * Key stores, fetches and refused requests (`key.stored`, `key.fetched`, `key.fetch-refused`, `key-change.*`), each with when, the client’s address and its User-Agent; never a token, secret or blob. Spends an access token, which must come from a secured session. Pass `nextCursor` as `?cursor=` for the next page; it is null on the last.
     * @returns EventsPage
     * @throws ApiError
     */
    public listKeyEvents({
        userId,
        cursor,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
        /**
         * The `nextCursor` of the previous page; omit for the newest events.
         */
        cursor?: string,
    }): CancelablePromise<EventsPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/keys/{userId}/events',
            path: {
                'userId': userId,
            },
            query: {
                'cursor': cursor,
            },
            errors: {
                400: `cursor is not a nextCursor this API issued, or userId is not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * Stage a key change: the same private key wrapped anew, under a new password or stronger KDF parameters (stageKeyChange)
     * The first of two phases: the server commits the change (commitKeyChange) with the receipt answered here, and the keyserver then makes it current (on the next request of the user, or applyKeyChange). A staged change is immutable, and kept until it is applied or abandoned. Needs a token from a secured session; counts against RATE_LIMIT_KEYS_PER_USER.
     * @returns StagedKeyChangeResponse
     * @throws ApiError
     */
    public stageKeyChange({
        userId,
        requestBody,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
        requestBody: StageKeyChangeRequest,
    }): CancelablePromise<StagedKeyChangeResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/keys/{userId}/key-changes',
            path: {
                'userId': userId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed blob, KDF parameters out of bounds, or userId not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured`,
                409: `No blob of the confirmed key is stored, publicKeyFingerprint is not the confirmed key, baseVersion is not the current version, or 5 changes are staged already`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * Abandon a staged key change (abandonKeyChange)
     * The keyserver asks the server, through the token’s validation, to record the change as abandoned so it can never be committed, then deletes it. A change the server has committed is applied instead and answered 409. Needs a token from a secured session; counts against RATE_LIMIT_KEYS_PER_USER.
     * @returns void
     * @throws ApiError
     */
    public abandonKeyChange({
        userId,
        keyChangeId,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
        keyChangeId: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/keys/{userId}/key-changes/{keyChangeId}',
            path: {
                'userId': userId,
                'keyChangeId': keyChangeId,
            },
            errors: {
                400: `userId or keyChangeId is not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended), or the token’s session is not secured`,
                404: `No change with this id is staged for this user`,
                409: `This change was committed and is now current`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * Make a committed key change current (applyKeyChange)
     * Every request of the user already applies the server’s last committed change first; this asks for it explicitly. Answers the key’s current version once the change is applied, now or earlier. Any valid access token of the user; counts against RATE_LIMIT_KEYS_PER_USER.
     * @returns AppliedKeyChangeResponse
     * @throws ApiError
     */
    public applyKeyChange({
        userId,
        keyChangeId,
    }: {
        /**
         * The user whose key this is; must match the access token
         */
        userId: string,
        keyChangeId: string,
    }): CancelablePromise<AppliedKeyChangeResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/keys/{userId}/key-changes/{keyChangeId}/apply',
            path: {
                'userId': userId,
                'keyChangeId': keyChangeId,
            },
            errors: {
                400: `userId or keyChangeId is not a UUID (the token is not spent)`,
                401: `No access token`,
                403: `The server rejected the access token (unknown, expired, spent, another user’s, or its session ended)`,
                404: `No change with this id is staged or applied for this user`,
                409: `The change is staged but not committed`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many reads and writes of this user’s key (RATE_LIMIT_KEYS_PER_USER; the token is spent), or too many requests from this address; see Retry-After`,
                503: `The server could not be reached to validate the token, or answered unexpectedly, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
}
