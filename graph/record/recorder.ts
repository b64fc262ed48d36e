/**
 * The one writer of a run in this process: every event, progress update, status
 * change and (through `StepSaver`) checkpoint of the run goes out through it, one
 * statement at a time, each gated by the run's fence and last seq (see `sql.ts`).
 *
 * Events come in two kinds:
 * - live (`push`): a stage started, its progress, a warning. Written within
 *   `liveDelayMs`, or sooner with whatever statement goes first.
 * - tied to a task (`tie`): a stage completed, a decision made, a stage skipped.
 *   Written only in the statement that makes the task's writes durable, so the log
 *   never says a stage completed unless its output is in the checkpoint (or its pending
 *   writes). A task that is interrupted drops its tied events: it runs again.
 *
 * Events are published on the bus after their statement commits. A database hiccup
 * is retried with backoff; a statement that an earlier, seemingly failed attempt
 * already applied is recognised by the run's last seq and not applied twice.
 */
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { RunEvent, RunEventDraft } from '../events/types.ts';
import { toRow, type RunRow } from '../runs/row.ts';
import { assertTransition, TRANSITIONS, type RunAction } from '../runs/status.ts';
import { retryHiccups, type HiccupPolicy } from './retry.ts';
import { stepStatement, type BlobRow, type CheckpointRow, type RowProgress, type StageSample, type StatusChange, type WriteRow } from './sql.ts';

/** The pseudo task of items that go with the next checkpoint. */
const NEXT_CHECKPOINT = '\u0000next-checkpoint';

interface Item {
  draft?: RunEventDraft;
  sample?: StageSample;
  at: Date;
  /** The task whose writes this item waits for; absent for live items. */
  task?: string;
  /** A change of the run row that goes with this item. */
  patch?: RowProgress;
}

/** A task's writes as the saver hands them over. */
export interface TaskWrites {
  taskId: string;
  rows: WriteRow[];
  upsert: boolean;
  /** LangGraph counts the task as done (it has output writes): its tied items go with it. */
  done: boolean;
  /** The task was interrupted: it runs again on resume, so its tied items are dropped. */
  interrupted: boolean;
}

export interface CheckpointParts {
  blobs: BlobRow[];
  checkpoint: CheckpointRow;
}

export interface RecorderOptions {
  /** Live events wait at most this long for a statement to ride on. @default 30 */
  liveDelayMs?: number;
  hiccups?: HiccupPolicy;
}

/** The fence and last seq this process holds for a run it executes. */
export interface Holding {
  fence: string;
  lastSeq: number;
}

export class RunRecorder {
  private items: Item[] = [];
  private row: RowProgress | undefined;
  private holding: Holding | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private liveTimer: NodeJS.Timeout | undefined;
  private failure: unknown;
  private readonly liveDelayMs: number;

  constructor(private readonly pool: pg.Pool, private readonly bus: EventBus, readonly runId: string, private readonly options: RecorderOptions = {}) {
    this.liveDelayMs = options.liveDelayMs ?? 30;
  }

  /** This process now holds the run (after inserting or taking it). */
  hold(h: Holding): void {
    this.holding = h;
  }

  /** The fence this process holds, if it does. */
  get fence(): string | undefined {
    return this.holding?.fence;
  }

  /** Lets go of the run: later writes throw `run_not_held`. */
  letGo(): void {
    this.holding = undefined;
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
  }

  /** Forgets everything an execution left unwritten (its tied items, progress, failure, tasks). */
  reset(): void {
    this.letGo();
    this.items = [];
    this.row = undefined;
    this.failure = undefined;
    this.running.clear();
  }

  private readonly running = new Set<string>();

  /** Task `taskId` started (`true`) or ended (`false`): the saver holds writes only when no other task runs. */
  taskRunning(taskId: string, running: boolean): void {
    if (running) this.running.add(taskId);
    else this.running.delete(taskId);
  }

  /** Whether tasks other than `taskId` are running. */
  othersRunning(taskId: string): boolean {
    return this.running.size > (this.running.has(taskId) ? 1 : 0);
  }

  /** A live event: durable within `liveDelayMs`. */
  push(draft: RunEventDraft): void {
    this.items.push({ draft, at: new Date() });
    this.scheduleLive();
  }

  /** An event (and a row change) that go with the next checkpoint this run writes (a state update's, e.g. a skip's). */
  withNextCheckpoint(draft: RunEventDraft, patch?: RowProgress): void {
    this.items.push({ draft, at: new Date(), task: NEXT_CHECKPOINT, patch });
  }

  /** An event or a duration sample tied to task `taskId`'s writes (live without a task). */
  tie(taskId: string | undefined, item: { draft?: RunEventDraft; sample?: StageSample }): void {
    this.items.push({ ...item, at: new Date(), task: taskId });
    if (taskId === undefined) this.scheduleLive();
  }

  /** Updates the run row (stage, progress, ETA) with the next statement. */
  patch(p: RowProgress): void {
    this.merge(p);
    if (!this.liveTimer) this.scheduleLive();
  }

  private merge(p: RowProgress): void {
    this.row = { ...this.row, ...p, degraded: Boolean(this.row?.degraded || p.degraded) || undefined };
  }

