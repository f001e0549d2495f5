/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type Credentials = {
    /**
     * Trimmed and lower-cased (Unicode default case mapping) before it is stored or compared.
     */
    email: string;
    /**
     * The login secret the client derived from the password (the reference
     * client sends `deriveLoginSecret(email, password)`, 32 bytes in base64url: PROTOCOL.md), never the password.
     */
    password: string;
};

