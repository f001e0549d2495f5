/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ValidateUserResponse = {
    /**
     * Whether the user's public key is confirmed: the keyserver then keeps the blob it holds.
     */
    keyConfirmed: boolean;
    /**
     * The confirmed key’s version: null while the key is pending, 1 at confirmation, +1 per committed key change.
     */
    keyVersion: number | null;
    /**
     * The fingerprint of the user’s current public key, pending or confirmed (null when there is none): the keyserver stores only a blob bound to it.
     */
    publicKeyFingerprint: string | null;
    /**
     * Whether the session that minted the token is secured (has answered a session challenge, so holds the
     * private key): the keyserver lets only such a session replace a confirmed key's stored blob.
     */
    sessionSecured: boolean;
    userId: string;
    /**
     * Always true: any other answer is a 403.
     */
    valid: boolean;
};

