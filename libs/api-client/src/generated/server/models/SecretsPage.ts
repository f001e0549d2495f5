/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SecretListItem } from './SecretListItem.js';
export type SecretsPage = {
    /**
     * At most 50, by secret id.
     */
    items: Array<SecretListItem>;
    /**
     * Pass as `?cursor=` for the next page; null on the last
     */
    nextCursor: string | null;
};

