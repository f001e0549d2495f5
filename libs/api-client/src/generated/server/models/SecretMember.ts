/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SecretMember = {
    /**
     * The key the member's envelope of the current version is sealed to. A client compares it with the
     * fingerprint it computes from the key it fetched; it never trusts this field alone.
     */
    keyFingerprint: string;
    role: 'owner' | 'member';
    userId: string;
};

