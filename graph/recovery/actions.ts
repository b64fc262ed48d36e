/**
 * Recovery actions on a run (`runs.recover(id, { action, by, reason })`): retry the
 * failed stage, skip it (optional stages only), provide the input a stage asked for,
 * roll back to the last stable checkpoint compensating what completed after it, or
 * abort compensating everything. Each is valid only in the statuses the transition
 * table allows and is logged with who asked and why.
 *
 * An abort moves the run to `aborted` first and logs `workflow.aborted` only once
 * compensation is over; a rollback logs its `workflow.resumed` before compensating.
 * A process that dies in between leaves a trail that `crashOptions()` and
 * `finishAbort()` complete on the next start.
 */
import { Command } from '@langchain/langgraph';
import { StagegraphError, type SerializedError } from '../../nodes/errors.ts';
import { normalizePolicy } from '../../nodes/policy.ts';
import { skipWarning } from '../../nodes/stage.ts';
import type { EventLog, RunRecorder } from '../events/log.ts';
import type { RecoveryAction, RunEventPayloads } from '../events/types.ts';
import type { ExecuteOptions, RunExecutor } from '../runs/executor.ts';
import { ProcessLease } from '../runs/lease.ts';
import type pg from 'pg';
import { assertTransition } from '../runs/status.ts';
import type { RunRow, RunStore } from '../runs/store.ts';
import type { WorkflowStateUpdate, WorkflowStateValue } from '../state.ts';
import { before, completionsOf, lineOf, type Completion } from './line.ts';
import { partialPackage, type PartialPackage } from './partial.ts';
import type { Saga } from './saga.ts';

/**
 * @example { action: 'rollback', by: 'ana', reason: 'wrong material table', stage: 'decide-materials' }
 */
export interface RecoveryRequest {
  action: RecoveryAction;
  /** Who asks: logged with the action. */
  by: string;
  /** Why: logged with the action. */
  reason: string;
  /** `provide_input`: the answer, a patch merged into the asking stage's input. */
  input?: unknown;
  /**
   * `rollback`: the checkpoint to go back to, one on the run's current line.
   * @default the last stable checkpoint before the failing (or next) stage
   */
  checkpointId?: string;
  /** `rollback`: go back to before the latest run of this stage. */
  stage?: string;
}

const thread = (id: string) => ({ configurable: { thread_id: id } });

/** What an abort records in the run's `error` until and after its compensation. */
function abortRecord(reason: string, by: string | undefined, compensation: 'pending' | 'done' | 'failed'): SerializedError {
  return { code: 'run_aborted', class: 'fatal', message: reason, details: { ...(by !== undefined ? { by } : {}), compensation } };
}

export class Recovery {
  constructor(
    private readonly store: RunStore,
    private readonly events: EventLog,
    private readonly executor: RunExecutor,
    private readonly saga: Saga,
    private readonly pool: pg.Pool,
  ) {}

