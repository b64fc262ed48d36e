/**
 * Drives one run of a compiled workflow: LangGraph `stream()` with the Postgres
 * checkpointer, every stream chunk turned into a typed RunEvent, the run row kept
 * current, and the outcome (completed, waiting_input, paused, failed) recorded.
 * A run executes on one process at a time: a session advisory lock fences it.
 */
import { Command, RunControl, isGraphDrained } from '@langchain/langgraph';
import type pg from 'pg';
import { StagegraphError, serializeError, type SerializedError } from '../../nodes/errors.ts';
import { isStageSignal, type StageSignal } from '../../nodes/signals.ts';
import { skipWarning } from '../../nodes/stage.ts';
import type { BuiltWorkflow, CompiledWorkflow } from '../compile.ts';
import type { GraphRuntimeDeps } from '../deps.ts';
import type { EventLog, RunRecorder } from '../events/log.ts';
import type { RunEventPayloads } from '../events/types.ts';
import type { WorkflowStateValue } from '../state.ts';
import type { RunLocks } from './locks.ts';
import { ProgressTracker, type DurationHistory } from './progress.ts';
import type { RunAction } from './status.ts';
import type { RunRow, RunStore } from './store.ts';

export interface RegisteredWorkflow {
  built: BuiltWorkflow;
  graph: CompiledWorkflow;
}

export type StopReason = 'pause' | 'abort' | 'shutdown';

export interface ActiveRun {
  runId: string;
  controller: AbortController;
  control: RunControl;
  stop?: { reason: StopReason; by?: string };
  /** Settles once the run holds its lock and has taken its status transition (rejects if it could not). */
  started: Promise<void>;
  done: Promise<RunOutcome>;
  /** The run row as this execution left it. */
  final?: RunRow;
}

export type RunOutcome = 'completed' | 'waiting_input' | 'paused' | 'failed' | 'stopped' | 'locked';

export interface ExecuteOptions {
  /** The status change that starts this execution; `recover` keeps a `running` run as it is. */
  action: RunAction | 'recover';
  /** LangGraph input: the request, `null` to continue, or a `Command` answering an interrupt. */
  input: unknown;
  /** Fork from this checkpoint (restore). */
  checkpointId?: string;
  resumed?: RunEventPayloads['workflow.resumed'];
  /**
   * Work done under the run's lock after its status transition and before the graph
   * streams (a rollback's compensations, a skip's state update). The `resumed` event
   * is durable before it starts. If it throws, the run fails with that error.
   */
  prepare?: (rec: RunRecorder) => Promise<void>;
  /**
   * Decides the options once the run's lock is held (crash recovery reads the run's
   * trail only for runs no live process holds). Merged over these options.
   */
  late?: () => Promise<ExecuteOptions>;
  /** Creates the run row (already `running`) once the lock is held, instead of a status transition. */
  create?: () => Promise<void>;
}

/** A pause that has not drained within this time aborts in-flight work; the stage reruns on resume. */
export const PAUSE_GRACE_MS = 1000;

