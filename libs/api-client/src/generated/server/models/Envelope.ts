/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type Envelope = {
    /**
     * The sealed 32-byte secret with its tag (48 bytes, base64url).
     */
    ciphertext: string;
    /**
     * HPKE's encapsulated key (32 bytes, base64url).
     */
    enc: string;
    /**
     * Lowercase hex SHA-256 of the public key it is sealed to: must be the member's confirmed key.
     */
    keyFingerprint: string;
    /**
     * The member it is sealed to.
     */
    userId: string;
};

