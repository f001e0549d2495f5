/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type KdfCost = {
    /**
     * Passes (t)
     */
    iterations: number;
    /**
     * Memory in KiB (m)
     */
    memoryKiB: number;
    /**
     * Lanes (p)
     */
    parallelism: number;
};

