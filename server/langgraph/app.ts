/**
 * The LangGraph-API-compatible app: LangGraph's own embed server
 * (`@langchain/langgraph-api/experimental/embed`, pinned) for threads, state, history
 * and state updates, on stagegraph's checkpointer and threads; ours in front of it for
 * assistants, runs (stagegraph runs), owner scoping and errors.
 *
 * Not offered: the embed server's protocol routes (`/threads/{id}/stream/events`,
 * `/threads/{id}/commands`), which would run a graph outside stagegraph's runs.
 */
import { createEmbedServer, type ThreadSaver } from '@langchain/langgraph-api/experimental/embed';
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Stagegraph } from '../../graph/runtime.ts';
import { errorResponse, clientError } from '../errors.ts';
import { assistantRoutes, workflowOf } from './assistants.ts';
import { bodyLimit } from './body-limit.ts';
import { currentCall } from './caller.ts';
import { parseJson } from './json.ts';
import { runRoutes } from './runs.ts';
import { ThreadStore } from './threads.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our threads behind LangGraph's `ThreadSaver` (the embed server's thread and state routes). */
function threadSaver(threads: ThreadStore): ThreadSaver {
  return {
    get: async (id) => (await threads.require(id)).view,
    set: async (id, { kind, metadata }) => (await threads.set(id, kind, metadata ?? {})).view,
    delete: (id) => threads.delete(id),
  };
}

const ThreadCreate = z.object({
  thread_id: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  if_exists: z.enum(['raise', 'do_nothing']).default('raise'),
}).loose();

const ThreadSearch = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  status: z.enum(['idle', 'busy', 'interrupted', 'error']).optional(),
  ids: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  sort_by: z.enum(['thread_id', 'status', 'created_at', 'updated_at']).optional(),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
}).loose();

const bodyOf = async (c: Context): Promise<unknown> => {
  const text = await c.req.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw clientError('invalid_json', 'body is not JSON');
  }
};

export function langgraphApp(sg: Stagegraph, basePath: string, bodyBytes: number): Hono {
  const threads = new ThreadStore(sg.db.pool);
  const api = new Hono().basePath(basePath);
  api.onError((err, c) => {
    const call = currentCall();
    const { status, body, error } = errorResponse(err, call.requestId);
    if (status >= 500) call.log.error({ err: error.cause ?? error, code: error.code }, 'langgraph request failed');
    else call.log.debug({ code: error.code }, 'langgraph request rejected');
    // A body refused unread leaves the connection unusable for another request.
    if (error.code === 'payload_too_large') c.header('Connection', 'close');
    // LangGraph's SDK shows `detail`/`message`; stagegraph's `error` object stays whole.
    return c.json({ ...body, message: body.error.message, detail: body.error.message }, status as 400);
  });
  api.use(bodyLimit(bodyBytes));
  api.notFound((c) => c.json({ error: { code: 'route_not_found', message: `${c.req.method} ${c.req.path} is not part of stagegraph's LangGraph API`, details: {} } }, 404));

  assistantRoutes(api, sg);
  api.post('/threads', async (c) => {
    const q = parseJson(ThreadCreate, await bodyOf(c));
    return c.json((await threads.create(q.thread_id ?? randomUUID(), q.metadata ?? {}, q.if_exists)).view);
  });
  const search = async (c: Context) => {
    const q = parseJson(ThreadSearch, await bodyOf(c));
    const sortBy = q.sort_by === 'updated_at' ? 'updated_at' : 'created_at';
    return threads.search({ metadata: q.metadata ?? undefined, status: q.status, ids: q.ids, limit: q.limit, offset: q.offset, sortBy, sortOrder: q.sort_order });
  };
  api.post('/threads/search', async (c) => {
    const { threads: found, total } = await search(c);
    c.header('X-Pagination-Total', String(total));
    return c.json(found);
  });
  api.post('/threads/count', async (c) => c.json((await search(c)).total));
  // Every route under a thread is the caller's thread (another owner's is not found).
  api.use('/threads/:thread_id/*', async (c, next) => {
    const id = c.req.param('thread_id')!;
    if (UUID.test(id)) await threads.require(id);
    await next();
  });
  api.on(['GET', 'PATCH'], '/threads/:thread_id', async (c, next) => {
    const id = c.req.param('thread_id');
    if (!UUID.test(id)) throw clientError('invalid_request', `thread_id must be a UUID, got ${JSON.stringify(id)}`, { field: 'thread_id' });
    await threads.require(id);
    await next();
  });
  api.delete('/threads/:thread_id', async (c) => {
    await threads.delete(c.req.param('thread_id'));
    return new Response(null, { status: 204 });
  });
  // A state update writes a checkpoint: not while the run executes (its executor owns the thread).
  api.post('/threads/:thread_id/state', async (c, next) => {
    const t = await threads.require(c.req.param('thread_id'));
    if (t.run && (t.run.status === 'running' || t.run.status === 'queued')) {
      throw clientError('thread_busy', `thread ${t.view.thread_id} is ${t.run.status}: pause it first`, { threadId: t.view.thread_id, status: t.run.status });
    }
    await next();
  });
  // 404, not 501: the SDK retries a GET that answers 5xx.
  api.all('/threads/:thread_id/stream/*', () => {
    throw clientError('route_not_found', 'the LangGraph streaming protocol routes are not offered: use /threads/{id}/runs/stream or /threads/{id}/runs/{run_id}/stream', { reason: 'not_offered' });
  });
  api.get('/threads/:thread_id/stream', () => {
    throw clientError('route_not_found', 'thread-level streams are not offered: join a run with /threads/{id}/runs/{run_id}/stream', { reason: 'not_offered' });
  });
  api.post('/threads/:thread_id/commands', () => {
    throw clientError('not_implemented', 'the LangGraph protocol command route is not offered: answer with a run whose command.resume holds the answer', {});
  });
  runRoutes(api, sg, threads);

  // The embed server looks graphs up by a thread's `graph_id` (and awaits what it gets).
  const graphs = new Proxy({} as Record<string, never>, {
    // An unknown id rejects with workflow_not_found (404), where `undefined` would break the embed server.
    get: (_, id) => (typeof id === 'string' ? workflowOf(sg, id).then((w) => w.graph) : undefined),
  });
  api.route('/', createEmbedServer({ graph: graphs, threads: threadSaver(threads), checkpointer: sg.saver }));
  return api;
}
