/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type HealthCheck = {
    /**
     * Why the check failed (a down check only).
     */
    message?: string;
    /**
     * How long the check took, in milliseconds (not for `process`).
     */
    responseTime?: number;
    status: 'up' | 'down';
};

