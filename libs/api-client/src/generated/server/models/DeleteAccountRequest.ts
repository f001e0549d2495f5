/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type DeleteAccountRequest = {
    /**
     * The login secret of the current password (as login's `password` carries it), asked again before anything is deleted.
     */
    currentPassword: string;
};

