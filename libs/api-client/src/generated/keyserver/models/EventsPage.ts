/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Event } from './Event.js';
export type EventsPage = {
    /**
     * At most 50, newest first.
     */
    items: Array<Event>;
    /**
     * Pass as `?cursor=` for the next (older) page; null on the last page
     */
    nextCursor: string | null;
};

