/** The server's public surface: the Koa/WebSocket server, `serve()`, API keys and the API contract. */
export { createServer } from './create-server.ts';
export type { StagegraphServer } from './create-server.ts';
export { serve } from './serve.ts';
export { dashboard } from './dashboard/middleware.ts';
export type { DashboardOptions } from './dashboard/middleware.ts';
export type { ServeOptions, Serving } from './serve.ts';
export type { ServerOptions, AuthOptions, Limits, RateLimit } from './options.ts';
export { DEFAULT_LIMITS } from './options.ts';
export { createApiKey, ensureApiKey, listApiKeys, revokeApiKey, API_KEY_PREFIX } from './auth/api-keys.ts';
export type { CreatedApiKey, ApiKeyInfo } from './auth/api-keys.ts';
export type { Principal } from './auth/authenticator.ts';
export { STATUS_BY_CODE, statusOf } from './errors.ts';
export type { ErrorBodyValue } from './errors.ts';
export { buildOpenApi, documentedCodes } from './openapi.ts';
export * from './contract/index.ts';
