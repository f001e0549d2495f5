export * from './config/load-config.js';
export * from './config/keyserver-api-key.js';
export * from './database/database.module.js';
export * from './database/embedded-postgres.js';
export * from './http/http-platform.module.js';
export * from './http/bearer-token.js';
export * from './http/api-docs.js';
export * from './http/start-service.js';
