/**
 * `StepSaver`: LangGraph's `PostgresSaver` with each write made one statement, and,
 * for a thread that is a stagegraph run executing here, made part of the run's step
 * record (checkpoint + pending writes + events + run row + NOTIFY, one round trip).
 *
 * The output `putWrites` of a step's last running task is held for the step's `put`,
 * which then carries it in its statement; a task whose siblings still run is written
 * at once on its own, with the events tied to it (its output is durable, and shown,
 * without waiting for the siblings). Control writes (an error, an interrupt) go at once. Either way `putWrites`
 * resolves only once its writes are durable, as the checkpoint contract expects.
 *
 * Reads (`getTuple`, `list`) are PostgresSaver's own, but for delta-channel history
 * (one query, `delta-history.ts`). It passes LangGraph's
 * checkpoint conformance suite (`test/checkpointer.int.test.ts`).
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { WRITES_IDX_MAP, type ChannelVersions, type Checkpoint, type CheckpointMetadata, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { deltaChannelHistory } from './delta-history.ts';
import type { RunRecorder, TaskWrites } from './recorder.ts';
import { retryHiccups } from './retry.ts';
import { stepStatement, type WriteRow } from './sql.ts';

/**
 * Whether a write is output the task produced rather than a control write (LangGraph's
 * rule for "the task is done and is not run again on resume": `isTaskOutput` in
 * `@langchain/langgraph` `constants.js`, used by `loop.js` when it reapplies pending writes).
 */
function isTaskOutput(channel: string): boolean {
  return channel !== '__error__' && channel !== '__error_source_node__' && channel !== '__interrupt__' && channel !== '__resume__';
}

/**
 * The longest a step's last task's output writes wait for the step's put. The put
 * follows once LangGraph has applied the step (well under this, even on a busy
 * machine); this bound only matters when no put comes (the run was stopped mid-step).
 */
const HOLD_MS = 100;

interface Held {
  taskId: string;
  rows: Promise<WriteRow[]>;
  upsert: boolean;
  done: boolean;
  interrupted: boolean;
  settle: (e?: unknown) => void;
  /** The run's recorder when the writes came (a run executing here), so late writes stay fenced. */
  recorder?: RunRecorder;
  /** `putWrites` already resolved: a failure goes to the run's recorder instead. */
  optimistic?: boolean;
}

export class StepSaver extends PostgresSaver {
  private readonly held = new Map<string, Held[]>();
  private readonly recorders = new Map<string, RunRecorder>();

  constructor(private readonly db: pg.Pool) {
    super(db);
  }

  /** One recursive query instead of one `getTuple` per ancestor (see `delta-history.ts`). */
  override getDeltaChannelHistory(options: { config: RunnableConfig; channels: string[] }): ReturnType<PostgresSaver['getDeltaChannelHistory']> {
    return deltaChannelHistory(this, this.db, options) as ReturnType<PostgresSaver['getDeltaChannelHistory']>;
  }

  /** Checkpoints of thread `runId` join the run's step record while it executes here. */
  attach(recorder: RunRecorder): () => void {
    this.recorders.set(recorder.runId, recorder);
    return () => {
      if (this.recorders.get(recorder.runId) === recorder) this.recorders.delete(recorder.runId);
    };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable ?? {};
    const key = `${thread_id}\u0000${checkpoint_ns}\u0000${checkpoint_id}`;
    let settle!: (e?: unknown) => void;
    const durable = new Promise<void>((ok, fail) => (settle = (e) => (e === undefined ? ok() : fail(e))));
    durable.catch(() => undefined); // an optimistic entry's promise is not awaited by anyone
    const entry: Held = {
      taskId,
      rows: this._dumpWrites(thread_id, checkpoint_ns, checkpoint_id, taskId, writes),
      upsert: writes.every(([channel]) => channel in WRITES_IDX_MAP),
      done: writes.some(([channel]) => isTaskOutput(channel)),
      interrupted: writes.some(([channel]) => channel === '__interrupt__'),
      settle,
    };
    const list = this.held.get(key) ?? [];
    list.push(entry);
    this.held.set(key, list);
    const recorder = (entry.recorder = this.recorders.get(String(thread_id)));
    if (recorder && entry.done && !recorder.othersRunning(taskId)) {
      // The output of a run's step's last running task: the step's put follows and
      // carries these writes in its statement (one transaction: the checkpoint is never
      // durable without them). LangGraph may chain that put after this promise (writes
      // to delta channels), so it resolves now; if no put comes (the run was stopped
      // mid-step), the writes go on their own, and a failure fails the run's next write.
      entry.optimistic = true;
      setTimeout(() => void this.writeHeld(key, String(thread_id)), HOLD_MS).unref?.();
      return;
    }
    // Control writes (an error, an interrupt), a task whose siblings still run, and
    // threads that are not runs here: written at once, resolved once durable.
    setImmediate(() => void this.writeHeld(key, String(thread_id)));
    return durable;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error('Missing "configurable" field in "config" param');
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable;
    const claimed = this.claim(`${thread_id}\u0000${checkpoint_ns}\u0000${checkpoint_id}`);
    try {
      const [blobs, meta, writes] = await Promise.all([
        this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
        this._dumpMetadata(metadata),
        this.resolve(claimed),
      ]);
      const row = { thread: thread_id, ns: checkpoint_ns, id: checkpoint.id, parentId: checkpoint_id, checkpoint: this._dumpCheckpoint(checkpoint), metadata: meta };
      await this.write(String(thread_id), writes, { blobs, checkpoint: row });
      for (const h of claimed) h.settle();
    } catch (e) {
      for (const h of claimed) h.settle(e);
      throw e;
    }
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  private claim(key: string): Held[] {
    const list = this.held.get(key) ?? [];
    this.held.delete(key);
    return list;
  }

  private async resolve(claimed: Held[]): Promise<TaskWrites[]> {
    return Promise.all(claimed.map(async (h) => ({ taskId: h.taskId, rows: await h.rows, upsert: h.upsert, done: h.done, interrupted: h.interrupted })));
  }

  /** Writes held writes that no put took. */
  private async writeHeld(key: string, thread: string): Promise<void> {
    const claimed = this.claim(key);
    if (!claimed.length) return;
    try {
      // Through the recorder the writes came with (even if the run has detached since): fenced.
      await this.write(thread, await this.resolve(claimed), undefined, claimed[0]!.recorder);
      for (const h of claimed) h.settle();
    } catch (e) {
      for (const h of claimed) h.settle(e);
      if (claimed.some((h) => h.optimistic)) claimed[0]!.recorder?.fail(e);
    }
  }

  private async write(thread: string, writes: TaskWrites[], checkpoint?: Parameters<RunRecorder['commit']>[1], via?: RunRecorder): Promise<void> {
    const recorder = via ?? this.recorders.get(thread);
    if (recorder) return recorder.commit(writes, checkpoint);
    const statement = stepStatement({
      events: [], samples: [], blobs: checkpoint?.blobs ?? [], checkpoint: checkpoint?.checkpoint,
      writes: writes.flatMap((t) => t.rows.map((row) => ({ row, upsert: t.upsert }))),
    });
    if (statement) await retryHiccups(() => this.db.query(statement));
  }
}
