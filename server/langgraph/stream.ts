/**
 * A stagegraph run as LangGraph stream chunks (`values`, `updates`, `debug`, `custom`),
 * read from what the run made durable, not from the process executing it: the event
 * log says when a step committed, and the checkpoints it committed are read back from
 * Postgres. So the stream is the same whether the run executes here or on a worker,
 * and a stream joined later (or after a restart) replays exactly what happened.
 *
 * Chunks per checkpoint, in order: `updates` (what each task of the step before wrote),
 * `values` (the state), `debug` (`task_result`s, then the `checkpoint`). Every run event
 * is also a `custom` chunk: progress with ETA, explained decisions, warnings.
 */
import type { StateSnapshot } from '@langchain/langgraph';
import type { CompiledWorkflow } from '../../graph/compile.ts';
import type { RunEvent } from '../../graph/events/types.ts';
import type { Stagegraph } from '../../graph/runtime.ts';

export interface StreamChunk {
  event: string;
  data: unknown;
}

export interface FollowOptions {
  sg: Stagegraph;
  graph: CompiledWorkflow;
  threadId: string;
  /** The API's run id (metadata chunk). */
  runId: string;
  modes: ReadonlySet<string>;
  /** Events after this seq belong to this run. */
  fromSeq: number;
  /** Checkpoints after this one are this run's (undefined: all of the thread's). */
  afterCheckpoint?: string;
  signal?: AbortSignal;
  /** How long to wait for a notice before reading the log anyway. @default 1000 */
  pollMs?: number;
  /** After how long without a chunk to send a `HEARTBEAT`. @default 15000 */
  heartbeatMs?: number;
}

/**
 * Whether the API's run is over at `e`: the run ended, asks for input, or was paused. A
 * pause for a shutdown is not an outcome: the run continues after the restart (or on
 * another worker), and so does its stream.
 */
export function isOutcome(e: RunEvent): boolean {
  if (e.type === 'workflow.paused') return e.payload.reason !== 'shutdown';
  return e.type === 'workflow.completed' || e.type === 'workflow.failed' || e.type === 'workflow.aborted';
}

/** The same test in SQL over `sg_events` (for an API run's status). */
export const OUTCOME_SQL = `(e.type IN ('workflow.completed', 'workflow.failed', 'workflow.aborted')
  OR (e.type = 'workflow.paused' AND e.payload->>'reason' IS DISTINCT FROM 'shutdown'))`;

/** Whether `e` was written with a checkpoint (a stage's start is live and writes none). */
function committedStep(e: RunEvent): boolean {
  if (e.type === 'workflow.stage_changed') return e.payload.change !== 'started' && e.payload.change !== 'step';
  return e.type === 'workflow.decision_made' || e.type === 'workflow.resumed' || e.type === 'workflow.paused' || isOutcome(e);
}

/** A chunk that only keeps an idle connection open (an SSE comment; `wait` ignores it). */
export const HEARTBEAT: StreamChunk = { event: '', data: null };

const idOf = (s: StateSnapshot): string => String(s.config.configurable?.checkpoint_id ?? '');
const parentIdOf = (s: StateSnapshot): string | undefined => s.parentConfig?.configurable?.checkpoint_id as string | undefined;

function checkpointRef(config: StateSnapshot['config'] | undefined): Record<string, unknown> | null {
  const c = config?.configurable;
  if (!c) return null;
  return { thread_id: c.thread_id, checkpoint_ns: c.checkpoint_ns ?? '', checkpoint_id: c.checkpoint_id };
}

/** Wakes the follower when the run has new events (or after `pollMs`, for a notice lost between processes). */
class Wakeup {
  private resolve?: () => void;
  private pending = false;
  ring = (): void => {
    this.pending = true;
    this.resolve?.();
  };
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.resolve = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }
}

