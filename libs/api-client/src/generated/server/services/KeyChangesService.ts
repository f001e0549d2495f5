/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CommitKeyChangeRequest } from '../models/CommitKeyChangeRequest.js';
import type { CommittedKeyChangeResponse } from '../models/CommittedKeyChangeResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class KeyChangesService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Commit a key change staged on the keyserver: a new password, or a stronger KDF (commitKeyChange)
     * The second of two phases. Checked in this order: the body and the keyserver’s receipt (400); baseVersion is the key’s keyVersion, the change was not abandoned nor committed from another session (409); the current password (403, counted as a failed login for the email; 429 like a login past its limits). Then, in one transaction: keyVersion becomes baseVersion + 1, and with newPassword the login verifier is replaced and every other session ends with its unspent access tokens and challenges. A retry from the committing session answers 200 with the same body and changes nothing, without checking the password again. The keyserver makes the change current on the user’s next request (or applyKeyChange).
     * @returns CommittedKeyChangeResponse
     * @throws ApiError
     */
    public commitKeyChange({
        requestBody,
    }: {
        requestBody: CommitKeyChangeRequest,
    }): CancelablePromise<CommittedKeyChangeResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/user/key-change',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed body, or a receipt that does not verify`,
                401: `No valid session`,
                403: `This session is not secured, or the current password is wrong (the session stays)`,
                409: `baseVersion is not the key’s keyVersion (or there is no confirmed key), the change was abandoned, or it was committed from another session`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many failed logins for this email or address; see Retry-After`,
                503: `Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
}
