/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Credentials } from '../models/Credentials.js';
import type { DeleteAccountRequest } from '../models/DeleteAccountRequest.js';
import type { LoginRequest } from '../models/LoginRequest.js';
import type { LoginResponse } from '../models/LoginResponse.js';
import type { RegisterResponse } from '../models/RegisterResponse.js';
import type { UserResponse } from '../models/UserResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class AuthService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Authenticate: open a session (seed: authenticate)
     * `password` is the login secret the client derives from the password (PROTOCOL.md), never the password. Answers a session token (12 hours by default), whether the account has a confirmed key pair, the KDF floor and recommendation for wrapping the private key, and a device token to send with this device’s next login. A wrong email or secret is the same 401; failed logins are counted per email, address and device (429 past the limits).
     * @returns LoginResponse
     * @throws ApiError
     */
    public login({
        requestBody,
    }: {
        requestBody: LoginRequest,
    }): CancelablePromise<LoginResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/auth/login',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed body`,
                401: `Wrong email or password (the same answer for both)`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many failed logins for this email, address or device; see Retry-After`,
                503: `Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * End this session
     * The session token stops working at once, and its unspent access tokens and challenges with it. Recorded as `session.ended`.
     * @returns void
     * @throws ApiError
     */
    public logout(): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/auth/logout',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
    /**
     * Create an account
     * The password field carries the login secret the client derived (`deriveLoginSecret`), never the password.
     * @returns RegisterResponse
     * @throws ApiError
     */
    public register({
        requestBody,
    }: {
        requestBody: Credentials,
    }): CancelablePromise<RegisterResponse> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/auth/register',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Invalid email or password field`,
                409: `The email is taken`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many registrations from this address (RATE_LIMIT_REGISTER_PER_ADDRESS); see Retry-After`,
                503: `Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * Delete the account (secured session, current password)
     * Deletes the user, sessions, tokens, challenges, keys and events in one transaction; the email can register again. Delete the private key on the keyserver first (`deletePrivateKey`): nothing can recover it afterwards. A wrong password counts as a failed login for the email. The user leaves every shared secret as leaveSecret would (the others are asked to rotate; a secret it alone held is deleted); 409, with the `secretIds`, while it is the last owner of a secret others still hold, or while a secret is being shared with it.
     * @returns void
     * @throws ApiError
     */
    public deleteAccount({
        requestBody,
    }: {
        requestBody: DeleteAccountRequest,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/user/delete',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed body`,
                401: `No valid session`,
                403: `This session is not secured, or the current password is wrong (the session stays)`,
                409: `The user is the last owner of shared secrets others still hold, or secrets were shared with it meanwhile (secretIds)`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many failed logins for this email or address; see Retry-After`,
                503: `Too many sign-ins are being checked, or the rate limits cannot be checked; see Retry-After`,
            },
        });
    }
    /**
     * The signed-in user, and whether this session is secured
     * The user’s id and email, the fingerprint of the confirmed public key (null before one is confirmed), and whether this session has answered a session challenge. A client checks a private key it unwraps against this fingerprint.
     * @returns UserResponse
     * @throws ApiError
     */
    public getCurrentUser(): CancelablePromise<UserResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/user/me',
            errors: {
                400: `Malformed request: a body, query parameter or path parameter it does not take, or one that is not valid (JSON, UTF-8, types)`,
                401: `No valid session`,
                413: `The request body is larger than 64 KiB`,
                429: `Too many requests from this address (RATE_LIMIT_REQUESTS_PER_ADDRESS); see Retry-After`,
                503: `The rate limits cannot be checked right now; see Retry-After`,
            },
        });
    }
}
