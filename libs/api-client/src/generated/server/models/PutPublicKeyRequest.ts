/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PutPublicKeyRequest = {
    algorithm: string;
    /**
     * The 32-byte raw X25519 public key, base64url.
     */
    publicKey: string;
};

