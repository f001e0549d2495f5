/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ErrorResponse = {
    /**
     * The HTTP status text.
     */
    error: string;
    /**
     * What is wrong: one message, or one per invalid field
     */
    message: (string | Array<string>);
    statusCode: number;
};

