/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfParams } from './KdfParams.js';
import type { PendingKeyChange } from './PendingKeyChange.js';
export type EncryptedPrivateKeyResponse = {
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
     * The key changes staged on this key and not yet applied, oldest first, so a client that stopped can finish (commit) or abandon one; each opens with the password it was wrapped under.
     */
    pendingChanges: Array<PendingKeyChange>;
    /**
     * The public key this private key belongs to (lowercase hex SHA-256 of the raw key). A client checks the key it unwraps against it. Null only for a blob stored before blobs were bound to keys.
     */
    publicKeyFingerprint: string | null;
    /**
     * The Argon2id salt, 16 to 64 bytes, base64url.
     */
    salt: string;
    /**
     * ISO 8601 UTC.
     */
    updatedAt: string;
    userId: string;
    /**
     * The blob's version: 1 for the first blob (also while the key is pending), +1 per applied key change; the server's keyVersion once confirmed.
     */
    version: number;
};

