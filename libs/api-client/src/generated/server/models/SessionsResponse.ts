/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Session } from './Session.js';
export type SessionsResponse = {
    /**
     * The user's live sessions, newest first.
     */
    items: Array<Session>;
};

