/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { OwnEnvelope } from './OwnEnvelope.js';
import type { SecretMember } from './SecretMember.js';
export type SecretResponse = {
    commitment: string;
    envelope: OwnEnvelope;
    /**
     * Every member, with the key its envelope of the current version is sealed to.
     */
    members: Array<SecretMember>;
    name: string;
    rotationRequired: boolean;
    secretId: string;
    version: number;
    /**
     * How many versions there are: the current one is the last.
     */
    versionCount: number;
};

