/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas with
 * zod's own `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses). Named
 * schemas become `components.schemas`; error responses follow from each route's
 * codes through the same status table the server answers with.
 */
import { z } from 'zod';
import { routes } from './contract/routes.ts';
import type { RouteSpec } from './contract/route.ts';
import * as schemas from './contract/schemas.ts';
import * as events from './contract/events.ts';
import * as ws from './contract/ws.ts';
import { COMMON_CODES, statusOf } from './errors.ts';

type Json = Record<string, unknown>;

const BODY_CODES = ['invalid_json', 'payload_too_large', 'unsupported_media_type'];
/** What Node's HTTP parser refuses before any route sees the request (server/http/client-error.ts): any route may get them. */
const PARSER_CODES = ['malformed_request', 'headers_too_large', 'request_timeout'];

/**
 * Every error code a route may answer with: the common ones, `invalid_input` where it
 * takes input (a string Postgres cannot store), its body's, the HTTP parser's, and its own.
 */
export function documentedCodes(spec: RouteSpec): string[] {
  return [...new Set([
    ...(spec.public ? ['invalid_request', 'internal', 'unavailable'] : [...COMMON_CODES, 'unavailable']),
    ...(spec.params || spec.query || spec.body ? ['invalid_input'] : []),
    ...(spec.body ? BODY_CODES : []),
    ...PARSER_CODES,
    ...(spec.errors ?? []),
  ])];
}

/** Every exported zod schema of the contract, by its export name. */
function namedSchemas(): Map<z.ZodType, string> {
  const named = new Map<z.ZodType, string>();
  for (const mod of [events, schemas, ws] as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(mod)) {
      if (value instanceof z.ZodType && !named.has(value)) named.set(value, name.replace(/Schema$/, ''));
    }
  }
  return named;
}

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function inline(schema: z.ZodType): Json {
  return strip(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json);
}

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const [where, obj] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!obj) continue;
    for (const [name, field] of Object.entries(obj.shape as Record<string, z.ZodType>)) {
      const schema = inline(field);
      const optional = field.safeParse(undefined).success;
      out.push({ name, in: where, required: where === 'path' || !optional, schema, ...(schema.description ? { description: schema.description } : {}) });
    }
  }
  return out;
}

export function buildOpenApi(info: { title?: string; version: string }): Json {
  const named = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of named) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  const components: Record<string, Json> = {};
  for (const [id, s] of Object.entries(generated.schemas)) components[id] = strip(s);
  const ref = (schema: z.ZodType): Json => {
    const id = named.get(schema);
    return id ? { $ref: `#/components/schemas/${id}` } : inline(schema);
  };
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };

  const paths: Record<string, Json> = {};
  for (const spec of Object.values(routes) as RouteSpec[]) {
    const byStatus = new Map<number, string[]>();
    for (const c of documentedCodes(spec)) byStatus.set(statusOf(c), [...(byStatus.get(statusOf(c)) ?? []), c]);
    const responses: Json = {
      [spec.status]: spec.response
        ? { description: spec.summary, content: { 'application/json': { schema: ref(spec.response) } } }
        : { description: spec.summary, content: { [spec.produces ?? 'application/octet-stream']: { schema: { type: 'string', ...(spec.produces === 'text/plain' ? {} : { format: 'binary' }) } } } },
    };
    for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = { description: `Error codes: ${list.join(', ')}`, content: errorContent };
    }
    const params = parameters(spec);
    (paths[spec.path] ??= {})[spec.method] = {
      operationId: spec.id,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(spec.public ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body) } } } } : {}),
      responses,
    };
  }
  paths[ws.PROGRESS_PATH] = {
    get: {
      operationId: 'progress',
      summary: 'WebSocket stream of run events',
      description:
        'Upgrade to a WebSocket (token in `Authorization: Bearer` or `?token=`). Send `ClientMessage` JSON frames; ' +
        'receive `ServerFrame` frames: missed events from the log, then live ones, in order per run, each once. ' +
        `Error frames carry one of: ${ws.WS_ERROR_CODES.join(', ')}. ` +
        `Close code ${ws.CLOSE.SLOW_CONSUMER} means the client fell behind: reconnect and resubscribe with the last seq of each run.`,
      tags: ['observe'],
      parameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'Bearer token for clients that cannot set headers.' }],
      responses: {
        '101': { description: 'Switching Protocols (WebSocket)' },
        '401': { description: 'Error codes: unauthenticated, invalid_token', content: errorContent },
        '429': { description: 'Error codes: rate_limited', content: errorContent },
        '503': { description: 'Error codes: too_many_connections', content: errorContent },
      },
      'x-websocket': { clientMessages: { $ref: '#/components/schemas/ClientMessage' }, serverFrames: { $ref: '#/components/schemas/ServerFrame' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'stagegraph', version: info.version, description: 'Runs of stagegraph workflows: start, follow, control and inspect them.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'runs', description: 'Start, list and read runs' },
      { name: 'control', description: 'Pause, resume, abort, answer, restore, recover' },
      { name: 'observe', description: 'Events, timeline, decisions, results, artifacts, stats' },
      { name: 'decisions', description: 'Decision explanations, feedback and learned preferences' },
      { name: 'catalog', description: 'Plugins and workflows' },
      { name: 'operations', description: 'Health, readiness, metrics, this document' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`sgk_...`) or an HS256 JWT whose `sub` is the owner.' } },
    },
  };
}
