/**
 * Drives one execution of a run: takes the run (fenced, see `lease.ts` and
 * `store.take`), streams the compiled graph with our checkpointer (`sync` durability
 * unless the run asks for `async`), and records the outcome with its terminal event in one statement.
 *
 * Durability is `sync` unless the run asks for `async` (see `RunDurability`): each
 * superstep's checkpoint is committed (with the step's events, see `graph/record/`)
 * before the next superstep's nodes start, so a kill at any instant redoes at most the
 * tasks in flight, and the log never names a later stage before an earlier one's
 * output is durable.
 *
 * The returned `done` never rejects: whatever happens, the run ends with an outcome,
 * and an error that cannot even be recorded is reported and leaves the run to the
 * recovery sweep.
 */
import { Command, RunControl, isGraphDrained } from '@langchain/langgraph';
import { StagegraphError, serializeError } from '../../nodes/errors.ts';
import type { BuiltWorkflow, CompiledWorkflow } from '../compile.ts';
import type { GraphRuntimeDeps } from '../deps.ts';
import type { EventLog } from '../events/log.ts';
import type { RunEventPayloads } from '../events/types.ts';
import type { RunRecorder } from '../record/recorder.ts';
import type { StepSaver } from '../record/saver.ts';
import type { RunInfo, WorkflowStateValue } from '../state.ts';
import type { ProcessLease } from './lease.ts';
import { ProgressTracker, type DurationHistory } from './progress.ts';
import { SignalTranslator } from './signals.ts';
import type { RunRow, RunStore, Taken, TakeMode } from './store.ts';

export interface RegisteredWorkflow {
  built: BuiltWorkflow;
  graph: CompiledWorkflow;
}

/** Workflows not registered in code (templates), resolved by id and version, in any process. */
export interface WorkflowSource {
  /** Workflow `id` at `version` (its latest when omitted), or undefined when there is none. */
  resolve(id: string, version?: number): Promise<{ version: number; workflow: RegisteredWorkflow } | undefined>;
}

/** Why an execution was asked to stop: `fenced` when this process lost its lease. */
export type StopReason = 'pause' | 'abort' | 'shutdown' | 'fenced';

export interface ActiveRun {
  runId: string;
  controller: AbortController;
  control: RunControl;
  stop?: { reason: StopReason; by?: string };
  /** Settles once the run is taken and has taken its status transition (rejects if it could not). */
  started: Promise<void>;
  /** The outcome; never rejects. */
  done: Promise<RunOutcome>;
  /** The run row as this execution left it. */
  final?: RunRow;
}

/**
 * `stopped`: aborted, still held for the abort's compensation. `fenced`: another
 * execution took the run. `lost`: the outcome could not be recorded; the run is left
 * to the recovery sweep. `not_started`: the run could not be taken.
 */
export type RunOutcome = 'completed' | 'waiting_input' | 'paused' | 'failed' | 'stopped' | 'fenced' | 'lost' | 'not_started';

export interface ExecuteOptions {
  /** How the run is taken: a status action, or `recover` for a run a dead process left `running`. */
  action: TakeMode;
  /** LangGraph input: the request, `null` to continue, or a `Command` answering an interrupt. */
  input: unknown;
  /** Fork from this checkpoint (restore). */
  checkpointId?: string;
  resumed?: RunEventPayloads['workflow.resumed'];
  /**
   * Work done holding the run, after it is taken and before the graph streams (a
   * rollback's compensations, a skip's state update). The `resumed` event is durable
   * before it starts. If it throws, the run fails with that error.
   */
  prepare?: (rec: RunRecorder) => Promise<void>;
  /** Decides the options once the run is held (crash recovery reads the run's trail). Merged over these options. */
  late?: () => Promise<ExecuteOptions>;
  /** Creates the run (already `running`, held by `executor`) instead of taking it. */
  create?: (executor: number) => Promise<Taken>;
}

