/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfParams } from './KdfParams.js';
export type PendingKeyChange = {
    baseVersion: number;
    /**
     * ISO 8601 UTC.
     */
    createdAt: string;
    /**
     * AES-256-GCM ciphertext of the PKCS#8 private key and its tag, wrapped under the new password, base64url.
     */
    encryptedPrivateKey: string;
    iv: string;
    kdf: KdfParams;
    keyChangeId: string;
    publicKeyFingerprint: string;
    salt: string;
};

