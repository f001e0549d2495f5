/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfParams } from './KdfParams.js';
export type PutPrivateKeyRequest = {
    /**
     * AES-256-GCM ciphertext of the PKCS#8 private key, followed by the tag; base64url.
     */
    encryptedPrivateKey: string;
    /**
     * The 12-byte AES-GCM nonce, base64url.
     */
    iv: string;
    kdf: KdfParams;
    /**
     * The Argon2id salt, base64url.
     */
    salt: string;
};

