/**
 * The runs API: start, get, list, pause, resume, answer, abort, checkpoints, restore,
 * recovery actions and partial packages (`graph/recovery/`), crash recovery and drain
 * on shutdown. Every action goes through the status transition table; execution is
 * the executor's.
 */
import { randomUUID } from 'node:crypto';
import type { StageRuntimeDeps } from '../../nodes/deps.ts';
import { serializeError, StagegraphError } from '../../nodes/errors.ts';
import type { EventLog } from '../events/log.ts';
import type { RunEvent } from '../events/types.ts';
import { Recovery, type RecoveryRequest } from '../recovery/recovery.ts';
import { writePartialPackage, type PartialPackage } from '../recovery/partial.ts';
import { Saga, type CompensationPolicy } from '../recovery/saga.ts';
import { assertStorable } from '../store/storable.ts';
import { PAUSE_GRACE_MS, RUN_DURABILITIES, startInput, type ActiveRun, type RegisteredWorkflow, type RunDurability, type RunExecutor, type RunOutcome } from './executor.ts';
import { ProcessLease, type ControlMessage } from './lease.ts';
import { assertTransition, TERMINAL_STATUSES } from './status.ts';
import type { ListRunsQuery, RunRow, RunStore } from './store.ts';
import type pg from 'pg';
import { toCheckpoint, toRunView, type CheckpointInfo, type RunView } from './view.ts';
import { dispatchOf } from '../queue/dispatch.ts';
import { executeOptions, INTENT_FROM, type RunIntent } from '../queue/intent.ts';
import type { RunQueue } from '../queue/queue.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StartRunInput {
  /** The run's id (its LangGraph thread id): a UUID not used before. @default a new random UUID */
  id?: string;
  workflowId: string;
  request: unknown;
  /** @default "local" */
  owner?: string;
  /**
   * `seed` for deterministic stages; `outRoot` for artifacts; `durability` of the run's
   * steps (see `RunDurability`); `templateVersion`: the version of a template workflow
   * to run (its latest when omitted), kept in the run's options so that it runs that
   * version to the end.
   * @default { seed: 1, outRoot: "out", durability: "sync" }
   */
  options?: { seed?: number; outRoot?: string; durability?: RunDurability; templateVersion?: number; [key: string]: unknown };
}

export interface RunsOptions {
  /** What `compensate()` of a plugin gets in its context (log, seed, breakers). */
  deps?: StageRuntimeDeps;
  /** Retries of a failing compensation. @default { attempts: 3, backoffMs: 100 } */
  compensation?: CompensationPolicy;
  /** Start runs through the queue (workers execute them) instead of in this process. */
  queue?: RunQueue;
  /**
   * A run left running by dead processes this many times in a row, without completing a
   * stage in between, is not taken over again: it fails with `run_dead_lettered` (a run
   * that kills whatever executes it would otherwise take the whole fleet down in turn).
   * @default 5
   */
  deadLetterAfter?: number;
}

export class Runs {
  private readonly recovery: Recovery;
  private readonly queue?: RunQueue;
  private readonly deadLetterAfter: number;

  constructor(
    private readonly store: RunStore,
    readonly events: EventLog,
    private readonly executor: RunExecutor,
    private readonly pool: pg.Pool,
    options: RunsOptions = {},
  ) {
    this.queue = options.queue;
    this.deadLetterAfter = options.deadLetterAfter ?? 5;
    this.recovery = new Recovery(store, events, executor, new Saga(store, events, options.deps ?? {}, options.compensation), pool);
  }

