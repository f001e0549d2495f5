/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PublicKeyResponse = {
    algorithm: string;
    /**
     * False until a session challenge sealed to this key is answered.
     */
    confirmed: boolean;
    /**
     * Lowercase hex SHA-256 of the raw public key.
     */
    fingerprint: string;
    /**
     * 32-byte raw X25519 public key, base64url.
     */
    publicKey: string;
};

