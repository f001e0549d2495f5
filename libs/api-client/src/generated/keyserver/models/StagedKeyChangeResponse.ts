/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type StagedKeyChangeResponse = {
    baseVersion: number;
    /**
     * ISO 8601 UTC.
     */
    createdAt: string;
    /**
     * The staged change's id, drawn by the keyserver: commit it on the server (commitKeyChange).
     */
    keyChangeId: string;
    /**
     * The keyserver's receipt for this staged change (HMAC-SHA256 under a key both services derive from the
     * keyserver API key, over userId, keyChangeId and baseVersion; PROTOCOL.md), base64url: pass it to commitKeyChange.
     */
    receipt: string;
};

