/**
 * `StepSaver`: LangGraph's `PostgresSaver` with each write made one statement, and,
 * for a thread that is a stagegraph run executing here, made part of the run's step
 * record (checkpoint + pending writes + events + run row, one round trip, through the
 * run's recorder, fenced).
 *
 * Writes of a run (`putWrites`):
 * - the output of a step's last running task is held for the step's `put`, which
 *   carries it in its own statement. `putWrites` resolves at once (LangGraph may chain
 *   the put after it); if no put comes, the writes go on their own after `HOLD_MS`, or
 *   when the execution ends (`settle`).
 * - a task whose siblings still run, and control writes (an error, an interrupt), are
 *   written at once, with the events tied to them, and resolve once durable.
 * - writes are never written before the checkpoint they belong to is durable (under
 *   `async` durability that checkpoint's put may still be queued): they wait for it,
 *   so the log never names an outcome whose checkpoint does not exist.
 * Threads that are not runs executing here get PostgresSaver's semantics, one
 * statement per call.
 *
 * Reads (`getTuple`, `list`) are PostgresSaver's own, but for delta-channel history
 * (one query, `delta-history.ts`). It passes LangGraph's checkpoint conformance suite
 * (`test/checkpointer.int.test.ts`).
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { WRITES_IDX_MAP, type ChannelVersions, type Checkpoint, type CheckpointMetadata, type CheckpointTuple, type PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import { deltaChannelHistory } from './delta-history.ts';
import type { CheckpointParts, RunRecorder, TaskWrites } from './recorder.ts';
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
  /** The run's recorder and fence when the writes came: only that execution may write them. */
  recorder?: RunRecorder;
  fence?: string;
  /** `putWrites` already resolved: a failure fails the run's next write instead. */
  optimistic?: boolean;
}

const keyOf = (thread: unknown, ns: unknown, checkpointId: unknown) => `${String(thread)}\u0000${String(ns ?? '')}\u0000${String(checkpointId)}`;
const sameExecution = (h: Held, recorder: RunRecorder | undefined) => h.recorder === recorder && h.fence === recorder?.fence;

export class StepSaver extends PostgresSaver {
  private readonly held = new Map<string, Held[]>();
  private readonly recorders = new Map<string, RunRecorder>();
  /** Per run executing here: the checkpoints known durable (loaded, or put by it). */
  private readonly durable = new Map<RunRecorder, Set<string>>();
  /** Held keys whose checkpoint is not durable yet: written once its put commits. */
  private readonly waiting = new Set<string>();

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
    this.durable.set(recorder, new Set());
    return () => {
      if (this.recorders.get(recorder.runId) === recorder) this.recorders.delete(recorder.runId);
      this.durable.delete(recorder);
    };
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tuple = await super.getTuple(config);
    const recorder = this.recorders.get(String(config.configurable?.thread_id));
    if (tuple && recorder) this.durable.get(recorder)?.add(keyOf(config.configurable?.thread_id, tuple.config.configurable?.checkpoint_ns, tuple.config.configurable?.checkpoint_id));
    return tuple;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable ?? {};
    const key = keyOf(thread_id, checkpoint_ns, checkpoint_id);
    let settle!: (e?: unknown) => void;
    const durable = new Promise<void>((ok, fail) => (settle = (e) => (e === undefined ? ok() : fail(e))));
    durable.catch(() => undefined); // an optimistic entry's promise is awaited by no one
    const recorder = this.recorders.get(String(thread_id));
    const entry: Held = {
      taskId,
      rows: this._dumpWrites(thread_id, checkpoint_ns, checkpoint_id, taskId, writes),
      upsert: writes.every(([channel]) => channel in WRITES_IDX_MAP),
      done: writes.some(([channel]) => isTaskOutput(channel)),
      interrupted: writes.some(([channel]) => channel === '__interrupt__'),
      settle,
      recorder,
      fence: recorder?.fence,
    };
    // A value that cannot be serialised fails whoever writes it, never the process.
    entry.rows.catch(() => undefined);
    this.held.set(key, [...(this.held.get(key) ?? []), entry]);
    if (recorder && entry.done && !recorder.othersRunning(taskId)) {
      entry.optimistic = true;
      setTimeout(() => void this.writeHeld(key), HOLD_MS).unref?.();
      return;
    }
    setImmediate(() => void this.writeHeld(key));
    return durable;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error('Missing "configurable" field in "config" param');
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable;
    const recorder = this.recorders.get(String(thread_id));
    // Only this execution's writes: a fenced-out one's stay for its own (refused) write.
    const claimed = this.claim(keyOf(thread_id, checkpoint_ns, checkpoint_id), (h) => sameExecution(h, recorder));
    try {
      const [blobs, meta, writes] = await Promise.all([
        this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
        this._dumpMetadata(metadata),
        this.resolve(claimed),
      ]);
      const row = { thread: thread_id, ns: checkpoint_ns, id: checkpoint.id, parentId: checkpoint_id, checkpoint: this._dumpCheckpoint(checkpoint), metadata: meta };
      await this.write(writes, { blobs, checkpoint: row }, recorder, claimed.some((h) => h.optimistic));
      for (const h of claimed) h.settle();
    } catch (e) {
      for (const h of claimed) h.settle(e);
      throw e;
    }
    if (recorder) {
      const key = keyOf(thread_id, checkpoint_ns, checkpoint.id);
      this.durable.get(recorder)?.add(key);
      if (this.waiting.delete(key)) void this.writeHeld(key);
    }
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  /**
   * The execution of `recorder` ends: its held writes whose checkpoint is durable are
   * written now; the others (their checkpoint was never written) are dropped, and
   * their tasks run again when the run continues.
   */
  async settle(recorder: RunRecorder): Promise<void> {
    const writing: Promise<void>[] = [];
    for (const key of [...this.held.keys()]) {
      const mine = this.claim(key, (h) => h.recorder === recorder);
      if (!mine.length) continue;
      this.waiting.delete(key);
      if (this.durable.get(recorder)?.has(key)) writing.push(this.writeClaimed(mine));
      else for (const h of mine) h.settle(new StagegraphError('checkpoint_not_durable', 'the checkpoint these writes belong to was never written', { class: 'transient' }));
    }
    await Promise.all(writing);
  }

