/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type Session = {
    /**
     * The address it logged in from, as the service saw it (TRUST_PROXY).
     */
    clientAddress: string | null;
    /**
     * ISO 8601 UTC.
     */
    createdAt: string;
    /**
     * Whether this is the session making the request.
     */
    current: boolean;
    /**
     * ISO 8601 UTC.
     */
    expiresAt: string;
    /**
     * The session's id (not its token): what `endSession` takes.
     */
    id: string;
    /**
     * When it last authenticated a request, to the minute. ISO 8601 UTC.
     */
    lastUsedAt: string;
    /**
     * Whether it answered a session challenge (proved it holds the private key).
     */
    secured: boolean;
    /**
     * The User-Agent it logged in with, at most 256 characters.
     */
    userAgent: string | null;
};

