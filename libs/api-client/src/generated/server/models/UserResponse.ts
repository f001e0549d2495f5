/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type UserResponse = {
    email: string;
    /**
     * Whether the user has a confirmed public key.
     */
    hasKeyPair: boolean;
    /**
     * Lowercase hex SHA-256 of the user’s confirmed public key (null when there is none): a new device checks the private key it unwraps against it before answering a challenge.
     */
    publicKeyFingerprint: string | null;
    /**
     * Whether this session has answered a session challenge.
     */
    secured: boolean;
    userId: string;
};

