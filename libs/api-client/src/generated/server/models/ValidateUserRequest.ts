/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ValidateUserRequest = {
    /**
     * A staged key change the keyserver is asked to abandon: when the token's session is secured and the change is not
     * committed, the server records it as abandoned, so it can never be committed (abandonKeyChange).
     */
    abandonKeyChangeId?: string;
    /**
     * The one-time access token the client presented (32 bytes, base64url); spent by this call.
     */
    accessToken: string;
    /**
     * The user the keyserver request is for (from its path); compared in lower case.
     */
    userId: string;
};

