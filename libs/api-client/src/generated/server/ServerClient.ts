/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { BaseHttpRequest } from './core/BaseHttpRequest.js';
import type { OpenAPIConfig } from './core/OpenAPI.js';
import { FetchHttpRequest } from './core/FetchHttpRequest.js';
import { AccessTokensService } from './services/AccessTokensService.js';
import { AuthService } from './services/AuthService.js';
import { EventsService } from './services/EventsService.js';
import { HealthService } from './services/HealthService.js';
import { KeyChangesService } from './services/KeyChangesService.js';
import { PublicKeysService } from './services/PublicKeysService.js';
import { SecretsService } from './services/SecretsService.js';
import { SessionChallengeService } from './services/SessionChallengeService.js';
import { SessionsService } from './services/SessionsService.js';
type HttpRequestConstructor = new (config: OpenAPIConfig) => BaseHttpRequest;
export class ServerClient {
    public readonly accessTokens: AccessTokensService;
    public readonly auth: AuthService;
    public readonly events: EventsService;
    public readonly health: HealthService;
    public readonly keyChanges: KeyChangesService;
    public readonly publicKeys: PublicKeysService;
    public readonly secrets: SecretsService;
    public readonly sessionChallenge: SessionChallengeService;
    public readonly sessions: SessionsService;
    public readonly request: BaseHttpRequest;
    constructor(config?: Partial<OpenAPIConfig>, HttpRequest: HttpRequestConstructor = FetchHttpRequest) {
        this.request = new HttpRequest({
            BASE: config?.BASE ?? '',
            VERSION: config?.VERSION ?? '1',
            WITH_CREDENTIALS: config?.WITH_CREDENTIALS ?? false,
            CREDENTIALS: config?.CREDENTIALS ?? 'include',
            TOKEN: config?.TOKEN,
            USERNAME: config?.USERNAME,
            PASSWORD: config?.PASSWORD,
            HEADERS: config?.HEADERS,
            ENCODE_PATH: config?.ENCODE_PATH,
        });
        this.accessTokens = new AccessTokensService(this.request);
        this.auth = new AuthService(this.request);
        this.events = new EventsService(this.request);
        this.health = new HealthService(this.request);
        this.keyChanges = new KeyChangesService(this.request);
        this.publicKeys = new PublicKeysService(this.request);
        this.secrets = new SecretsService(this.request);
        this.sessionChallenge = new SessionChallengeService(this.request);
        this.sessions = new SessionsService(this.request);
    }
}

