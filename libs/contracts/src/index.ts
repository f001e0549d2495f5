export * from './wire.js';
export * from './base64url.js';
export * from './validate-user.dto.js';
export * from './kdf-params.dto.js';
export * from './error-response.dto.js';
export * from './events-cursor.js';
export * from './events.dto.js';
