/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type KdfParams = {
    algorithm: 'argon2id';
    iterations: number;
    memoryKiB: number;
    parallelism: number;
};

