/** The typed client for browsers and Node: REST calls and a reconnecting event stream. */
export { createClient } from './client.ts';
export type { Client, ClientOptions, RunDetail, RunSummary, Timeline, RunEvent } from './client.ts';
export { TERMINAL_EVENTS } from '../graph/events/types.ts';
export { ApiError } from './http.ts';
export type { FetchLike } from './http.ts';
export { EventStream, progressUrl } from './events.ts';
export type { EventStreamOptions, StreamStatus, Backoff } from './events.ts';
export type { SocketFactory, SocketLike } from './socket.ts';