  private scheduleLive(): void {
    if (this.liveTimer || !this.holding) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      void this.flush().catch((e) => this.fail(e));
    }, this.liveDelayMs);
    this.liveTimer.unref?.();
  }

  /** Writes every live item now; resolves once durable and published. */
  flush(): Promise<void> {
    return this.enqueue(() => this.write({})).then(() => undefined);
  }

  /** The saver's part: a task's writes and/or a checkpoint, with the items that belong to them. */
  commit(writes: TaskWrites[], checkpoint?: CheckpointParts, optimistic = false): Promise<void> {
    return this.enqueue(async () => {
      if (this.failure !== undefined) {
        const f = this.failure;
        this.failure = undefined;
        throw f;
      }
      try {
        await this.write({ writes, checkpoint });
      } catch (e) {
        // Writes LangGraph already counts as durable were lost: the run's next write fails
        // (set here, inside the queue, so that the very next statement sees it).
        if (optimistic) this.failure ??= e;
        throw e;
      }
    });
  }

  /**
   * Moves the run along `action` (compare-and-set on its status) together with the
   * live items and `event`, which is logged last. `release` lets go of the run.
   * @throws StagegraphError `invalid_transition`, `run_fenced`
   */
  transition(action: RunAction, fields: Omit<StatusChange, 'from' | 'to' | 'release'> = {}, event?: RunEventDraft, release = false): Promise<RunRow> {
    const { from, to } = TRANSITIONS[action];
    return this.enqueue(async () => {
      const row = await this.write({ status: { ...fields, from, to, release }, event, action });
      if (release) this.letGo();
      return row!;
    });
  }

  /** Writes `event` (after the live items) and, with `release`, lets go of the run. */
  append(event: RunEventDraft, release = false): Promise<void> {
    return this.enqueue(async () => {
      await this.write({ event, release });
      if (release) this.letGo();
    });
  }

  /** A background write of this run failed: the next checkpoint write throws it (the run fails). */
  fail(e: unknown): void {
    this.failure ??= e;
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(w: { writes?: TaskWrites[]; checkpoint?: CheckpointParts; status?: StatusChange; event?: RunEventDraft; action?: RunAction; release?: boolean }): Promise<RunRow | undefined> {
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    const holding = this.holding;
    if (!holding) throw new StagegraphError('run_not_held', `run ${this.runId} is not executing in this process`, { class: 'fatal', details: { runId: this.runId } });
    const writes = w.writes ?? [];
    const done = new Set(writes.filter((t) => t.done).map((t) => t.taskId));
    const dropped = new Set(writes.filter((t) => t.interrupted && !t.done).map((t) => t.taskId));
    const taken: Item[] = [];
    const kept: Item[] = [];
    for (const item of this.items) {
      if (item.task === undefined || done.has(item.task) || (item.task === NEXT_CHECKPOINT && w.checkpoint)) taken.push(item);
      else if (!dropped.has(item.task)) kept.push(item);
    }
    if (w.event) taken.push({ draft: w.event, at: new Date() });
    const events = taken.filter((i) => i.draft);
    for (const i of taken) if (i.patch) this.merge(i.patch);
    const row = this.row;
    const statement = stepStatement({
      run: { id: this.runId, fence: holding.fence, lastSeq: holding.lastSeq, status: w.status, release: w.release },
      events: events.map((i) => ({ type: i.draft!.type, at: i.at, payload: JSON.stringify(i.draft!.payload) })),
      row,
      samples: taken.flatMap((i) => (i.sample ? [i.sample] : [])),
      blobs: w.checkpoint?.blobs ?? [],
      checkpoint: w.checkpoint?.checkpoint,
      writes: writes.flatMap((t) => t.rows.map((r) => ({ row: r, upsert: t.upsert }))),
    });
    this.items = kept;
    this.row = undefined;
    if (!statement) return undefined;
    let result: pg.QueryResult;
    try {
      result = await retryHiccups(async (attempt) => {
        const r = await this.pool.query(statement);
        if (r.rows.length === 0) return this.diagnose(holding, events.length, attempt, w.action);
        return r;
      }, this.options.hiccups);
    } catch (e) {
      // Not written: the items go back, ahead of anything pushed since, for the next statement.
      this.items = [...taken.filter((i) => !(w.event && i.draft === w.event)), ...this.items];
      // Newer progress (patched while this statement was out) wins over the older.
      const newer = this.row as RowProgress | undefined;
      if (row) this.row = { ...row, ...newer, degraded: Boolean(row.degraded || newer?.degraded) || undefined };
      throw e;
    }
    const base = holding.lastSeq;
    holding.lastSeq = base + events.length;
    this.bus.publish(events.map((i, k): RunEvent => ({ ...i.draft!, runId: this.runId, seq: base + k + 1, at: i.at.toISOString() }) as RunEvent));
    return toRow(result.rows[0]);
  }

  /**
   * The gate matched no row: the run was taken by another execution (fenced), an
   * earlier attempt of this very statement was applied after all, or the status
   * change is not allowed from where the run is.
   */
  private async diagnose(holding: Holding, events: number, attempt: number, action?: RunAction): Promise<pg.QueryResult> {
    const current = await this.pool.query('SELECT * FROM sg_runs WHERE id = $1', [this.runId]);
    const r = current.rows[0];
    if (!r) throw new StagegraphError('run_not_found', `run ${this.runId} not found`, { class: 'validation', details: { runId: this.runId } });
    if (String(r.fence) !== holding.fence) {
      throw new StagegraphError('run_fenced', `run ${this.runId} is now executed by another process: this execution stops without writing`, {
        class: 'fatal',
        details: { runId: this.runId, fence: holding.fence, current: String(r.fence) },
      });
    }
    if (attempt > 1 && r.last_seq === holding.lastSeq + events && (action === undefined || r.status === TRANSITIONS[action].to)) return current;
    if (action) assertTransition(this.runId, r.status, action);
    throw new StagegraphError('record_out_of_sync', `run ${this.runId}: last seq ${r.last_seq} in the database, ${holding.lastSeq} here`, {
      class: 'fatal',
      details: { runId: this.runId, database: r.last_seq, here: holding.lastSeq },
    });
  }
}
