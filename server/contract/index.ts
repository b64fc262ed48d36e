/**
 * The API contract shared by server and client: routes, zod schemas, the WebSocket
 * protocol. Browser-safe (zod only), so `client/` imports it at run time.
 */
export { routes } from './routes.ts';
export type { Routes, RouteId } from './routes.ts';
export { route, fillPath } from './route.ts';
export type { RouteSpec, RouteInput, RouteOutput, CallInput, HttpMethod } from './route.ts';
export * as schemas from './schemas.ts';
export { RunEventSchema, DecisionRecordSchema, SerializedErrorSchema, RunStatusSchema, RUN_STATUS_VALUES } from './events.ts';
export { ClientMessage, SubscribeMessage, UnsubscribeMessage, ServerFrame, EventFrame, SubscribedFrame, UnsubscribedFrame, ErrorFrame, CLOSE, SLOW_CONSUMER_REASON, PROGRESS_PATH, WS_ERROR_CODES } from './ws.ts';
