/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SecretConflictResponse = {
    /**
     * A key conflict: the recipients whose key is pending, missing, or not the one their envelope names.
     */
    changedUserIds?: Array<string>;
    error: string;
    /**
     * A coverage conflict (with missingUserIds): envelopes for users who are not (or would no longer be) members.
     */
    extraUserIds?: Array<string>;
    message: string;
    /**
     * A coverage conflict (with extraUserIds): members the envelopes leave out.
     */
    missingUserIds?: Array<string>;
    statusCode: number;
};

