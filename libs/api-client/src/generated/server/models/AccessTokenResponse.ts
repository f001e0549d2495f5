/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type AccessTokenResponse = {
    /**
     * One-time token for one keyserver request: 32 random bytes, base64url.
     */
    accessToken: string;
    /**
     * ISO 8601 UTC, 60 seconds after issue.
     */
    expiresAt: string;
};

