/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PutPublicKeyRequest = {
    /**
     * The one algorithm of protocol v1
     */
    algorithm: 'HPKE-X25519-SHA256-AES256GCM';
    /**
     * The 32-byte raw X25519 public key, base64url.
     */
    publicKey: string;
};

