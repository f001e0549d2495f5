/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SubmitSessionChallengeRequest = {
    challengeId: string;
    /**
     * The opened 32-byte token, base64url.
     */
    token: string;
};

