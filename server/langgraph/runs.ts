/**
 * The LangGraph API's runs, carried out as stagegraph runs. A run on a thread with no
 * run yet starts one (the thread id becomes the run id); on a thread that has one, a
 * `command.resume` answers its question, a `checkpoint_id` forks it from that checkpoint
 * (`restore`), and no input resumes it from a pause. Each such action is an API run
 * (`sg_thread_runs`) whose stream is read back from the run's durable record
 * (`stream.ts`), so it can be joined later, from any server, after any restart.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Stagegraph } from '../../graph/runtime.ts';
import { clientError, statusOf, toStagegraphError } from '../errors.ts';
import { workflowOf } from './assistants.ts';
import { caller, currentCall } from './caller.ts';
import { parseJson } from './json.ts';
import { followRun, HEARTBEAT, OUTCOME_SQL, type StreamChunk } from './stream.ts';
import type { ThreadRecord, ThreadStore } from './threads.ts';

/** Modes stagegraph streams; the others (messages, events, tasks, tools, ...) are accepted and stay silent: a stage is not a chat model. */
const SERVED = new Set(['values', 'updates', 'custom', 'debug']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RunCreate = z.object({
  assistant_id: z.string().min(1),
  input: z.unknown().optional(),
  command: z.object({ resume: z.unknown().optional(), update: z.unknown().optional(), goto: z.unknown().optional() }).loose().nullish(),
  checkpoint_id: z.string().optional(),
  checkpoint: z.object({ checkpoint_id: z.string().optional() }).loose().nullish(),
  stream_mode: z.union([z.string(), z.array(z.string())]).optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  interrupt_before: z.union([z.literal('*'), z.array(z.string())]).optional(),
  interrupt_after: z.union([z.literal('*'), z.array(z.string())]).optional(),
  config: z.object({ configurable: z.record(z.string(), z.unknown()).optional() }).loose().nullish(),
}).loose();
type RunCreate = z.output<typeof RunCreate>;

export interface ApiRun {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: 'pending' | 'running' | 'success' | 'error' | 'interrupted';
  metadata: Record<string, unknown>;
  multitask_strategy: 'reject';
  kwargs: Record<string, unknown>;
}

interface RunRow {
  id: string;
  thread_id: string;
  assistant_id: string;
  from_seq: number;
  after_checkpoint: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  outcome: string | null;
  run_status: string | null;
}

/** Text typed into Studio's form arrives as `{ request }`; anything else is the request itself. */
function requestOf(input: unknown): unknown {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const keys = Object.keys(input);
    if (keys.length === 1 && keys[0] === 'request') return (input as { request: unknown }).request;
  }
  return input;
}

const STATUS_OF_OUTCOME: Record<string, ApiRun['status']> = {
  'workflow.completed': 'success', 'workflow.failed': 'error', 'workflow.aborted': 'error', 'workflow.paused': 'interrupted',
};

