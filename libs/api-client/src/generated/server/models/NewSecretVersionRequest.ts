/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Envelope } from './Envelope.js';
export type NewSecretVersionRequest = {
    /**
     * The version's commitment (32 bytes, base64url), computed by the client from the secret.
     */
    commitment: string;
    /**
     * One envelope per member, the caller's included; at most 256.
     */
    envelopes: Array<Envelope>;
    /**
     * The new version: the current version + 1.
     */
    version: number;
};

