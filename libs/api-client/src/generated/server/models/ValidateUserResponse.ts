/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CommittedKeyChange } from './CommittedKeyChange.js';
export type ValidateUserResponse = {
    /**
     * The change named by abandonKeyChangeId when it is now recorded as abandoned (it can never be committed); null when none was named, the session is not secured, or the change is committed.
     */
    abandonedKeyChangeId: string | null;
    /**
     * The last key change the server committed (the one that made keyVersion), or null when there is none.
     */
    committedKeyChange: CommittedKeyChange | null;
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

