/**
 * `createClient()`: typed calls for every REST endpoint (types inferred from the same
 * zod schemas the server validates with) and `events()`, a reconnecting WebSocket
 * event stream. Works in browsers and in Node.
 */
import type { z } from 'zod';
import type { RunEvent } from '../graph/events/types.ts';
import { routes, type CallInput, type RouteId, type RouteOutput, type Routes, type schemas } from '../server/contract/index.ts';
import { EventStream, progressUrl, type EventStreamOptions } from './events.ts';
import { send, type FetchLike, type Transport } from './http.ts';

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API key or JWT (or a function returning the current one). Omit for a server with `auth: { mode: 'none' }`. */
  token?: string | (() => string | undefined);
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Socket factory for `events()`. @default the global WebSocket, else the `ws` package */
  socket?: EventStreamOptions['socket'];
}

type In<S extends z.ZodType> = z.input<S>;
type Body<K extends RouteId> = Routes[K] extends { body: z.ZodType } ? In<Routes[K]['body']> : never;
type Query<K extends RouteId> = Routes[K] extends { query: z.ZodType } ? In<Routes[K]['query']> : never;

export type Client = ReturnType<typeof createClient>;

/**
 * @example
 * const api = createClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.STAGEGRAPH_KEY });
 * const { sessionId } = await api.orchestrate({ request: 'I need a 70 MPa tank, 5 kg H2' });
 * for await (const e of api.events([sessionId])) if (e.type === 'workflow.completed') break;
 */
export function createClient(options: ClientOptions) {
  const transport: Transport = {
    baseUrl: options.baseUrl,
    token: options.token,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  };
  const token = () => (typeof options.token === 'function' ? options.token() : options.token);

  /** Calls any route of the contract by id. */
  async function call<K extends RouteId>(id: K, input: CallInput<Routes[K]>): Promise<RouteOutput<Routes[K]>> {
    const res = await send(transport, routes[id], input);
    return (await res.json()) as RouteOutput<Routes[K]>;
  }
  const run = (sessionId: string) => ({ params: { sessionId } });

  return {
    call,
    orchestrate: (body: Body<'orchestrate'>) => call('orchestrate', { body }),
    listRuns: (query: Query<'listRuns'> = {}) => call('listRuns', { query }),
    getRun: (sessionId: string) => call('getRun', run(sessionId)),
    pause: (sessionId: string) => call('pause', { ...run(sessionId), body: {} }),
    resume: (sessionId: string) => call('resume', { ...run(sessionId), body: {} }),
    abort: (sessionId: string, reason?: string) => call('abort', { ...run(sessionId), body: reason ? { reason } : {} }),
    answer: (sessionId: string, answer: Body<'answer'>['answer']) => call('answer', { ...run(sessionId), body: { answer } }),
    /** A recovery action (`retry`, `skip`, `provide_input`, `rollback`, `abort`). */
    recover: (sessionId: string, body: Body<'recover'>) => call('recover', { ...run(sessionId), body }),
    checkpoints: (sessionId: string) => call('checkpoints', run(sessionId)),
    restore: (sessionId: string, checkpointId: string) => call('restore', { params: { sessionId, checkpointId }, body: {} }),
    /** Logged events after `since` (REST; see `events()` for the live stream). */
    eventsSince: (sessionId: string, query: Query<'events'> = {}) => call('events', { ...run(sessionId), query }),
    timeline: (sessionId: string) => call('timeline', run(sessionId)),
    decisions: (sessionId: string) => call('decisions', run(sessionId)),
    partialResults: (sessionId: string) => call('partialResults', run(sessionId)),
    /** Writes the run's `partial.json` artifact; resolves with its summary and link. */
    partialPackage: (sessionId: string) => call('partialPackage', { ...run(sessionId), body: {} }),
    artifacts: (sessionId: string) => call('artifacts', run(sessionId)),
    /** One artifact file, as the fetch Response (read it with `.arrayBuffer()`, `.text()` or `.blob()`). */
    artifact: (sessionId: string, name: string) => send(transport, routes.artifact, { params: { sessionId, name } }),
    explainDecision: (decisionId: string) => call('explainDecision', { params: { decisionId } }),
    decisionFeedback: (decisionId: string, body: Body<'decisionFeedback'>) => call('decisionFeedback', { params: { decisionId }, body }),
    preferences: () => call('preferences', {}),
    resetPreferences: (point?: string) => call('resetPreferences', { query: point ? { point } : {} }),
    plugins: (query: Query<'plugins'> = {}) => call('plugins', { query }),
    workflows: () => call('workflows', {}),
    stats: (query: Query<'stats'> = {}) => call('stats', { query }),
    openapi: () => call('openapi', {}),
    health: () => call('health', {}),
    ready: () => call('ready', {}),
    metrics: async () => (await send(transport, routes.metrics, {})).text(),
    /**
     * Live events of some runs (or `'all'` of the caller's, including runs started
     * later): missed ones first, then live, each once, across reconnects.
     */
    events: (runIds: string[] | 'all', streamOptions: EventStreamOptions = {}): EventStream =>
      new EventStream(progressUrl(options.baseUrl), token, runIds, { socket: options.socket, ...streamOptions }),
  };
}

export type { RunEvent };
export type RunDetail = z.output<typeof schemas.RunDetail>;
export type RunSummary = z.output<typeof schemas.RunSummary>;
export type Timeline = z.output<typeof schemas.TimelineResponse>;
