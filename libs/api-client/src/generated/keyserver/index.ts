/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export { KeyserverClient } from './KeyserverClient.js';

export { ApiError } from './core/ApiError.js';
export { BaseHttpRequest } from './core/BaseHttpRequest.js';
export { CancelablePromise, CancelError } from './core/CancelablePromise.js';
export { OpenAPI } from './core/OpenAPI.js';
export type { OpenAPIConfig } from './core/OpenAPI.js';

export type { AppliedKeyChangeResponse } from './models/AppliedKeyChangeResponse.js';
export type { EncryptedPrivateKeyResponse } from './models/EncryptedPrivateKeyResponse.js';
export type { ErrorResponse } from './models/ErrorResponse.js';
export type { Event } from './models/Event.js';
export type { EventsPage } from './models/EventsPage.js';
export type { HealthCheck } from './models/HealthCheck.js';
export type { HealthCheckFailedResponse } from './models/HealthCheckFailedResponse.js';
export type { HealthResponse } from './models/HealthResponse.js';
export type { KdfParams } from './models/KdfParams.js';
export type { PendingKeyChange } from './models/PendingKeyChange.js';
export type { PutPrivateKeyRequest } from './models/PutPrivateKeyRequest.js';
export type { PutPrivateKeyResponse } from './models/PutPrivateKeyResponse.js';
export type { StagedKeyChangeResponse } from './models/StagedKeyChangeResponse.js';
export type { StageKeyChangeRequest } from './models/StageKeyChangeRequest.js';

export { HealthService } from './services/HealthService.js';
export { KeysService } from './services/KeysService.js';
