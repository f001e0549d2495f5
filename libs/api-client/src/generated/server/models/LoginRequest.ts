/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type LoginRequest = {
    /**
     * The token this device got at its last successful login with this email.
     * With it, failed logins count only against the device, so a stranger
     * guessing this email's password cannot lock the device out. An unknown,
     * expired or other email's token is ignored (as if absent).
     */
    deviceToken?: string;
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

