/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthResponse } from '../models/HealthResponse.js';
import type { CancelablePromise } from '../core/CancelablePromise.js';
import type { BaseHttpRequest } from '../core/BaseHttpRequest.js';
export class HealthService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * The process answers (liveness): restart it if this fails
     * Checks nothing else, so a database outage never gets the process restarted; stays 200 while shutting down.
     * @returns HealthResponse
     * @throws ApiError
     */
    public getLiveness(): CancelablePromise<HealthResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/health/live',
            errors: {
                400: `A request body or a query string: a probe takes neither`,
                413: `The request body is larger than 64 KiB`,
            },
        });
    }
    /**
     * The service can serve requests (readiness): send it traffic only while this is 200
     * Runs `SELECT 1` on the database (2 s timeout); the keyserver also checks that the server’s validate endpoint answers.
     * @returns HealthResponse
     * @throws ApiError
     */
    public getReadiness(): CancelablePromise<HealthResponse> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/health/ready',
            errors: {
                400: `A request body or a query string: a probe takes neither`,
                413: `The request body is larger than 64 KiB`,
                503: `A dependency is down, or the service is shutting down`,
            },
        });
    }
}