export async function* followRun(o: FollowOptions): AsyncGenerator<StreamChunk> {
  yield { event: 'metadata', data: { run_id: o.runId, attempt: 1 } };
  const wake = new Wakeup();
  const off = o.sg.bus.subscribe(o.threadId, wake.ring);
  const thread = { configurable: { thread_id: o.threadId } };
  let cursor = o.afterCheckpoint;
  const seen = new Map<string, StateSnapshot>();
  let last: StateSnapshot | undefined;

  /**
   * The checkpoints written since `cursor`, oldest first, as chunks; with `until` (the
   * outcome's time), none written after it: a run joined later shows its own checkpoints,
   * not those of the answer or fork that came after it.
   */
  async function* checkpoints(until?: string): AsyncGenerator<StreamChunk> {
    // From the latest checkpoint back along its parents to the last one streamed (or, after a
    // fork, to the older checkpoint the new branch grew from): one read per new checkpoint.
    const fresh: StateSnapshot[] = [];
    let s: StateSnapshot | undefined = await o.graph.getState(thread);
    const limit = until === undefined ? Infinity : Date.parse(until);
    while (s && idOf(s) && (cursor === undefined || idOf(s) > cursor)) {
      if (!(s.createdAt && Date.parse(s.createdAt) > limit)) fresh.push(s);
      const parentId = parentIdOf(s);
      s = parentId ? seen.get(parentId) ?? (await o.graph.getState({ configurable: { thread_id: o.threadId, checkpoint_id: parentId } })) : undefined;
    }
    if (s) seen.set(idOf(s), s);
    for (const s of fresh.reverse()) {
      const parentId = parentIdOf(s);
      const parent = parentId ? seen.get(parentId) : undefined;
      const step = Number(s.metadata?.step ?? 0);
      const results = (parent?.tasks ?? []).filter((t) => t.result !== undefined);
      if (o.modes.has('updates')) for (const t of results) yield { event: 'updates', data: { [t.name]: t.result } };
      if (o.modes.has('values')) yield { event: 'values', data: s.values };
      if (o.modes.has('debug')) {
        const timestamp = s.createdAt ?? new Date().toISOString();
        for (const t of results) yield { event: 'debug', data: { type: 'task_result', timestamp, step: step, payload: { id: t.id, name: t.name, result: Object.entries(t.result as object), error: null, interrupts: t.interrupts } } };
        yield {
          event: 'debug',
          data: {
            type: 'checkpoint', timestamp, step,
            payload: {
              config: { configurable: checkpointRef(s.config) }, parent_config: s.parentConfig ? { configurable: checkpointRef(s.parentConfig) } : null,
              checkpoint: checkpointRef(s.config), parent_checkpoint: checkpointRef(s.parentConfig),
              values: s.values, metadata: s.metadata, next: s.next,
              tasks: s.tasks.map((t) => ({ id: t.id, name: t.name, interrupts: t.interrupts, error: t.error ?? null })),
            },
          },
        };
      }
      seen.set(idOf(s), s);
      cursor = idOf(s);
      last = s;
    }
    // Only the newest is a parent of what comes next (or, after a fork, none is: it is read then).
    if (last) for (const id of seen.keys()) if (id !== cursor) seen.delete(id);
  }

  /** The chunks that close the API's run on `outcome`. */
  function* close(outcome: RunEvent): Generator<StreamChunk> {
    if (outcome.type === 'workflow.paused' && outcome.payload.reason === 'input') {
      const interrupts = (last?.tasks ?? []).flatMap((t) => t.interrupts ?? []);
      const shown = interrupts.length > 0 ? interrupts : [{ value: outcome.payload.question }];
      if (o.modes.has('updates')) yield { event: 'updates', data: { __interrupt__: shown } };
      if (o.modes.has('values') && last) yield { event: 'values', data: { ...last.values, __interrupt__: shown } };
    }
    if (outcome.type === 'workflow.failed') {
      yield { event: 'error', data: { error: outcome.payload.error.code, message: outcome.payload.error.message } };
    }
    if (outcome.type === 'workflow.aborted') yield { event: 'error', data: { error: 'run_aborted', message: outcome.payload.reason } };
  }

  try {
    let seq = o.fromSeq;
    let quietSince = performance.now();
    for (;;) {
      let stepped = false;
      let outcome: RunEvent | undefined;
      const events = await o.sg.runs.eventsSince(o.threadId, seq);
      for (const e of events) {
        seq = e.seq;
        if (o.modes.has('custom')) yield { event: 'custom', data: e };
        stepped ||= committedStep(e);
        if (isOutcome(e)) {
          outcome = e;
          break;
        }
      }
      // One read of the new checkpoints per batch of events, however many steps it holds.
      if (stepped) yield* checkpoints(outcome?.at);
      if (outcome) return yield* close(outcome);
      if (o.signal?.aborted) return;
      if (events.length > 0) quietSince = performance.now();
      if (performance.now() - quietSince >= (o.heartbeatMs ?? 15_000)) {
        yield HEARTBEAT;
        quietSince = performance.now();
      }
      await wake.wait(o.pollMs ?? 1000, o.signal);
    }
  } finally {
    off();
  }
}
