/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthCheck } from './HealthCheck.js';
export type HealthResponse = {
    /**
     * Each check by name: `process` (liveness); `database`, and on the keyserver `server` (readiness)
     */
    checks: Record<string, HealthCheck>;
    status: 'ok';
};

