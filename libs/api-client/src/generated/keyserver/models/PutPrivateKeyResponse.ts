/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PutPrivateKeyResponse = {
    /**
     * ISO 8601 UTC.
     */
    createdAt: string;
    userId: string;
};