  /** Creates the run (thread id = run id) and starts it in the background. */
  async start(input: StartRunInput): Promise<RunRow> {
    const asked = input.options?.templateVersion;
    if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1)) {
      throw new StagegraphError('invalid_input', `options.templateVersion must be a version number (1, 2, ...), got ${JSON.stringify(asked)}`, { class: 'validation', details: { field: 'options.templateVersion' } });
    }
    const { workflow: wf, version } = await this.executor.pin(input.workflowId, asked);
    // A template run pins the version it starts on, whichever process executes it later.
    if (version !== undefined) input = { ...input, options: { ...input.options, templateVersion: version } };
    // A template's queue is created on its first run through the queue.
    if (version !== undefined) await this.queue?.ensure([wf.built.id]);
    assertStorable(input.request, 'request');
    assertStorable(input.options ?? {}, 'options');
    if (input.owner !== undefined) assertStorable(input.owner, 'owner');
    const durability = input.options?.durability;
    if (durability !== undefined && !RUN_DURABILITIES.includes(durability)) {
      throw new StagegraphError('invalid_input', `options.durability must be one of ${RUN_DURABILITIES.join(', ')}, got ${JSON.stringify(durability)}`, {
        class: 'validation', details: { field: 'options.durability', allowed: RUN_DURABILITIES },
      });
    }
    const owner = input.owner ?? 'local';
    if (input.id !== undefined && !UUID.test(input.id)) {
      throw new StagegraphError('invalid_input', `id must be a UUID, got ${JSON.stringify(input.id)}`, { class: 'validation', details: { field: 'id' } });
    }
    const fields = { id: input.id ?? randomUUID(), workflowId: wf.built.id, owner, request: input.request, options: input.options ?? {} };
    const dispatch = dispatchOf(fields.options);
    if (!this.queue && dispatch.startAfter) {
      throw new StagegraphError('queue_required', 'options.startAfter schedules a run through the queue, and this stagegraph executes runs in-process', {
        class: 'validation',
        details: { field: 'options.startAfter' },
        hint: 'serve with --workers <n> (or run stagegraph worker processes) to use the queue',
      });
    }
    if (this.queue) {
      // Inserted `queued` with its started event and its job, in one transaction; a worker takes it.
      const started = { type: 'workflow.started', payload: { workflowId: fields.workflowId, request: input.request, owner } } as const;
      const at = new Date();
      const row = await this.queue.enqueue(fields, dispatch, started, at);
      this.events.bus.publish([{ ...started, runId: row.id, seq: 1, at: at.toISOString() }]);
      return row;
    }
    let row: RunRow | undefined;
    // Inserted `running`, held by this process, with its started event: one statement.
    const create = async (executor: number) => {
      const taken = await this.store.insertRunning(fields, executor, { type: 'workflow.started', payload: { workflowId: fields.workflowId, request: input.request, owner } });
      row = taken.row;
      return taken;
    };
    const stub = { ...fields, status: 'queued' } as RunRow;
    await this.executor.execute(stub, { action: 'start', input: startInput(fields), create }).started;
    return row!;
  }

  /** How many runs execute in this process now. */
  executing(): number {
    return this.executor.active.size;
  }

  /** This process's executor key (its lease), as `sg_runs.executor` shows it. */
  executorKey(): Promise<number> {
    return this.executor.lease.key();
  }

  async get(id: string, owner?: string): Promise<RunView> {
    const row = await this.store.require(id, owner);
    const { graph, built } = await this.executor.workflowOf(row);
    const state = await graph.getState({ configurable: { thread_id: id } });
    return toRunView(row, state, built.plan);
  }

  /** The workflow a run executes: a registered one, or the template version it started on. */
  workflowOf(row: Pick<RunRow, 'workflowId' | 'options'>): Promise<RegisteredWorkflow> {
    return this.executor.workflowOf(row);
  }

  list(q: ListRunsQuery = {}): Promise<RunRow[]> {
    return this.store.list(q);
  }

  eventsSince(id: string, since = 0): Promise<RunEvent[]> {
    return this.events.since(id, since);
  }

  /** Resolves with the run once it is no longer executing in this process. */
  async wait(id: string): Promise<RunRow> {
    const active = this.executor.active.get(id);
    if (active) {
      await active.done;
      if (active.final) return active.final;
    }
    return this.store.require(id);
  }

  /** Stops at the next superstep with a checkpoint (LangGraph drain); in-flight work is aborted after a grace period. */
  async pause(id: string, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'pause');
    const active = this.executor.active.get(id);
    if (active) {
      await this.stop(active, 'pause', by);
      return this.store.require(id);
    }
    if (this.executor.busy(id)) throw new StagegraphError('run_locked', `run ${id} is busy in this process (an abort or recovery holds it)`, { class: 'transient', details: { runId: id } });
    const me = await this.executor.lease.key();
    if (await this.store.executingElsewhere(id, me)) {
      await ProcessLease.send(this.pool, { runId: id, action: 'pause', by });
      return this.store.waitUntil(id, (r) => r.status !== 'running' || r.executor === null, PAUSE_GRACE_MS + 10_000, 'act');
    }
    // Nobody executes it (queued, or left running by a dead process): pause it here.
    const taken = await this.store.take(id, 'pause', me, { event: { type: 'workflow.paused', payload: { reason: 'pause', by, next: [] } }, release: true });
    this.events.bus.publish(taken.events);
    return taken.row;
  }

  /** A pause or abort another process asked of a run executing here. */
  async control(m: ControlMessage): Promise<void> {
    if (!this.executor.active.has(m.runId)) return;
    if (m.action === 'pause') await this.pause(m.runId, m.by);
    else await this.abort(m.runId, m.reason, m.by);
  }

  private async stop(active: ActiveRun, reason: 'pause' | 'shutdown', by?: string): Promise<RunOutcome> {
    active.stop = { reason, by };
    active.control.requestDrain(reason);
    const grace = setTimeout(() => active.controller.abort(new StagegraphError('run_paused', 'paused', { class: 'transient' })), PAUSE_GRACE_MS);
    try {
      return await active.done;
    } finally {
      clearTimeout(grace);
    }
  }

  async resume(id: string, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'resume');
    return this.carryOut(row, { action: 'resume', resumed: { from: 'paused', by } });
  }

  /** Answers a `waiting_input` run: `answer` is merged into the asking stage's input. */
  async answer(id: string, answer: unknown, by?: string, owner?: string): Promise<RunRow> {
    assertStorable(answer, 'answer');
    assertStorable(by ?? '', 'by');
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'answer');
    return this.carryOut(row, { action: 'answer', answer, resumed: { from: 'waiting_input', by } });
  }

  /**
   * Aborts in-flight work at once, moves the run to `aborted`, then compensates
   * completed stages in reverse order (once each) and logs `workflow.aborted`.
   */
  async abort(id: string, reason = 'aborted by request', by?: string, owner?: string): Promise<RunRow> {
    assertStorable({ reason, by: by ?? '' }, 'abort');
    return this.recovery.abort(id, reason, by, owner);
  }

  /**
   * Without arguments: resumes the runs a dead process left behind (see `recoverOrphans`).
   * With a run and a request: a recovery action (`retry`, `skip`, `provide_input`,
   * `rollback`, `abort`), valid only in the statuses the transition table allows.
   * @throws StagegraphError `invalid_transition`, `skip_not_allowed`, `input_required`, `checkpoint_not_found`, `stage_not_reached`
   */
  recover(): Promise<string[]>;
  recover(id: string, request: RecoveryRequest, owner?: string): Promise<RunRow>;
  recover(id?: string, request?: RecoveryRequest, owner?: string): Promise<string[] | RunRow> {
    if (id === undefined) return this.recoverOrphans();
    if (!request) throw new TypeError('runs.recover(id, request): request is required');
    try {
      assertStorable(request, 'request');
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.queue && (request.action === 'retry' || request.action === 'provide_input')) return this.requeueRecovery(id, request, owner);
    return this.recovery.act(id, request, owner);
  }

  /** Queue mode: a retry or an answer given as a recovery action is queued for a worker. */
  private async requeueRecovery(id: string, request: RecoveryRequest, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    const { by, reason } = request;
    if (request.action === 'retry') {
      assertTransition(id, row.status, 'retry');
      return this.requeue(row, { action: 'retry', resumed: { from: 'failed', action: 'retry', by, reason } });
    }
    assertTransition(id, row.status, 'answer', 'provide_input');
    if (request.input === undefined) {
      throw new StagegraphError('input_required', `provide_input on run ${id} needs 'input': the answer to the run's question`, { class: 'validation', details: { runId: id, question: row.question } });
    }
    return this.requeue(row, { action: 'answer', answer: request.input, resumed: { from: 'waiting_input', action: 'provide_input', by, reason } });
  }

  /**
   * Carries out a resume, answer or restore: here (the run taken by this process), or,
   * with the queue, by queueing it for a worker. One description of each action either way.
   */
  private async carryOut(row: RunRow, intent: RunIntent): Promise<RunRow> {
    if (this.queue) return this.requeue(row, intent);
    await this.executor.execute(row, executeOptions(row, intent)).started;
    return intent.action === 'answer' ? { ...row, status: 'running', question: null } : { ...row, status: 'running' };
  }

  /**
   * Queues the run again for a worker with what to do. A run that changed meanwhile is
   * refused as its new status says; one a live process holds, with `run_locked`.
   */
  private async requeue(row: RunRow, intent: RunIntent): Promise<RunRow> {
    const queued = await this.queue!.requeue(row, INTENT_FROM[intent.action], intent);
    if (queued) return queued;
    const now = await this.store.require(row.id);
    if (!INTENT_FROM[intent.action].includes(now.status)) assertTransition(row.id, now.status, intent.action === 'answer' ? 'answer' : intent.action);
    throw new StagegraphError('run_locked', `run ${row.id} is held by a live process`, { class: 'transient', details: { runId: row.id } });
  }

  /**
   * Writes `<outRoot>/<runId>/partial.json` (outRoot from the run's options, default
   * `out`): completed stages with outputs, missing stages with why, warnings and
   * decisions. Meant for failed and aborted runs; any state is allowed.
   */
  async partialPackage(id: string, owner?: string): Promise<PartialPackage & { path: string }> {
    const row = await this.store.require(id, owner);
    const pkg = await this.recovery.partial(row);
    const path = await writePartialPackage(String(row.options.outRoot ?? 'out'), pkg);
    return { ...pkg, path };
  }

  async checkpoints(id: string, owner?: string): Promise<CheckpointInfo[]> {
    const row = await this.store.require(id, owner);
    const { graph } = await this.executor.workflowOf(row);
    const list: CheckpointInfo[] = [];
    for await (const snap of graph.getStateHistory({ configurable: { thread_id: id } })) list.push(toCheckpoint(snap));
    return list;
  }

  /** Forks the run from one of its checkpoints and continues from there. */
  async restore(id: string, checkpointId: string, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'restore');
    const known = (await this.checkpoints(id)).some((c) => c.checkpointId === checkpointId);
    if (!known) {
      throw new StagegraphError('checkpoint_not_found', `run ${id} has no checkpoint ${checkpointId}`, { class: 'validation', details: { runId: id, checkpointId } });
    }
    return this.carryOut(row, { action: 'restore', checkpointId, resumed: { from: 'restore', checkpointId, by } });
  }

  /**
   * Takes over what dead processes left behind: runs left `running` (their lock is
   * free) resume from their last checkpoint, finishing a rollback or skip that was
   * under way; runs drained by a shutdown continue; aborts whose compensation was cut
   * short are finished. Returns the ids of the runs taken over.
   */
  async recoverOrphans(): Promise<string[]> {
    const resumed: string[] = [];
    const me = await this.executor.lease.key();
    for (const row of await this.store.orphans(me, [...this.executor.active.keys()])) {
      // A run of a workflow this process does not have is left to a process that has it.
      if (this.executor.busy(row.id) || !(await this.executor.canRun(row))) continue;
      const loops = await this.store.crashLoops(row.id);
      if (loops >= this.deadLetterAfter) {
        await this.deadLetter(row, me, loops).catch(() => undefined); // another process may have acted on it first
        continue;
      }
      const active = this.executor.execute(row, { action: 'recover', input: null, late: () => this.recovery.crashOptions(row) });
      if (await active.started.then(() => true, () => false)) resumed.push(row.id);
    }
    // Runs drained by a shutdown continue on the next start.
    for (const row of await this.store.drained()) {
      if (this.executor.busy(row.id) || !(await this.executor.canRun(row))) continue;
      const active = this.executor.execute(row, { action: 'resume', input: null, resumed: { from: 'paused', by: 'restart' } });
      if (await active.started.then(() => true, () => false)) resumed.push(row.id);
    }
    resumed.push(...(await this.recovery.finishAborts()));
    return resumed;
  }

  /** Fails a run that keeps killing its executors, instead of taking it over once more. */
  private async deadLetter(row: RunRow, me: number, loops: number): Promise<void> {
    const error = serializeError(new StagegraphError('run_dead_lettered',
      `run ${row.id} was left running by a dead process ${loops} times in a row without completing a stage: it is not taken over again`, {
        class: 'fatal',
        details: { runId: row.id, takeovers: loops, stage: row.currentStage ?? undefined },
        hint: `find what kills the process in its stage in flight (${row.currentStage ?? 'see its events'}); once fixed, retry it: POST /api/agent/${row.id}/recover {"action":"retry"}`,
      }));
    const taken = await this.store.take(row.id, 'fail', me, { event: { type: 'workflow.failed', payload: { error, ...(row.currentStage ? { stage: row.currentStage } : {}) } }, error, release: true });
    this.events.bus.publish(taken.events);
  }

  /** Drains every executing run (SIGTERM): each stops at a checkpoint and is `paused` until resumed. */
  async drain(): Promise<void> {
    await Promise.all([...this.executor.active.values()].map((a) => this.stop(a, 'shutdown').catch(() => undefined)));
  }

  isTerminal(row: RunRow): boolean {
    return TERMINAL_STATUSES.has(row.status);
  }
}
