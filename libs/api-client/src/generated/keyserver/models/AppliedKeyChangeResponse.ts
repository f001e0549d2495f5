/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type AppliedKeyChangeResponse = {
    /**
     * The key's current version, once the change is applied (now or earlier).
     */
    version: number;
};