  /**
   * An abort of a run left `aborted` with its compensation pending or failed finishes
   * that compensation.
   * @throws StagegraphError `invalid_transition`, `skip_not_allowed`, `input_required`, `checkpoint_not_found`, `stage_not_reached`, `invalid_recovery_action`, `run_locked`
   */
  async act(id: string, req: RecoveryRequest, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    const { action, by, reason } = req;
    switch (action) {
      case 'abort':
        if (row.status === 'aborted' && ['pending', 'failed'].includes(String(row.error?.details?.compensation))) {
          return this.executor.exclusive(id, (rec) => this.finishAbort(row, rec));
        }
        return this.abort(id, reason, by, owner);
      case 'provide_input': {
        assertTransition(id, row.status, 'answer', action);
        if (req.input === undefined) {
          throw new StagegraphError('input_required', `provide_input on run ${id} needs 'input': the answer to the run's question`, { class: 'validation', details: { runId: id, question: row.question } });
        }
        const resumed = { from: 'waiting_input' as const, action, by, reason };
        await this.executor.execute(row, { action: 'answer', input: new Command({ resume: req.input }), resumed }).started;
        return { ...row, status: 'running', question: null };
      }
      case 'retry': {
        assertTransition(id, row.status, 'retry');
        const failed = await this.failure(row);
        const resumed = { from: 'failed' as const, action, by, reason, ...(failed.stage ? { stage: failed.stage } : {}) };
        await this.executor.execute(row, { action: 'retry', input: null, resumed }).started;
        return { ...row, status: 'running', error: null };
      }
      case 'skip': {
        assertTransition(id, row.status, 'skip');
        const { stage, error } = row.status === 'waiting_input' ? this.asking(row) : await this.failure(row);
        const { built, graph } = this.executor.workflow(row.workflowId);
        const state = await graph.getState(thread(id));
        const plugin = stage === undefined ? undefined : built.plan.stages.get(stage);
        if (stage === undefined || !plugin || !normalizePolicy(plugin.policy).optional || !state.next.includes(stage)) {
          throw new StagegraphError('skip_not_allowed', `run ${id}: ${stage === undefined ? 'no failed stage to skip' : plugin ? `stage '${stage}' is not optional` : `'${stage}' is not a stage`}`, {
            class: 'validation',
            details: { runId: id, stage, optional: plugin ? normalizePolicy(plugin.policy).optional : undefined },
            hint: 'only an optional stage may be skipped; retry, roll back or abort instead',
          });
        }
        const from = row.status === 'waiting_input' ? 'waiting_input' as const : 'failed' as const;
        const resumed = { from, action, by, reason, stage, fromCheckpointId: state.config.configurable.checkpoint_id as string };
        await this.executor.execute(row, { action: 'skip', input: null, resumed, prepare: (rec) => this.applySkip(rec, row, stage, error, by) }).started;
        return { ...row, status: 'running', error: null, question: null, degraded: true };
      }
      case 'rollback': {
        assertTransition(id, row.status, 'rollback');
        const plan = await this.rollbackPlan(row, req);
        const resumed = { from: 'restore' as const, action, by, reason, checkpointId: plan.target, fromCheckpointId: plan.head, ...(plan.stage ? { stage: plan.stage } : {}) };
        await this.executor.execute(row, { action: 'rollback', input: null, checkpointId: plan.target, resumed, prepare: (rec) => this.compensateAll(rec, row, plan.todo) }).started;
        return { ...row, status: 'running', error: null, question: null };
      }
      default:
        throw new StagegraphError('invalid_recovery_action', `unknown recovery action '${String(action)}'`, {
          class: 'validation', details: { runId: id, action, allowed: ['retry', 'skip', 'provide_input', 'rollback', 'abort'] },
        });
    }
  }

  /** Aborts in-flight work at once, moves the run to `aborted`, then compensates completed stages in reverse order. */
  async abort(id: string, reason: string, by?: string, owner?: string): Promise<RunRow> {
    const row = await this.store.require(id, owner);
    assertTransition(id, row.status, 'abort');
    const active = this.executor.active.get(id);
    if (active) {
      active.stop = { reason: 'abort', by };
      active.controller.abort(new StagegraphError('run_aborted', reason, { class: 'fatal' }));
      // It keeps holding the run for the compensation below (handed over, not released).
      await active.done;
    } else if (await this.store.executingElsewhere(id, await this.executor.lease.key())) {
      // The process executing it aborts it, as if asked there.
      await ProcessLease.send(this.pool, { runId: id, action: 'abort', by, reason });
      return this.awaitAborted(id);
    }
    return this.executor.exclusive(id, async (rec) => {
      const aborted = await rec.transition('abort', { error: abortRecord(reason, by, 'pending') });
      return this.finishAbort(aborted, rec);
    }, { inherit: true });
  }

