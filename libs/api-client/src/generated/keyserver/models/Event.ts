/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type Event = {
    /**
     * The client’s address as the service saw it (behind TRUST_PROXY, the forwarded one); null when unknown
     */
    clientAddress: string | null;
    /**
     * When, ISO 8601 UTC.
     */
    createdAt: string;
    /**
     * What happened, in the protocol's words (`key.stored`, `login.failed`, ...).
     */
    type: string;
    /**
     * The client’s User-Agent header, cut to 256 characters; null when it sent none
     */
    userAgent: string | null;
};