export class RunExecutor {
  readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: RunStore,
    private readonly events: EventLog,
    private readonly workflows: Map<string, RegisteredWorkflow>,
    private readonly deps: GraphRuntimeDeps,
    private readonly locks: RunLocks,
    private readonly history: DurationHistory,
  ) {}

  workflow(id: string): RegisteredWorkflow {
    const wf = this.workflows.get(id);
    if (!wf) throw new StagegraphError('workflow_not_found', `workflow '${id}' is not registered`, { class: 'validation', details: { workflowId: id } });
    return wf;
  }

  /** Starts executing in the background; the returned run's `done` settles with the outcome. */
  execute(run: RunRow, options: ExecuteOptions): ActiveRun {
    let markStarted!: () => void;
    let failStart!: (e: unknown) => void;
    const active: ActiveRun = {
      runId: run.id,
      controller: new AbortController(),
      control: new RunControl(),
      started: new Promise<void>((ok, fail) => ((markStarted = ok), (failStart = fail))),
      done: undefined as never,
    };
    active.started.catch(() => undefined);
    this.active.set(run.id, active);
    active.done = this.drive(run, options, active, markStarted, failStart).finally(() => {
      if (this.active.get(run.id) === active) this.active.delete(run.id);
      void this.events.release(run.id);
    });
    return active;
  }

  private async drive(run: RunRow, options: ExecuteOptions, active: ActiveRun, started: () => void, failStart: (e: unknown) => void): Promise<RunOutcome> {
    if (!(await this.locks.tryAcquire(run.id).catch(() => false))) {
      failStart(new StagegraphError('run_locked', `run ${run.id} is executing in another process`, { class: 'transient', details: { runId: run.id } }));
      return 'locked';
    }
    try {
      try {
        if (options.late) options = { ...options, ...(await options.late()), late: undefined };
        if (options.create) await options.create();
        else if (options.action !== 'recover') await this.store.transition(run.id, options.action);
      } catch (e) {
        failStart(e);
        throw e;
      }
      started();
      return await this.stream(run, options, active);
    } finally {
      // An abort takes the lock over: it compensates under it (see `exclusive`). The unlock
      // is queued on the lock connection, so a later acquire in this process comes after it.
      if (active.stop?.reason !== 'abort') void this.locks.release(run.id).catch(() => undefined);
    }
  }

  /**
   * Runs `fn` holding the run's lock (fenced against every process). `inherit` takes
   * over a lock this process already holds (an abort after its execution stopped).
   * @throws StagegraphError `run_locked` if another process (or task) holds it.
   */
  async exclusive<T>(runId: string, fn: () => Promise<T>, options: { inherit?: boolean } = {}): Promise<T> {
    const mine = (options.inherit && this.locks.holds(runId)) || (await this.locks.tryAcquire(runId).catch(() => false));
    if (!mine) throw new StagegraphError('run_locked', `run ${runId} is busy in another process`, { class: 'transient', details: { runId } });
    try {
      return await fn();
    } finally {
      await this.locks.release(runId);
    }
  }

  private async stream(run: RunRow, options: ExecuteOptions, active: ActiveRun): Promise<RunOutcome> {
    const { built, graph } = this.workflow(run.workflowId);
    const rec = this.events.recorder(run.id);
    const threadConfig = { configurable: { thread_id: run.id } };
    const from = options.checkpointId ? { configurable: { thread_id: run.id, checkpoint_id: options.checkpointId } } : threadConfig;
    let before = options.input === null || options.input instanceof Command ? await graph.getState(from) : undefined;
    const tracker = new ProgressTracker(await this.history.estimates(built.plan), (before?.values as WorkflowStateValue | undefined)?.completed ?? []);
    if (options.resumed) rec.push({ type: 'workflow.resumed', payload: options.resumed });
    if (options.prepare) {
      try {
        await rec.flush();
        await options.prepare(rec);
        // A recovery action may have written state (e.g. a skip): read what the run continues from.
        before = await graph.getState(threadConfig);
      } catch (e) {
        const error = serializeError(e);
        rec.push({ type: 'workflow.failed', payload: { error, ...(typeof error.details.stage === 'string' ? { stage: error.details.stage } : {}) } });
        await rec.flush().catch(() => undefined);
        active.final = await this.store.transition(run.id, 'fail', { error });
        return 'failed';
      }
    }

    const t0 = performance.now();
    // Row updates ride on the event log's next flush (one round trip for both).
    const translate = new SignalTranslator(rec, tracker, run, built.id, this.history, (p) => rec.patch(p));
    const settle = () => rec.flush();
    const context: { stagegraph: GraphRuntimeDeps } = {
      stagegraph: { ...this.deps, branch: options.checkpointId ?? (run.options.branch as string | undefined) ?? '', seed: Number(run.options.seed ?? this.deps.seed ?? 1) },
    };
    const config = {
      configurable: { thread_id: run.id, ...(options.checkpointId ? { checkpoint_id: options.checkpointId } : {}) },
      streamMode: ['custom', 'updates'] as const,
      signal: active.controller.signal,
      control: active.control,
      context,
      recursionLimit: 10_000,
    };
    try {
      const stream = await graph.stream(options.input, config);
      // Interrupts arrive as `__interrupt__` updates: no extra state read at the end of a run.
      const waiting: { value?: unknown }[] = [];
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        if (mode === 'custom') translate.handle(chunk);
        else if (chunk && typeof chunk === 'object' && '__interrupt__' in chunk) waiting.push(...((chunk as { __interrupt__: { value?: unknown }[] }).__interrupt__));
      }
      if (waiting.length > 0) {
        const question = waiting[0]!.value;
        const stage = (question as { stage?: unknown } | null)?.stage;
        // The row changes first, so a client reacting to the event reads the new status.
        await settle();
        active.final = await this.store.transition(run.id, 'wait', { question });
        rec.push({ type: 'workflow.paused', payload: { reason: 'input', next: typeof stage === 'string' ? [stage] : [], question } });
        await settle();
        return 'waiting_input';
      }
      const values = (before?.values ?? {}) as Partial<WorkflowStateValue>;
      const warnings = [...(values.warnings ?? []).map((w) => w.message), ...translate.warnings];
      const degraded = (values.skipped?.length ?? 0) > 0 || translate.skipped > 0;
      await settle();
      active.final = await this.store.transition(run.id, 'complete', degraded ? { degraded } : {});
      rec.push({ type: 'workflow.completed', payload: { degraded, warnings, durationMs: Math.round(performance.now() - t0) } });
      await settle();
      return 'completed';
    } catch (e) {
      const stop = active.stop;
      if (isGraphDrained(e) || (stop && stop.reason !== 'abort' && active.controller.signal.aborted)) {
        const next = (await graph.getState(threadConfig)).next as string[];
        rec.push({ type: 'workflow.paused', payload: { reason: stop?.reason === 'shutdown' ? 'shutdown' : 'pause', by: stop?.by, next } });
        await settle();
        active.final = await this.store.transition(run.id, 'drain');
        return 'paused';
      }
      if (stop?.reason === 'abort') {
        await settle();
        return 'stopped';
      }
      const error = serializeError(e);
      rec.push({ type: 'workflow.failed', payload: { error, stage: translate.lastFailedStage } });
      await settle();
      active.final = await this.store.transition(run.id, 'fail', { error });
      return 'failed';
    } finally {
      await rec.flush().catch(() => undefined);
    }
  }
}

