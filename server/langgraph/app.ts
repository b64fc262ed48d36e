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
import { Hono } from 'hono';
import type { Stagegraph } from '../../graph/runtime.ts';
import { errorResponse, clientError } from '../errors.ts';
import { assistantRoutes, workflowOf } from './assistants.ts';
import { bodyLimit } from './body-limit.ts';
import { currentCall } from './caller.ts';
import { runRoutes } from './runs.ts';
import { ThreadStore } from './threads.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our threads behind LangGraph's `ThreadSaver` (the embed server's thread and state routes). */
function threadSaver(threads: ThreadStore): ThreadSaver {
  return {
    get: async (id) => (await threads.require(id)).view,
    set: async (id, { kind, metadata }) => (await threads.set(id, kind, metadata ?? {})).view,
    delete: (id) => threads.delete(id),
    search: async function* ({ metadata, limit, offset, sortBy, sortOrder }) {
      const { threads: found, total } = await threads.search({ metadata, limit, offset, sortBy, sortOrder });
      for (const thread of found) yield { thread, total };
    },
  };
}

export function langgraphApp(sg: Stagegraph, basePath: string, bodyBytes: number): Hono {
  const threads = new ThreadStore(sg.db.pool);
  const api = new Hono().basePath(basePath);
  api.onError((err, c) => {
    const call = currentCall();
    const { status, body, error } = errorResponse(err, call.requestId);
    if (status >= 500) call.log.error({ err: error.cause ?? error, code: error.code }, 'langgraph request failed');
    else call.log.debug({ code: error.code }, 'langgraph request rejected');
    // LangGraph's SDK shows `detail`/`message`; stagegraph's `error` object stays whole.
    return c.json({ ...body, message: body.error.message, detail: body.error.message }, status as 400);
  });
  api.use(bodyLimit(bodyBytes));
  api.notFound((c) => c.json({ error: { code: 'route_not_found', message: `${c.req.method} ${c.req.path} is not part of stagegraph's LangGraph API`, details: {} } }, 404));

  assistantRoutes(api, sg);
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
  api.all('/threads/:thread_id/stream/*', () => {
    throw clientError('not_implemented', 'the LangGraph streaming protocol routes are not offered: use /threads/{id}/runs/stream or /threads/{id}/runs/{run_id}/stream', {});
  });
  api.post('/threads/:thread_id/commands', () => {
    throw clientError('not_implemented', 'the LangGraph protocol command route is not offered: answer with a run whose command.resume holds the answer', {});
  });
  runRoutes(api, sg, threads);

  // The embed server looks graphs up by a thread's `graph_id` (and awaits what it gets).
  const graphs = new Proxy({} as Record<string, never>, {
    get: (_, id) => (typeof id === 'string' ? workflowOf(sg, id).then((w) => w.graph, () => undefined) : undefined),
  });
  api.route('/', createEmbedServer({ graph: graphs, threads: threadSaver(threads), checkpointer: sg.saver }));
  return api;
}
