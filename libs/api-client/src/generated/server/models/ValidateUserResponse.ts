/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ValidateUserResponse = {
    /**
     * Whether the user's public key is confirmed: the keyserver then keeps the blob it holds.
     */
    keyConfirmed: boolean;
    userId: string;
    /**
     * Always true: any other answer is a 403.
     */
    valid: boolean;
};