  private claim(key: string, which: (h: Held) => boolean = () => true): Held[] {
    const list = this.held.get(key) ?? [];
    const taken = list.filter(which);
    const left = list.filter((h) => !which(h));
    if (left.length) this.held.set(key, left);
    else this.held.delete(key);
    return taken;
  }

  private async resolve(claimed: Held[]): Promise<TaskWrites[]> {
    return Promise.all(claimed.map(async (h) => ({ taskId: h.taskId, rows: await h.rows, upsert: h.upsert, done: h.done, interrupted: h.interrupted })));
  }

  /** Writes held writes that no put took, once their checkpoint is durable. */
  private async writeHeld(key: string): Promise<void> {
    const first = this.held.get(key)?.[0];
    if (!first) return;
    const recorder = first.recorder;
    if (recorder && this.recorders.get(recorder.runId) === recorder && !this.durable.get(recorder)?.has(key)) {
      this.waiting.add(key); // its put is still queued (async durability): written once it commits
      return;
    }
    await this.writeClaimed(this.claim(key, (h) => h.recorder === recorder));
    if (this.held.has(key)) await this.writeHeld(key); // another execution's entries
  }

  private async writeClaimed(claimed: Held[]): Promise<void> {
    if (!claimed.length) return;
    try {
      // Through the recorder the writes came with (even if the run has detached since): fenced.
      await this.write(await this.resolve(claimed), undefined, claimed[0]!.recorder, claimed.some((h) => h.optimistic));
      for (const h of claimed) h.settle();
    } catch (e) {
      for (const h of claimed) h.settle(e);
    }
  }

  private async write(writes: TaskWrites[], checkpoint: CheckpointParts | undefined, recorder: RunRecorder | undefined, optimistic: boolean): Promise<void> {
    if (recorder) return recorder.commit(writes, checkpoint, optimistic);
    const statement = stepStatement({
      events: [], samples: [], blobs: checkpoint?.blobs ?? [], checkpoint: checkpoint?.checkpoint,
      writes: writes.flatMap((t) => t.rows.map((row) => ({ row, upsert: t.upsert }))),
    });
    if (statement) await retryHiccups(() => this.db.query(statement));
  }
}