  /** Waits for another process to finish aborting run `id` (its compensation over). */
  private async awaitAborted(id: string): Promise<RunRow> {
    const deadline = Date.now() + 30_000;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const row = await this.store.require(id);
      if (row.status === 'aborted' && row.error?.details?.compensation !== 'pending') return row;
      if (row.status !== 'running' && row.status !== 'aborted') assertTransition(id, row.status, 'abort');
      if (Date.now() > deadline) {
        throw new StagegraphError('control_timeout', `run ${id}: the process executing it did not finish the abort in time`, { class: 'transient', details: { runId: id, status: row.status } });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Compensates what an abort has not yet compensated, then logs `workflow.aborted`. Call it holding the run (`rec`). */
  async finishAbort(row: RunRow, rec: RunRecorder): Promise<RunRow> {
    const { built, graph } = this.executor.workflow(row.workflowId);
    const reason = row.error?.code === 'run_aborted' ? row.error.message : 'aborted';
    const by = row.error?.code === 'run_aborted' && typeof row.error.details.by === 'string' ? row.error.details.by : undefined;
    const result = await this.saga.compensate(row.id, built.plan, completionsOf(await lineOf(graph, row.id)), { rec });
    rec.patch({ error: abortRecord(reason, by, result.failed.length ? 'failed' : 'done') });
    await rec.append({ type: 'workflow.aborted', payload: { reason, by, compensated: result.compensated, ...(result.failed.length ? { failed: result.failed } : {}) } });
    return this.store.require(row.id);
  }

  /** Finishes the aborts dead processes left half-done. Returns their run ids. */
  async finishAborts(): Promise<string[]> {
    const finished: string[] = [];
    for (const row of await this.store.abortsUnfinished()) {
      if (this.executor.active.has(row.id)) continue;
      const ok = await this.executor.exclusive(row.id, (rec) => this.finishAbort(row, rec)).then(() => true, () => false);
      if (ok) finished.push(row.id);
    }
    return finished;
  }

  /**
   * How to continue a run a dead process left `running`: from its last checkpoint,
   * unless it died inside a rollback or skip that had not moved the run yet (its
   * checkpoint is still the one the action started from): then the action is finished
   * first (the compensations left, or the skip's update).
   */
  async crashOptions(row: RunRow): Promise<ExecuteOptions> {
    const last = (await this.store.lastEvent(row.id, 'workflow.resumed'))?.payload;
    if ((last?.action === 'rollback' || last?.action === 'skip') && last.fromCheckpointId) {
      const { graph } = this.executor.workflow(row.workflowId);
      const head = (await graph.getState(thread(row.id))).config.configurable.checkpoint_id as string | undefined;
      if (head === last.fromCheckpointId) {
        const resumed: RunEventPayloads['workflow.resumed'] = { ...last, from: 'crash' };
        if (last.action === 'rollback' && last.checkpointId) {
          const line = await lineOf(graph, row.id, last.fromCheckpointId);
          const target = line.findIndex((l) => l.checkpointId === last.checkpointId);
          const todo = completionsOf(line).slice(line[target]?.completed.length ?? 0);
          return { action: 'recover', input: null, checkpointId: last.checkpointId, resumed, prepare: (rec) => this.compensateAll(rec, row, todo) };
        }
        if (last.action === 'skip' && last.stage) {
          const { error } = await this.failure(row);
          return { action: 'recover', input: null, resumed, prepare: (rec) => this.applySkip(rec, row, last.stage!, error, last.by) };
        }
      }
    }
    return { action: 'recover', input: null, resumed: { from: 'crash' } };
  }

  /** The partial-results package of a run in any state. */
  async partial(row: RunRow): Promise<PartialPackage> {
    const { built, graph } = this.executor.workflow(row.workflowId);
    const state = await graph.getState(thread(row.id));
    const compensated = new Set((await this.store.compensations(row.id)).filter((c) => c.change === 'compensated' && c.completion).map((c) => c.completion!));
    return partialPackage({
      row, plan: built.plan, values: (state.values ?? {}) as Partial<WorkflowStateValue>, next: state.next ?? [],
      completions: completionsOf(await lineOf(graph, row.id)), compensated, failedStage: (await this.failure(row)).stage,
    });
  }

  /** The stage the run last failed in and its error (from its last `workflow.failed`). */
  private async failure(row: RunRow): Promise<{ stage?: string; error?: SerializedError }> {
    const ev = await this.store.lastEvent(row.id, 'workflow.failed');
    const error = ev?.payload.error ?? row.error ?? undefined;
    const stage = ev?.payload.stage ?? (typeof error?.details.stage === 'string' ? error.details.stage : undefined);
    return { stage, error };
  }

  /** The stage a `waiting_input` run asks for, and its question as the error that made it ask. */
  private asking(row: RunRow): { stage?: string; error?: SerializedError } {
    const q = (row.question ?? {}) as { stage?: unknown; code?: unknown; question?: unknown; details?: unknown };
    const stage = typeof q.stage === 'string' ? q.stage : undefined;
    const message = typeof q.question === 'string' ? q.question : 'waiting for input';
    return { stage, error: { code: typeof q.code === 'string' ? q.code : 'input_needed', class: 'validation', message, details: (q.details ?? {}) as Record<string, unknown> } };
  }

  /** Writes the skip as the stage's own update (its edges fire as if it had finished) and marks the run degraded. */
  private async applySkip(rec: RunRecorder, row: RunRow, stage: string, error: SerializedError | undefined, by?: string): Promise<void> {
    const { built, graph } = this.executor.workflow(row.workflowId);
    const cause: SerializedError = error ?? { code: 'skipped', class: 'degradable', message: 'skipped on request', details: {} };
    const warning = skipWarning(stage, cause);
    const stepped = normalizePolicy(built.plan.stages.get(stage)?.policy).stepped;
    const update: WorkflowStateUpdate = { skipped: [stage], warnings: [warning], ...(stepped ? { scratch: { [stage]: null } } : {}) };
    await graph.updateState(thread(row.id), update, stage);
    rec.push({ type: 'workflow.stage_changed', payload: { stage, change: 'skipped', error: cause, warning: warning.message, ...(by ? { by } : {}) } });
    rec.patch({ degraded: true });
  }

  /** Compensates `todo` (newest first); a compensation that still fails after its retries stops and fails the rollback. */
  private async compensateAll(rec: RunRecorder, row: RunRow, todo: Completion[]): Promise<void> {
    const result = await this.saga.compensate(row.id, this.executor.workflow(row.workflowId).built.plan, todo, { rec, stopOnFailure: true });
    if (result.failed.length) {
      throw new StagegraphError('compensation_failed', `run ${row.id}: rollback stopped: compensation failed for ${result.failed.map((s) => `'${s}'`).join(', ')}`, {
        class: 'fatal',
        details: { runId: row.id, stages: result.failed },
        hint: 'fix the cause, then roll back again: compensations already done are not repeated',
      });
    }
  }

  /** Where a rollback goes (`target`), from where (`head`), and the completions it compensates. */
  private async rollbackPlan(row: RunRow, req: RecoveryRequest): Promise<{ head: string; target: string; todo: Completion[]; stage?: string }> {
    const { graph } = this.executor.workflow(row.workflowId);
    const line = await lineOf(graph, row.id);
    const head = line[line.length - 1];
    if (!head) throw new StagegraphError('checkpoint_not_found', `run ${row.id} has no checkpoint to roll back to`, { class: 'validation', details: { runId: row.id } });
    let target = head;
    let stage = req.stage;
    if (req.checkpointId !== undefined) {
      const found = line.find((l) => l.checkpointId === req.checkpointId);
      if (!found) {
        throw new StagegraphError('checkpoint_not_found', `run ${row.id} has no checkpoint ${req.checkpointId} on its current line`, {
          class: 'validation', details: { runId: row.id, checkpointId: req.checkpointId }, hint: 'use restore to fork from a checkpoint of another line',
        });
      }
      target = found;
    } else if (stage !== undefined) {
      const found = before(line, stage);
      if (!found) throw new StagegraphError('stage_not_reached', `run ${row.id} never reached stage '${stage}'`, { class: 'validation', details: { runId: row.id, stage } });
      target = found;
    } else {
      // A rollback whose compensation failed resumes toward the same target.
      const last = (await this.store.lastEvent(row.id, 'workflow.resumed'))?.payload;
      const pending = last?.action === 'rollback' && last.fromCheckpointId === head.checkpointId ? line.find((l) => l.checkpointId === last.checkpointId) : undefined;
      stage = pending ? last?.stage : row.status === 'failed' ? (await this.failure(row)).stage : head.next[0];
      target = pending ?? (stage !== undefined && head.next.includes(stage) ? before(line, stage)! : head);
    }
    return { head: head.checkpointId, target: target.checkpointId, todo: completionsOf(line).slice(target.completed.length), ...(stage ? { stage } : {}) };
  }
}
