/**
 * Recovery actions on a run (`runs.recover(id, { action, by, reason })`): retry the
 * failed stage, skip it (optional stages only, `skip.ts`), provide the input a stage
 * asked for, roll back to a stable checkpoint compensating what completed after it
 * (`rollback.ts`), or abort compensating everything (`abort.ts`). Each is valid only
 * in the statuses the transition table allows and is logged with who asked and why.
 * Also: how to continue a run a dead process left behind, and partial packages.
 */
import { Command } from '@langchain/langgraph';
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { EventLog } from '../events/log.ts';
import type { RunEventPayloads } from '../events/types.ts';
import type { ExecuteOptions, RunExecutor } from '../runs/executor.ts';
import { assertTransition } from '../runs/status.ts';
import type { RunRow, RunStore } from '../runs/store.ts';
import type { WorkflowStateValue } from '../state.ts';
import { abortRun, abortUnfinished, finishAbort, finishAborts } from './abort.ts';
import { failureOf, thread, type RecoveryParts, type RecoveryRequest } from './context.ts';
import { completionsOf, lineOf } from './line.ts';
import { partialPackage, type PartialPackage } from './partial.ts';
import { compensateAll, rollback } from './rollback.ts';
import type { Saga } from './saga.ts';
import { applySkip, skip } from './skip.ts';

export type { RecoveryRequest } from './context.ts';

export class Recovery {
  private readonly p: RecoveryParts;

  constructor(store: RunStore, events: EventLog, executor: RunExecutor, saga: Saga, pool: pg.Pool) {
    this.p = { store, events, executor, saga, pool };
  }

  /**
   * An abort of a run left `aborted` with its compensation pending or failed finishes
   * that compensation.
   * @throws StagegraphError `invalid_transition`, `skip_not_allowed`, `input_required`, `checkpoint_not_found`, `stage_not_reached`, `invalid_recovery_action`, `run_locked`
   */
  async act(id: string, req: RecoveryRequest, owner?: string): Promise<RunRow> {
    const p = this.p;
    const row = await p.store.require(id, owner);
    const { action, by, reason } = req;
    switch (action) {
      case 'abort':
        if (abortUnfinished(row)) return p.executor.exclusive(id, (rec) => finishAbort(p, row, rec));
        return abortRun(p, id, reason, by, owner);
      case 'provide_input': {
        assertTransition(id, row.status, 'answer', action);
        if (req.input === undefined) {
          throw new StagegraphError('input_required', `provide_input on run ${id} needs 'input': the answer to the run's question`, { class: 'validation', details: { runId: id, question: row.question } });
        }
        const resumed = { from: 'waiting_input' as const, action, by, reason };
        await p.executor.execute(row, { action: 'answer', input: new Command({ resume: req.input }), resumed }).started;
        return { ...row, status: 'running', question: null };
      }
      case 'retry': {
        assertTransition(id, row.status, 'retry');
        const failed = await failureOf(p.store, row);
        const resumed = { from: 'failed' as const, action, by, reason, ...(failed.stage ? { stage: failed.stage } : {}) };
        await p.executor.execute(row, { action: 'retry', input: null, resumed }).started;
        return { ...row, status: 'running', error: null };
      }
      case 'skip':
        return skip(p, row, req);
      case 'rollback':
        return rollback(p, row, req);
      default:
        throw new StagegraphError('invalid_recovery_action', `unknown recovery action '${String(action)}'`, {
          class: 'validation', details: { runId: id, action, allowed: ['retry', 'skip', 'provide_input', 'rollback', 'abort'] },
        });
    }
  }

  /** Aborts in-flight work at once, moves the run to `aborted`, then compensates completed stages in reverse order. */
  abort(id: string, reason: string, by?: string, owner?: string): Promise<RunRow> {
    return abortRun(this.p, id, reason, by, owner);
  }

  /** Finishes the aborts dead processes left half-done. Returns their run ids. */
  finishAborts(): Promise<string[]> {
    return finishAborts(this.p);
  }

  /**
   * How to continue a run a dead process left `running`: from its last checkpoint,
   * unless it died inside a rollback or skip that had not moved the run yet (its
   * checkpoint is still the one the action started from): then the action is finished
   * first (the compensations left, or the skip's update).
   */
  async crashOptions(row: RunRow): Promise<ExecuteOptions> {
    const p = this.p;
    const last = (await p.store.lastEvent(row.id, 'workflow.resumed'))?.payload;
    if ((last?.action === 'rollback' || last?.action === 'skip') && last.fromCheckpointId) {
      const { graph } = await p.executor.workflowOf(row);
      const head = (await graph.getState(thread(row.id))).config.configurable.checkpoint_id as string | undefined;
      if (head === last.fromCheckpointId) {
        const resumed: RunEventPayloads['workflow.resumed'] = { ...last, from: 'crash' };
        if (last.action === 'rollback' && last.checkpointId) {
          const line = await lineOf(graph, row.id, last.fromCheckpointId);
          const target = line.findIndex((l) => l.checkpointId === last.checkpointId);
          const todo = completionsOf(line).slice(line[target]?.completed.length ?? 0);
          return { action: 'recover', input: null, checkpointId: last.checkpointId, resumed, prepare: (rec) => compensateAll(p, rec, row, todo) };
        }
        if (last.action === 'skip' && last.stage) {
          const { error } = await failureOf(p.store, row);
          return { action: 'recover', input: null, resumed, prepare: (rec) => applySkip(p, rec, row, last.stage!, error, last.by) };
        }
      }
    }
    return { action: 'recover', input: null, resumed: { from: 'crash' } };
  }

  /** The partial-results package of a run in any state. */
  async partial(row: RunRow): Promise<PartialPackage> {
    const p = this.p;
    const { built, graph } = await p.executor.workflowOf(row);
    const state = await graph.getState(thread(row.id));
    const compensated = new Set((await p.store.compensations(row.id)).filter((c) => c.change === 'compensated' && c.completion).map((c) => c.completion!));
    return partialPackage({
      row, plan: built.plan, values: (state.values ?? {}) as Partial<WorkflowStateValue>, next: state.next ?? [],
      completions: completionsOf(await lineOf(graph, row.id)), compensated, failedStage: (await failureOf(p.store, row)).stage,
    });
  }
}
