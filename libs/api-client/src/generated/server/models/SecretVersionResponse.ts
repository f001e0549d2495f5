/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { OwnEnvelope } from './OwnEnvelope.js';
export type SecretVersionResponse = {
    commitment: string;
    envelope: OwnEnvelope;
    secretId: string;
    version: number;
};

