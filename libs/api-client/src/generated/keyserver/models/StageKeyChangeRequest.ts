/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfParams } from './KdfParams.js';
export type StageKeyChangeRequest = {
    /**
     * The version of the stored blob this change replaces: the key's current version (409 otherwise).
     */
    baseVersion: number;
    /**
     * AES-256-GCM ciphertext of the PKCS#8 private key, followed by the 16-byte tag; 17 to 4096 bytes
     * (64 for the 48-byte PKCS#8 form), base64url.
     */
    encryptedPrivateKey: string;
    /**
     * The 12-byte AES-GCM nonce, base64url.
     */
    iv: string;
    kdf: KdfParams;
    /**
     * The fingerprint (lowercase hex SHA-256 of the raw public key) of the public key this private key belongs to:
     * it must be the user's current public key on the server.
     */
    publicKeyFingerprint: string;
    /**
     * The Argon2id salt, 16 to 64 bytes, base64url.
     */
    salt: string;
};