export function runRoutes(api: Hono, sg: Stagegraph, threads: ThreadStore): void {
  const pool = sg.db.pool;

  const view = (r: RunRow): ApiRun => ({
    run_id: r.id, thread_id: r.thread_id, assistant_id: r.assistant_id,
    created_at: r.created_at.toISOString(), updated_at: r.created_at.toISOString(),
    status: r.outcome ? STATUS_OF_OUTCOME[r.outcome]! : r.run_status === 'queued' ? 'pending' : 'running',
    metadata: r.metadata, multitask_strategy: 'reject', kwargs: {},
  });

  // An API run's status is the first outcome in the run's log after it began.
  const RUNS = `
    SELECT tr.*, r.status AS run_status,
           (SELECT e.type FROM sg_events e WHERE e.run_id = tr.thread_id AND e.seq > tr.from_seq AND ${OUTCOME_SQL}
            ORDER BY e.seq LIMIT 1) AS outcome
      FROM sg_thread_runs tr JOIN sg_runs r ON r.id = tr.thread_id`;

  async function findRun(threadId: string, runId: string): Promise<RunRow> {
    if (!UUID.test(threadId) || !UUID.test(runId)) throw clientError('run_not_found', `run ${runId} not found on thread ${threadId}`, { threadId, runId });
    const { rows } = await pool.query<RunRow>(`${RUNS} WHERE tr.id = $1 AND tr.thread_id = $2 AND tr.owner = $3`, [runId, threadId, caller().owner]);
    if (!rows[0]) throw clientError('run_not_found', `run ${runId} not found on thread ${threadId}`, { threadId, runId });
    return rows[0];
  }

  /** Carries out `body` on thread `threadId` and records it as an API run. */
  async function act(threadId: string, thread: ThreadRecord | undefined, body: RunCreate): Promise<RunRow> {
    if (body.interrupt_before?.length || body.interrupt_after?.length) {
      throw clientError('not_implemented', 'interrupt_before/interrupt_after (breakpoints) are not supported: a stagegraph run stops at its questions, a pause, or a checkpoint you fork from', { field: body.interrupt_before?.length ? 'interrupt_before' : 'interrupt_after' });
    }
    if (body.command?.goto !== undefined || body.command?.update !== undefined) {
      throw clientError('not_implemented', 'command.goto and command.update are not supported: answer a question with command.resume, or fork from a checkpoint', { field: 'command' });
    }
    const principal = caller();
    const checkpointId = body.checkpoint_id ?? body.checkpoint?.checkpoint_id;
    const id = randomUUID();
    // Recorded before it is carried out (and removed if it is refused), so that a run that
    // goes ahead always has its API run.
    const record = async (action: string, fromSeq: number, after?: string) =>
      pool.query(
        'INSERT INTO sg_thread_runs (id, thread_id, owner, assistant_id, action, from_seq, after_checkpoint, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [id, threadId, principal.owner, body.assistant_id, action, fromSeq, after ?? null, JSON.stringify(body.metadata ?? {})],
      );
    const carryOut = async (action: string, fromSeq: number, after: string | undefined, go: () => Promise<unknown>) => {
      await record(action, fromSeq, after);
      try {
        await go();
      } catch (e) {
        await pool.query('DELETE FROM sg_thread_runs WHERE id = $1', [id]);
        if ((e as { code?: string }).code === '23505') throw clientError('run_exists', `thread ${threadId} already has a run`, { threadId });
        throw e;
      }
    };
    if (!thread?.run) {
      if (body.command) throw clientError('invalid_transition', `thread ${threadId} has no run to answer yet`, { threadId });
      if (body.input === undefined || body.input === null) throw clientError('input_required', 'the first run on a thread needs input, e.g. { "request": "..." }', { field: 'input' });
      await workflowOf(sg, body.assistant_id);
      await carryOut('start', 0, undefined, () =>
        sg.runs.start({ id: threadId, workflowId: body.assistant_id, request: requestOf(body.input), owner: principal.owner, options: {} }));
    } else {
      if (body.assistant_id !== thread.run.workflowId) {
        throw clientError('invalid_request', `thread ${threadId} runs '${thread.run.workflowId}', not '${body.assistant_id}'`, { field: 'assistant_id', threadId });
      }
      const { graph } = await workflowOf(sg, thread.run.graphId);
      const { rows } = await pool.query<{ last_seq: number }>('SELECT last_seq FROM sg_runs WHERE id = $1', [threadId]);
      const fromSeq = rows[0]?.last_seq ?? 0;
      const after = (await graph.getState({ configurable: { thread_id: threadId } })).config.configurable?.checkpoint_id as string | undefined;
      if (body.command && 'resume' in body.command) {
        await carryOut('answer', fromSeq, after, () => sg.runs.answer(threadId, body.command!.resume, principal.subject, principal.owner));
      } else if (checkpointId) {
        await carryOut('fork', fromSeq, after, () => sg.runs.restore(threadId, checkpointId, principal.subject, principal.owner));
      } else if (body.input === undefined || body.input === null) {
        await carryOut('resume', fromSeq, after, () => sg.runs.resume(threadId, principal.subject, principal.owner));
      } else {
        throw clientError('thread_busy', `thread ${threadId} already ran a request: a stagegraph run takes one; start a new thread, answer its question (command.resume) or fork it (checkpoint_id)`, { threadId, status: thread.run.status });
      }
    }
    return findRun(threadId, id);
  }

  const modesOf = (body?: RunCreate): Set<string> => {
    const asked = body?.stream_mode === undefined ? ['values'] : Array.isArray(body.stream_mode) ? body.stream_mode : [body.stream_mode];
    return new Set(asked.filter((m) => SERVED.has(m)));
  };

  /** The run's stream; its graph is the thread's (a template run's, at the version it pinned). */
  async function* follow(run: RunRow, modes: Set<string>, signal?: AbortSignal): AsyncGenerator<StreamChunk> {
    const { graph } = await workflowOf(sg, (await threads.require(run.thread_id)).run!.graphId);
    yield* followRun({ sg, graph, threadId: run.thread_id, runId: run.id, modes, fromSeq: run.from_seq, afterCheckpoint: run.after_checkpoint ?? undefined, signal });
  }

  const located = (c: Context, run: RunRow) => c.header('Content-Location', `/threads/${run.thread_id}/runs/${run.id}`);

  const sse = (c: Context, run: RunRow, modes: Set<string>) => {
    located(c, run);
    return streamSSE(c, async (stream) => {
      const stop = new AbortController();
      stream.onAbort(() => stop.abort());
      try {
        for await (const chunk of follow(run, modes, stop.signal)) {
          if (chunk === HEARTBEAT) await stream.write(': heartbeat\n\n');
          else await stream.writeSSE({ event: chunk.event, data: JSON.stringify(chunk.data) });
        }
      } catch (e) {
        // The headers are sent: the failure goes out as the stream's `error` event, not a status.
        const error = toStagegraphError(e);
        if (statusOf(error.code, error.class) >= 500) currentCall().log.error({ err: error.cause ?? error, code: error.code }, 'langgraph stream failed');
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: error.code, message: error.message }) }).catch(() => undefined);
      } finally {
        stop.abort();
      }
    });
  };

  /** The final values (LangGraph's `wait`/`join`): the last `values` chunk, with `__interrupt__` when it waits for an answer. */
  async function finalValues(run: RunRow, signal: AbortSignal): Promise<unknown> {
    let last: unknown = null;
    for await (const chunk of follow(run, new Set(['values']), signal)) {
      if (chunk.event === 'values') last = chunk.data;
      if (chunk.event === 'error') return { __error__: chunk.data };
    }
    return last;
  }

  const bodyOf = async (c: Context): Promise<RunCreate> => parseJson(RunCreate, await c.req.json().catch(() => { throw clientError('invalid_json', 'body is not JSON'); }));
  // The same three routes on a thread and stateless (a new thread of its own each time).
  const starters: [string, (c: Context) => Promise<{ body: RunCreate; run: RunRow }>][] = [
    ['/threads/:thread_id/runs', async (c) => {
      const threadId = c.req.param('thread_id')!;
      const body = await bodyOf(c);
      return { body, run: await act(threadId, await threads.require(threadId), body) };
    }],
    ['/runs', async (c) => {
      const body = await bodyOf(c);
      return { body, run: await act(randomUUID(), undefined, body) };
    }],
  ];
  for (const [path, started] of starters) {
    api.post(`${path}/stream`, async (c) => {
      const { body, run } = await started(c);
      return sse(c, run, modesOf(body));
    });
    api.post(`${path}/wait`, async (c) => {
      const { run } = await started(c);
      located(c, run);
      return c.json(await finalValues(run, c.req.raw.signal));
    });
    api.post(path, async (c) => {
      const { run } = await started(c);
      located(c, run);
      return c.json(view(run));
    });
  }

  api.get('/threads/:thread_id/runs', async (c) => {
    const threadId = c.req.param('thread_id');
    await threads.require(threadId);
    const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 10) || 10));
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0);
    const status = c.req.query('status');
    const { rows } = await pool.query<RunRow>(`${RUNS} WHERE tr.thread_id = $1 AND tr.owner = $2 ORDER BY tr.created_at DESC`, [threadId, caller().owner]);
    return c.json(rows.map(view).filter((r) => !status || r.status === status).slice(offset, offset + limit));
  });
  api.get('/threads/:thread_id/runs/:run_id', async (c) => c.json(view(await findRun(c.req.param('thread_id'), c.req.param('run_id')))));
  api.get('/threads/:thread_id/runs/:run_id/join', async (c) => c.json(await finalValues(await findRun(c.req.param('thread_id'), c.req.param('run_id')), c.req.raw.signal)));
  api.get('/threads/:thread_id/runs/:run_id/stream', async (c) => {
    const run = await findRun(c.req.param('thread_id'), c.req.param('run_id'));
    const modes = c.req.queries('stream_mode');
    return sse(c, run, modes?.length ? new Set(modes.filter((m) => SERVED.has(m))) : new Set(['values', 'updates', 'custom']));
  });
  // `interrupt` (the default) pauses the run at its next checkpoint; `rollback` aborts it (compensating what completed).
  api.post('/threads/:thread_id/runs/:run_id/cancel', async (c) => {
    const run = await findRun(c.req.param('thread_id'), c.req.param('run_id'));
    if (run.outcome) return new Response(null, { status: 204 });
    const principal = caller();
    const { rows: [now] } = await pool.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [run.thread_id]);
    // A queued run cannot pause (it never started): cancelling it means it never runs.
    if (c.req.query('action') === 'rollback' || now?.status === 'queued') await sg.runs.abort(run.thread_id, 'cancelled over the LangGraph API', principal.subject, principal.owner);
    else if (now?.status === 'running') await sg.runs.pause(run.thread_id, principal.subject, principal.owner);
    else throw clientError('invalid_transition', `run ${run.id} is not running (its thread is ${now?.status})`, { threadId: run.thread_id, status: now?.status });
    if (c.req.query('wait') === 'true' || c.req.query('wait') === '1') await sg.runs.wait(run.thread_id);
    return new Response(null, { status: 204 });
  });
}
