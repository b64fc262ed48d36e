/**
 * The runs API: start, get, list, pause, resume, answer, abort, checkpoints, restore,
 * crash recovery and drain on shutdown. Every action goes through the status
 * transition table; execution is the executor's.
 */
import { randomUUID } from 'node:crypto';
import { Command } from '@langchain/langgraph';
import { StagegraphError, serializeError } from '../../nodes/errors.ts';
import type { StageContext } from '../../nodes/types.ts';
import type { EventLog } from '../events/log.ts';
import type { RunEvent } from '../events/types.ts';
import type { WorkflowStateValue } from '../state.ts';
import { PAUSE_GRACE_MS, type ActiveRun, type RunExecutor, type RunOutcome } from './executor.ts';
import { assertTransition, TERMINAL } from './status.ts';
import type { ListRunsQuery, RunRow, RunStore } from './store.ts';
import { toCheckpoint, toRunView, type CheckpointInfo, type RunView } from './view.ts';

export interface StartRunInput {
  workflowId: string;
  request: unknown;
  /** @default "local" */
  owner?: string;
  /** `seed` for deterministic stages; `outRoot` for artifacts. @default { seed: 1, outRoot: "out" } */
  options?: { seed?: number; outRoot?: string; [key: string]: unknown };
}

export class Runs {
  constructor(
    private readonly store: RunStore,
    readonly events: EventLog,
    private readonly executor: RunExecutor,
  ) {}

  /** Creates the run (thread id = run id) and starts it in the background. */
  async start(input: StartRunInput): Promise<RunRow> {
    const wf = this.executor.workflow(input.workflowId);
    const owner = input.owner ?? 'local';
    const row = await this.store.insert({ id: randomUUID(), workflowId: wf.built.id, owner, request: input.request, options: input.options ?? {} });
    this.events.recorder(row.id).push({ type: 'workflow.started', payload: { workflowId: row.workflowId, request: input.request, owner } });
    const run = { id: row.id, workflowId: row.workflowId, owner, outRoot: String(input.options?.outRoot ?? 'out'), seed: Number(input.options?.seed ?? 1) };
    await this.executor.execute(row, { action: 'start', input: { request: input.request, run } }).started;
    return { ...row, status: 'running' };
  }

  async get(id: string, owner?: string): Promise<RunView> {
    const row = await this.store.require(id, owner);
    const { graph } = this.executor.workflow(row.workflowId);
    const state = await graph.getState({ configurable: { thread_id: id } });
    return toRunView(row, state, this.executor.workflow(row.workflowId).built.plan);
  }

  list(q: ListRunsQuery = {}): Promise<RunRow[]> {
    return this.store.list(q);
  }

  eventsSince(id: string, since = 0): Promise<RunEvent[]> {
    return this.events.since(id, since);
  }

  /** Resolves with the run once it is no longer executing in this process. */
  async wait(id: string): Promise<RunRow> {
    await this.executor.active.get(id)?.done;
    return this.store.require(id);
  }

  /** Stops at the next superstep with a checkpoint (LangGraph drain); in-flight work is aborted after a grace period. */
  async pause(id: string, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'pause');
    const active = this.executor.active.get(id);
    if (!active) return this.store.transition(id, 'pause');
    await this.stop(active, 'pause', by);
    return this.store.require(id);
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
    await this.executor.execute(row, { action: 'resume', input: null, resumed: { from: 'paused', by } }).started;
    return { ...row, status: 'running' };
  }

  /** Answers a `waiting_input` run: `answer` is merged into the asking stage's input. */
  async answer(id: string, answer: unknown, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'answer');
    await this.executor.execute(row, { action: 'answer', input: new Command({ resume: answer }), resumed: { from: 'waiting_input', by } }).started;
    return { ...row, status: 'running', question: null };
  }

  /** Aborts in-flight work at once, then compensates completed stages in reverse order. */
  async abort(id: string, reason = 'aborted by request', by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'abort');
    const active = this.executor.active.get(id);
    if (active) {
      active.stop = { reason: 'abort', by };
      active.controller.abort(new StagegraphError('run_aborted', reason, { class: 'fatal' }));
      await active.done;
    }
    const compensated = await this.compensate(row);
    this.events.recorder(id).push({ type: 'workflow.aborted', payload: { reason, by, compensated } });
    await this.events.recorder(id).flush();
    return this.store.transition(id, 'abort');
  }

  /** Runs `compensate()` of completed stages, newest first, once each (recorded as events). */
  private async compensate(row: RunRow): Promise<string[]> {
    const { built, graph } = this.executor.workflow(row.workflowId);
    const state = await graph.getState({ configurable: { thread_id: row.id } });
    const values = (state.values ?? {}) as Partial<WorkflowStateValue>;
    const done = new Set(
      (await this.events.since(row.id)).filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'compensated').map((e) => (e.payload as { stage: string }).stage),
    );
    const rec = this.events.recorder(row.id);
    const compensated: string[] = [];
    for (const stage of [...new Set([...(values.completed ?? [])].reverse())]) {
      const plugin = built.plan.stages.get(stage);
      if (!plugin?.compensate || done.has(stage)) continue;
      const ctx: StageContext = {
        runId: row.id, stage, attempt: 1, signal: new AbortController().signal, seed: 1,
        progress: () => undefined, emit: () => undefined,
        log: { debug() {}, info() {}, warn() {}, error() {} },
      };
      try {
        await plugin.compensate(values.outputs?.[stage], ctx);
        rec.push({ type: 'workflow.stage_changed', payload: { stage, change: 'compensated' } });
        compensated.push(stage);
      } catch (e) {
        rec.push({ type: 'workflow.stage_changed', payload: { stage, change: 'compensation_failed', error: serializeError(e) } });
      }
      await rec.flush();
    }
    return compensated;
  }

  async checkpoints(id: string, owner?: string): Promise<CheckpointInfo[]> {
    const row = await this.store.require(id, owner);
    const { graph } = this.executor.workflow(row.workflowId);
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
    await this.executor.execute(row, { action: 'restore', input: null, checkpointId, resumed: { from: 'restore', checkpointId, by } }).started;
    return { ...row, status: 'running' };
  }

  /** Resumes runs left `running` by a dead process (their lock is free) from their last checkpoint. */
  async recover(): Promise<string[]> {
    const resumed: string[] = [];
    for (const row of await this.store.withStatus('running')) {
      if (this.executor.active.has(row.id)) continue;
      const active = this.executor.execute(row, { action: 'recover', input: null, resumed: { from: 'crash' } });
      if (await active.started.then(() => true, () => false)) resumed.push(row.id);
    }
    // Runs drained by a shutdown continue on the next start.
    for (const row of await this.store.drained()) {
      if (this.executor.active.has(row.id)) continue;
      const active = this.executor.execute(row, { action: 'resume', input: null, resumed: { from: 'paused', by: 'restart' } });
      if (await active.started.then(() => true, () => false)) resumed.push(row.id);
    }
    return resumed;
  }

  /** Drains every executing run (SIGTERM): each stops at a checkpoint and is `paused` until resumed. */
  async drain(): Promise<void> {
    await Promise.all([...this.executor.active.values()].map((a) => this.stop(a, 'shutdown').catch(() => undefined)));
  }

  isTerminal(row: RunRow): boolean {
    return TERMINAL.has(row.status);
  }
}
