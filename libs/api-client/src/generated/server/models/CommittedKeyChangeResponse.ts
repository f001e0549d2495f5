/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type CommittedKeyChangeResponse = {
    /**
     * ISO 8601 UTC.
     */
    committedAt: string;
    keyChangeId: string;
    /**
     * The key's version now: baseVersion + 1.
     */
    keyVersion: number;
};

