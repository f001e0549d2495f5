/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KdfCost } from './KdfCost.js';
export type LoginResponse = {
    /**
     * Keep it with the session and send it as `deviceToken` in this device's
     * next logins (replacing the one sent, if any): 32 random bytes, base64url, good for 90 days.
     */
    deviceToken: string;
    /**
     * ISO 8601 UTC.
     */
    expiresAt: string;
    /**
     * Whether the user has a confirmed public key (so a private key to fetch).
     */
    hasKeyPair: boolean;
    /**
     * The weakest Argon2id cost a blob may be wrapped under (what the keyserver accepts).
     */
    kdfFloor: KdfCost;
    /**
     * The cost new blobs are wrapped under; a client whose stored blob is weaker re-wraps it after an unlock.
     */
    kdfRecommended: KdfCost;
    /**
     * Bearer token for this session: 32 random bytes, base64url.
     */
    sessionToken: string;
    userId: string;
};

