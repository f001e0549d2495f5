/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfParams } from './KdfParams.js';
export type EncryptedPrivateKeyResponse = {
    encryptedPrivateKey: string;
    iv: string;
    kdf: KdfParams;
    salt: string;
    /**
     * ISO 8601 UTC.
     */
    updatedAt: string;
    userId: string;
};

