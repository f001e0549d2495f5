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
     * Whether this session has answered a session challenge.
     */
    secured: boolean;
    userId: string;
};

