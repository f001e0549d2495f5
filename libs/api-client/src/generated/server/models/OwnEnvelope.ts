/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type OwnEnvelope = {
    ciphertext: string;
    enc: string;
    /**
     * Who sealed it: open it with this user's public key (pinned on first use).
     */
    senderId: string;
};

