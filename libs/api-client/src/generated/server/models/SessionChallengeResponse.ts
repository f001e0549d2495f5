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
     * The sealed 32-byte token followed by the 16-byte tag: 48 bytes, base64url. A separate field from `enc`, never concatenated.
     */
    ciphertext: string;
    /**
     * The HPKE encapsulated key (the sender's ephemeral X25519 public key), 32 bytes, base64url.
     */
    enc: string;
    /**
     * ISO 8601 UTC, 60 seconds after issue.
     */
    expiresAt: string;
};

