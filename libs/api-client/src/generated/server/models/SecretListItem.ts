/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SecretListItem = {
    memberCount: number;
    name: string;
    role: 'owner' | 'member';
    /**
     * A member left since the last rotation: an owner should rotate.
     */
    rotationRequired: boolean;
    secretId: string;
    /**
     * The current version.
     */
    version: number;
};