/**
 * How a run's steps are made durable (LangGraph's `durability`, chosen per run):
 * - `sync` (default): each superstep's record (checkpoint, writes, events, row) is
 *   committed before the next superstep's nodes start. A kill at any instant redoes at
 *   most the tasks in flight.
 * - `async`: the next superstep starts while the record commits. Cheaper per step; a
 *   kill may also redo the tasks of the superstep whose record was still committing.
 * Either way the event log never runs ahead of the checkpoint: a step's events are in
 * its record's statement.
 */
export type RunDurability = 'sync' | 'async';
export const RUN_DURABILITIES: readonly RunDurability[] = ['sync', 'async'];

/** The graph input a run starts with: its request and who, where and with which seed it runs. */
export function startInput(run: Pick<RunRow, 'id' | 'workflowId' | 'owner' | 'request' | 'options'>): { request: unknown; run: RunInfo } {
  return {
    request: run.request,
    run: { id: run.id, workflowId: run.workflowId, owner: run.owner, outRoot: String(run.options.outRoot ?? 'out'), seed: Number(run.options.seed ?? 1) },
  };
}

/** A pause that has not drained within this time aborts in-flight work; the stage reruns on resume. */
export const PAUSE_GRACE_MS = 1000;

/**
 * Whether a run has no checkpoint at all: it was killed before its input checkpoint was
 * durable. (From the input checkpoint on, with or without its writes, LangGraph resumes.)
 */
function nothingStarted(state: { config?: { configurable?: { checkpoint_id?: string } } } | undefined): boolean {
  return !state?.config?.configurable?.checkpoint_id;
}

