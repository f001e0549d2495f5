/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SessionChallengeResponse = {
    /**
     * Also the HPKE additional data the token was sealed with.
     */
    challengeId: string;
    /**
     * The sealed 32-byte token (with its tag), base64url.
     */
    ciphertext: string;
    /**
     * HPKE encapsulated key, base64url.
     */
    enc: string;
    /**
     * ISO 8601 UTC, 60 seconds after issue.
     */
    expiresAt: string;
};

