/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SecretsHeldConflictResponse = {
    error: string;
    message: string;
    /**
     * The secrets that stand in the way.
     */
    secretIds: Array<string>;
    statusCode: number;
};

