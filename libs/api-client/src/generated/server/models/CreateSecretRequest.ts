/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Envelope } from './Envelope.js';
export type CreateSecretRequest = {
    /**
     * The version's commitment (32 bytes, base64url), computed by the client from the secret.
     */
    commitment: string;
    /**
     * One envelope per member, the caller's included; at most 256.
     */
    envelopes: Array<Envelope>;
    /**
     * A name for people; the server stores it as given (it is not secret).
     */
    name: string;
    /**
     * Drawn by the client (a UUIDv4): the envelopes are sealed to it before the server sees it.
     */
    secretId: string;
    /**
     * Always 1: a secret starts at its first version.
     */
    version: 1;
};

