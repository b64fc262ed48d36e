/**
 * A route of the REST API as data: method, path, zod schemas for params, query and
 * body, the success status and response schema, and the error codes it documents.
 * The server binds handlers to these, the OpenAPI document is generated from them and
 * the client builds its calls from them.
 */
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'delete';

export interface RouteSpec {
  /** The OpenAPI operationId and the client method's route key. */
  id: string;
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/api/agent/{sessionId}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Public routes need no token. @default false */
  public?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  status: 200 | 202;
  /** JSON response schema; absent for non-JSON responses (`produces`). */
  response?: z.ZodType;
  /** Content type of a non-JSON response. */
  produces?: string;
  /** Error codes this route documents besides the common ones (invalid_request, unauthenticated, rate_limited, internal). */
  errors?: readonly string[];
}

/** Declares a route, keeping its literal types for the server and the client. */
export function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives, validated. */
export interface RouteInput<R extends RouteSpec> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
}

/** What a handler returns: the response schema's type, or raw content for non-JSON routes. */
export type RouteOutput<R extends RouteSpec> = R['response'] extends z.ZodType ? z.output<R['response']> : unknown;

/** What a caller passes: the input types of params, query and body, each only where the route has one. */
export type CallInput<R extends RouteSpec> = (R['params'] extends z.ZodType ? { params: z.input<R['params']> } : { params?: undefined }) &
  (R['query'] extends z.ZodType ? { query?: z.input<R['query']> } : { query?: undefined }) &
  (R['body'] extends z.ZodType ? { body: z.input<R['body']> } : { body?: undefined });

/** `/api/agent/{sessionId}` with `{ sessionId: 'x' }` -> `/api/agent/x`. */
export function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? '')));
}