export class RunExecutor {
  readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly store: RunStore,
    private readonly events: EventLog,
    private readonly saver: StepSaver,
    private readonly workflows: Map<string, RegisteredWorkflow>,
    private readonly deps: GraphRuntimeDeps,
    readonly lease: ProcessLease,
    private readonly history: DurationHistory,
    private readonly onError: (error: unknown, context: string) => void,
    private readonly source?: WorkflowSource,
  ) {}

  /** Tells `onError`; a reporter that throws changes nothing here. */
  private report(error: unknown, context: string): void {
    try {
      this.onError(error, context);
    } catch {
      // the reporter's own failure is not the run's
    }
  }

  /** Whether this process executes or holds the run (another action on it must wait). */
  busy(runId: string): boolean {
    return this.active.has(runId) || this.holding.has(runId);
  }

  /** Whether runs of workflow `id` can execute here. */
  knows(id: string): boolean {
    return this.workflows.has(id);
  }

  workflow(id: string): RegisteredWorkflow {
    const wf = this.workflows.get(id);
    if (!wf) throw new StagegraphError('workflow_not_found', `workflow '${id}' is not registered (registered: ${[...this.workflows.keys()].join(', ') || 'none'})`, { class: 'validation', details: { workflowId: id } });
    return wf;
  }

  /**
   * The workflow `id` a new run starts on: a registered one, or a template at `version`
   * (its latest when omitted), returned with the version the run pins.
   * @throws StagegraphError `workflow_not_found`
   */
  async pin(id: string, version?: number): Promise<{ workflow: RegisteredWorkflow; version?: number }> {
    const coded = this.workflows.get(id);
    if (coded && version === undefined) return { workflow: coded };
    const found = coded ? undefined : await this.source?.resolve(id, version);
    if (!found) {
      const what = version === undefined ? `workflow '${id}' is not registered` : coded ? `workflow '${id}' is registered in code: it has no versions` : `workflow '${id}' has no version ${version}`;
      throw new StagegraphError('workflow_not_found', `${what} (registered: ${[...this.workflows.keys()].join(', ') || 'none'})`, {
        class: 'validation', details: { workflowId: id, ...(version !== undefined ? { version } : {}) },
        hint: 'workflow templates are listed by GET /api/workflows (source: template)',
      });
    }
    return found;
  }

  /** The workflow a run executes: a registered one, or the template version it pinned when it started (`options.templateVersion`). */
  async workflowOf(run: Pick<RunRow, 'workflowId' | 'options'>): Promise<RegisteredWorkflow> {
    const pinned = run.options.templateVersion;
    return this.workflows.get(run.workflowId) ?? (await this.pin(run.workflowId, typeof pinned === 'number' ? pinned : undefined)).workflow;
  }

  /** Whether this process can execute the run (a template it cannot compile here is left to a process that can). */
  canRun(run: Pick<RunRow, 'workflowId' | 'options'>): Promise<boolean> {
    return this.knows(run.workflowId) ? Promise.resolve(true) : this.workflowOf(run).then(() => true, () => false);
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
    if (this.active.has(run.id) || this.holding.has(run.id)) {
      failStart(new StagegraphError('run_locked', `run ${run.id} is already executing in this process`, { class: 'transient', details: { runId: run.id } }));
      active.done = Promise.resolve('not_started');
      return active;
    }
    this.active.set(run.id, active);
    active.done = this.drive(run, options, active, markStarted, failStart)
      .catch((e): RunOutcome => {
        this.report(e, `run ${run.id}: execution`);
        return 'lost';
      })
      .finally(() => {
        if (this.active.get(run.id) === active) this.active.delete(run.id);
        this.events.release(run.id);
      });
    return active;
  }

  /** Stops every execution at once without writing (this process lost its lease). Resolves when they have stopped. */
  fenceAll(): Promise<unknown> {
    const stopping = [...this.active.values()];
    for (const a of stopping) {
      a.stop = { reason: 'fenced' };
      this.events.recorder(a.runId).letGo();
      a.controller.abort(new StagegraphError('run_fenced', 'this process lost its lease', { class: 'fatal' }));
    }
    return Promise.all(stopping.map((a) => a.done));
  }

  private async drive(run: RunRow, options: ExecuteOptions, active: ActiveRun, started: () => void, failStart: (e: unknown) => void): Promise<RunOutcome> {
    let taken: Taken;
    try {
      const me = await this.lease.key();
      taken = options.create ? await options.create(me) : await this.store.take(run.id, options.action, me);
    } catch (e) {
      failStart(e);
      return 'not_started';
    }
    if (options.checkpointId !== undefined) {
      // The checkpoint may have been collected (`gc`) between the caller's check and the take.
      const missing = await this.saver.getTuple({ configurable: { thread_id: run.id, checkpoint_id: options.checkpointId } }).then(
        (tuple) => (tuple ? undefined : new StagegraphError('checkpoint_not_found', `run ${run.id} has no checkpoint ${options.checkpointId}`, { class: 'validation', details: { runId: run.id, checkpointId: options.checkpointId } })),
        (e: unknown) => e,
      );
      if (missing !== undefined) {
        // Give the run back as it was.
        await this.store.untake(run, taken.holding.fence).catch((e) => this.report(e, `run ${run.id}: giving it back`));
        failStart(missing);
        return 'not_started';
      }
    }
    const rec = this.events.recorder(run.id);
    rec.hold(taken.holding);
    this.events.bus.publish(taken.events);
    let outcome: RunOutcome = 'lost';
    try {
      try {
        if (options.late) options = { ...options, ...(await options.late()), late: undefined };
      } catch (e) {
        started();
        return (outcome = await this.finish(active, rec, () => this.failWith(rec, e, undefined, active)));
      }
      started();
      return (outcome = await this.stream({ ...run, ...taken.row }, options, active, rec));
    } catch (e) {
      // Not even the outcome could be recorded: the run stays running under this process's
      // key, not executing, and the recovery sweep takes it again.
      this.report(e, `run ${run.id}: execution`);
      return 'lost';
    } finally {
      // A stopped (aborted) run is handed over to its abort with what it holds; anything
      // else this execution left unwritten is dropped.
      if (outcome !== 'stopped') rec.reset();
    }
  }

  /** Runs held here outside an execution (an abort's compensation), and stopped executions' holds waiting for their abort. */
  private readonly holding = new Set<string>();
  private readonly handedOver = new Set<string>();

  /**
   * Runs `fn` holding the run (fenced against every process and against other actions
   * of this one); `inherit` continues with the hold a stopped execution handed over
   * (an abort after its execution stopped), once.
   * @throws StagegraphError `run_locked` if the run executes or is held (here or by a live process).
   */
  async exclusive<T>(runId: string, fn: (rec: RunRecorder) => Promise<T>, options: { inherit?: boolean } = {}): Promise<T> {
    if (this.active.has(runId) || this.holding.has(runId)) {
      throw new StagegraphError('run_locked', `run ${runId} is busy in this process`, { class: 'transient', details: { runId } });
    }
    this.holding.add(runId);
    const rec = this.events.recorder(runId);
    try {
      const inherited = options.inherit === true && this.handedOver.delete(runId) && rec.fence !== undefined;
      if (!inherited) {
        const taken = await this.store.take(runId, 'hold', await this.lease.key());
        rec.hold(taken.holding);
      }
      return await fn(rec);
    } finally {
      this.holding.delete(runId);
      const fence = rec.fence;
      rec.letGo();
      this.events.release(runId);
      if (fence !== undefined) await this.store.release(runId, fence).catch((e) => this.report(e, `run ${runId}: release`));
    }
  }

  private async stream(run: RunRow, options: ExecuteOptions, active: ActiveRun, rec: RunRecorder): Promise<RunOutcome> {
    let workflow: RegisteredWorkflow;
    try {
      workflow = await this.workflowOf(run);
    } catch (e) {
      // A template version gone or no longer compiling here: the run fails, saying why.
      return this.finish(active, rec, () => this.failWith(rec, e, undefined, active));
    }
    const { built, graph } = workflow;
    const threadConfig = { configurable: { thread_id: run.id } };
    const from = options.checkpointId ? { configurable: { thread_id: run.id, checkpoint_id: options.checkpointId } } : threadConfig;
    let before = options.input === null || options.input instanceof Command ? await graph.getState(from) : undefined;
    if (options.input === null && !options.checkpointId && nothingStarted(before)) {
      // Killed before its input checkpoint was durable: it starts again from its request.
      options = { ...options, input: startInput(run) };
      before = undefined;
    }
    const tracker = new ProgressTracker(await this.history.estimates(built.plan), (before?.values as WorkflowStateValue | undefined)?.completed ?? []);
    if (options.resumed) rec.push({ type: 'workflow.resumed', payload: options.resumed });
    // A crash takeover is durable before anything runs: a run that kills whatever executes
    // it is counted each time, and dead-lettered after `deadLetterAfter` (runs/service.ts).
    if (options.resumed?.from === 'crash') await rec.flush();
    const detach = this.saver.attach(rec);
    try {
      if (options.prepare) {
        try {
          await rec.flush();
          await options.prepare(rec);
          // A recovery action may have written state (e.g. a skip): read what the run continues from.
          before = await graph.getState(threadConfig);
        } catch (e) {
          return await this.finish(active, rec, () => this.failWith(rec, e, undefined, active));
        }
      }
      const t0 = performance.now();
      const translate = new SignalTranslator(rec, tracker, run.id, built.id, this.history);
      const context: { stagegraph: GraphRuntimeDeps } = {
        stagegraph: {
          ...this.deps,
          branch: options.checkpointId ?? (run.options.branch as string | undefined) ?? '',
          seed: Number(run.options.seed ?? this.deps.seed ?? 1),
          fence: rec.fence,
          // A stage cut short by a pause, an abort or a shutdown did not fail: its error is not logged.
          signals: (task, s) => (s.sg === 'stage_failed' && active.stop ? undefined : translate.handle(task, s)),
        },
      };
      const config = {
        configurable: { thread_id: run.id, ...(options.checkpointId ? { checkpoint_id: options.checkpointId } : {}) },
        streamMode: 'updates' as const,
        durability: run.options.durability === 'async' ? ('async' as const) : ('sync' as const),
        signal: active.controller.signal,
        control: active.control,
        context,
        recursionLimit: 10_000,
      };
      let waiting: { value?: unknown }[] = [];
      try {
        // Interrupts arrive as `__interrupt__` updates: no extra state read at the end of a run.
        for await (const chunk of (await graph.stream(options.input, config)) as AsyncIterable<Record<string, unknown>>) {
          if (chunk && typeof chunk === 'object' && '__interrupt__' in chunk) waiting = [...waiting, ...(chunk.__interrupt__ as { value?: unknown }[])];
        }
      } catch (e) {
        await this.saver.settle(rec);
        return await this.finish(active, rec, () => this.stopped(e, active, rec, graph, threadConfig, translate.lastFailedStage));
      }
      // Writes held for a put that did not come (none under sync durability) are written first.
      await this.saver.settle(rec);
      if (waiting.length > 0) {
        const question = waiting[0]!.value;
        const stage = (question as { stage?: unknown } | null)?.stage;
        const paused = { type: 'workflow.paused' as const, payload: { reason: 'input' as const, next: typeof stage === 'string' ? [stage] : [], question } };
        return await this.finish(active, rec, async () => ((active.final = await rec.transition('wait', { question }, paused, true)), 'waiting_input'));
      }
      const values = (before?.values ?? {}) as Partial<WorkflowStateValue>;
      const warnings = [...(values.warnings ?? []).map((w) => w.message), ...translate.warnings];
      const degraded = (values.skipped?.length ?? 0) > 0 || translate.skipped > 0;
      const completed = { type: 'workflow.completed' as const, payload: { degraded, warnings, durationMs: Math.round(performance.now() - t0) } };
      return await this.finish(active, rec, async () => ((active.final = await rec.transition('complete', degraded ? { degraded } : {}, completed, true)), 'completed'));
    } finally {
      detach();
    }
  }

  /** The graph stopped with `e`: drained (pause, shutdown), aborted, fenced or failed. */
  private async stopped(e: unknown, active: ActiveRun, rec: RunRecorder, graph: CompiledWorkflow, threadConfig: object, failedStage?: string): Promise<RunOutcome> {
    const stop = active.stop;
    if (stop?.reason === 'fenced' || (e instanceof StagegraphError && e.code === 'run_fenced')) {
      rec.letGo();
      return 'fenced';
    }
    if (stop?.reason === 'abort') {
      // Held for the abort's compensation (`exclusive` with `inherit`).
      this.handedOver.add(active.runId);
      return 'stopped';
    }
    if (isGraphDrained(e) || (stop && active.controller.signal.aborted)) {
      const next = (await graph.getState(threadConfig)).next as string[];
      const paused = { type: 'workflow.paused' as const, payload: { reason: stop?.reason === 'shutdown' ? ('shutdown' as const) : ('pause' as const), by: stop?.by, next } };
      active.final = await rec.transition('drain', {}, paused, true);
      return 'paused';
    }
    return this.failWith(rec, e, failedStage, active);
  }

  private async failWith(rec: RunRecorder, e: unknown, stage?: string, active?: ActiveRun): Promise<RunOutcome> {
    const error = serializeError(e);
    const at = stage ?? (typeof error.details.stage === 'string' ? error.details.stage : undefined);
    const final = await rec.transition('fail', { error }, { type: 'workflow.failed', payload: { error, ...(at ? { stage: at } : {}) } }, true);
    if (active) active.final = final;
    return 'failed';
  }

  /** Records the outcome; if even that fails, the run is left to the recovery sweep and the error reported. */
  private async finish(active: ActiveRun, rec: RunRecorder, record: () => Promise<RunOutcome>): Promise<RunOutcome> {
    try {
      return await record();
    } catch (e) {
      if (e instanceof StagegraphError && e.code === 'run_fenced') {
        rec.letGo();
        return 'fenced';
      }
      this.report(e, `run ${active.runId}: recording the outcome`);
      rec.letGo();
      return 'lost';
    }
  }
}
