/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthCheck } from './HealthCheck.js';
export type HealthCheckFailedResponse = {
    /**
     * Each check by name: `process` (liveness); `database`, and on the keyserver `server` (readiness)
     */
    checks: Record<string, HealthCheck>;
    /**
     * The HTTP status text.
     */
    error: string;
    /**
     * Which checks failed, or that the service is shutting down.
     */
    message: string;
    statusCode: number;
};