type RowPatch = { currentStage?: string; progress?: number; etaMs?: number; degraded?: boolean };

/** Turns the stage runtime's custom-stream signals into RunEvents and progress. */
class SignalTranslator {
  lastFailedStage?: string;
  /** Optional stages skipped during this execution, and their warnings. */
  skipped = 0;
  readonly warnings: string[] = [];
  private readonly stepMs = new Map<string, number>();
  private readonly lastPct = new Map<string, { pct: number; at: number }>();

  constructor(
    private readonly rec: RunRecorder,
    private readonly tracker: ProgressTracker,
    private readonly run: RunRow,
    private readonly workflowId: string,
    private readonly history: DurationHistory,
    private readonly row: (p: RowPatch) => void,
  ) {}

  handle(chunk: unknown): void {
    if (!isStageSignal(chunk)) return;
    const s: StageSignal = chunk;
    const rec = this.rec;
    switch (s.sg) {
      case 'stage_started':
        rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'started', attempt: s.attempt } });
        this.row({ currentStage: s.stage });
        return;
      case 'stage_finished': {
        const total = (this.stepMs.get(s.stage) ?? 0) + s.durationMs;
        if (s.step) {
          this.stepMs.set(s.stage, total);
          rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'step', attempt: s.attempt, durationMs: Math.round(s.durationMs) } });
          return;
        }
        this.stepMs.delete(s.stage);
        this.tracker.stageDone(s.stage);
        rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'completed', attempt: s.attempt, durationMs: Math.round(total) } });
        rec.sample({ workflowId: this.workflowId, stage: s.stage, runId: this.run.id, durationMs: total, ok: true, attempt: s.attempt });
        this.history.record(this.workflowId, s.stage, total);
        this.progress(s.stage, 100);
        return;
      }
      case 'stage_failed':
        this.lastFailedStage = s.stage;
        rec.push({ type: 'workflow.error', payload: { stage: s.stage, error: s.error, willRetry: s.willRetry } });
        if (!s.willRetry) rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'failed', attempt: s.attempt, error: s.error } });
        rec.sample({ workflowId: this.workflowId, stage: s.stage, runId: this.run.id, durationMs: s.durationMs, ok: false, attempt: s.attempt });
        return;
      case 'stage_skipped': {
        this.tracker.stageDone(s.stage);
        const warning = skipWarning(s.stage, s.error).message;
        this.skipped += 1;
        this.warnings.push(warning);
        rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'skipped', error: s.error, warning } });
        this.row({ degraded: true });
        this.progress(s.stage, 100);
        return;
      }
      case 'progress':
        this.tracker.stageProgress(s.stage, s.pct);
        this.progress(s.stage, s.pct, s.note);
        return;
      case 'timeout_warning':
        rec.push({ type: 'workflow.timeout_warning', payload: { stage: s.stage, elapsedMs: s.elapsedMs, timeoutMs: s.timeoutMs } });
        return;
      case 'custom':
        rec.push({ type: 'workflow.custom', payload: { stage: s.stage, name: s.name, data: s.data } });
        return;
      case 'decision':
        rec.push({ type: 'workflow.decision_made', payload: { decision: s.record, reused: s.reused } });
        return;
    }
  }

  /** At most one progress event per stage per 1 % or 100 ms. */
  private progress(stage: string, stagePct: number, note?: string): void {
    const now = performance.now();
    const last = this.lastPct.get(stage);
    if (last && stagePct < 100 && stagePct - last.pct < 1 && now - last.at < 100) return;
    this.lastPct.set(stage, { pct: stagePct, at: now });
    const { progressPct, etaMs } = this.tracker.snapshot();
    this.rec.push({ type: 'workflow.progress_updated', payload: { stage, stagePct, progressPct, etaMs, ...(note ? { note } : {}) } });
    this.row({ progress: progressPct, etaMs });
  }
}

export type { SerializedError };
