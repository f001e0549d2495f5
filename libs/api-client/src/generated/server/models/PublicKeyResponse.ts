/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PublicKeyResponse = {
    algorithm: 'HPKE-X25519-SHA256-AES256GCM';
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

