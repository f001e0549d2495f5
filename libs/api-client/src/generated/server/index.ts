/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export { ServerClient } from './ServerClient.js';

export { ApiError } from './core/ApiError.js';
export { BaseHttpRequest } from './core/BaseHttpRequest.js';
export { CancelablePromise, CancelError } from './core/CancelablePromise.js';
export { OpenAPI } from './core/OpenAPI.js';
export type { OpenAPIConfig } from './core/OpenAPI.js';

export type { AccessTokenResponse } from './models/AccessTokenResponse.js';
export type { AddSecretMemberRequest } from './models/AddSecretMemberRequest.js';
export type { CommitKeyChangeRequest } from './models/CommitKeyChangeRequest.js';
export type { CommittedKeyChange } from './models/CommittedKeyChange.js';
export type { CommittedKeyChangeResponse } from './models/CommittedKeyChangeResponse.js';
export type { CreateSecretRequest } from './models/CreateSecretRequest.js';
export type { Credentials } from './models/Credentials.js';
export type { DeleteAccountRequest } from './models/DeleteAccountRequest.js';
export type { Envelope } from './models/Envelope.js';
export type { ErrorResponse } from './models/ErrorResponse.js';
export type { Event } from './models/Event.js';
export type { EventsPage } from './models/EventsPage.js';
export type { HealthCheck } from './models/HealthCheck.js';
export type { HealthCheckFailedResponse } from './models/HealthCheckFailedResponse.js';
export type { HealthResponse } from './models/HealthResponse.js';
export type { KdfCost } from './models/KdfCost.js';
export type { LoginRequest } from './models/LoginRequest.js';
export type { LoginResponse } from './models/LoginResponse.js';
export type { NewSecretVersionRequest } from './models/NewSecretVersionRequest.js';
export type { OwnEnvelope } from './models/OwnEnvelope.js';
export type { PublicKeyResponse } from './models/PublicKeyResponse.js';
export type { PutPublicKeyRequest } from './models/PutPublicKeyRequest.js';
export type { RegisterResponse } from './models/RegisterResponse.js';
export type { SecretConflictResponse } from './models/SecretConflictResponse.js';
export type { SecretListItem } from './models/SecretListItem.js';
export type { SecretMember } from './models/SecretMember.js';
export type { SecretResponse } from './models/SecretResponse.js';
export type { SecretsHeldConflictResponse } from './models/SecretsHeldConflictResponse.js';
export type { SecretsPage } from './models/SecretsPage.js';
export type { SecretVersionRef } from './models/SecretVersionRef.js';
export type { SecretVersionResponse } from './models/SecretVersionResponse.js';
export type { Session } from './models/Session.js';
export type { SessionChallengeResponse } from './models/SessionChallengeResponse.js';
export type { SessionsResponse } from './models/SessionsResponse.js';
export type { SetSecretMemberRoleRequest } from './models/SetSecretMemberRoleRequest.js';
export type { SubmitSessionChallengeRequest } from './models/SubmitSessionChallengeRequest.js';
export type { SubmitSessionChallengeResponse } from './models/SubmitSessionChallengeResponse.js';
export type { UserPublicKeyResponse } from './models/UserPublicKeyResponse.js';
export type { UserResponse } from './models/UserResponse.js';
export type { ValidateUserRequest } from './models/ValidateUserRequest.js';
export type { ValidateUserResponse } from './models/ValidateUserResponse.js';

export { AccessTokensService } from './services/AccessTokensService.js';
export { AuthService } from './services/AuthService.js';
export { EventsService } from './services/EventsService.js';
export { HealthService } from './services/HealthService.js';
export { KeyChangesService } from './services/KeyChangesService.js';
export { PublicKeysService } from './services/PublicKeysService.js';
export { SecretsService } from './services/SecretsService.js';
export { SessionChallengeService } from './services/SessionChallengeService.js';
export { SessionsService } from './services/SessionsService.js';
