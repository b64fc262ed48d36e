/**
 * Saga compensation: `compensate()` of completed stages, newest first, once per
 * stage completion. Each result is an event keyed by the completion
 * (`workflow.stage_changed` `compensated` / `compensation_failed` with `completion`),
 * made durable before the next compensation starts, so a process that dies between
 * two compensations leaves an exact record and the next one does only what is left.
 * (A process killed inside a `compensate()` call leaves no result, so that call runs
 * again: compensations must be idempotent, as the plugin contract says.)
 *
 * A compensation that throws is retried (cockatiel: 3 attempts, 100 ms doubling, each
 * failure a `workflow.error`), then reported as `compensation_failed` with the error,
 * and returned.
 */
import { ExponentialBackoff, TaskCancelledError, TimeoutStrategy, handleAll, noJitterGenerator, retry, timeout, wrap } from 'cockatiel';
import { stageContext } from '../../nodes/context.ts';
import type { StageRuntimeDeps } from '../../nodes/deps.ts';
import { StagegraphError, serializeError } from '../../nodes/errors.ts';
import { normalizePolicy } from '../../nodes/policy.ts';
import type { EventLog, RunRecorder } from '../events/log.ts';
import type { WorkflowPlan } from '../plan.ts';
import type { RunStore } from '../runs/store.ts';
import type { Completion } from './line.ts';

export interface CompensationPolicy {
  /** Attempts per compensation, the first included. @default 3 */
  attempts?: number;
  /** Delay before the first retry, doubling after. @default 100 */
  backoffMs?: number;
}

export interface SagaResult {
  /** Stages compensated (now or earlier, by any process), newest completion first. */
  compensated: string[];
  /** Stages whose compensation failed after its retries, newest first. */
  failed: string[];
}

export class Saga {
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly store: RunStore,
    private readonly events: EventLog,
    private readonly deps: StageRuntimeDeps,
    policy: CompensationPolicy = {},
  ) {
    this.attempts = policy.attempts ?? 3;
    this.backoffMs = policy.backoffMs ?? 100;
    if (!Number.isInteger(this.attempts) || this.attempts < 1) throw new TypeError(`compensation.attempts must be an integer >= 1, got ${this.attempts}`);
    if (!(this.backoffMs >= 0)) throw new TypeError(`compensation.backoffMs must be >= 0, got ${this.backoffMs}`);
  }

  /**
   * Compensates `completions` newest first, skipping any already compensated, logging
   * through `rec` (the run's executing recorder when there is one). An abort goes on
   * past a failed compensation; a rollback (`stopOnFailure`) stops there, so what is
   * undone is always the newest stages. Call it holding the run's lock.
   */
  async compensate(runId: string, plan: WorkflowPlan, completions: Completion[], options: { rec?: RunRecorder; stopOnFailure?: boolean } = {}): Promise<SagaResult> {
    const rec = options.rec ?? this.events.recorder(runId);
    const done = new Set((await this.store.compensations(runId)).filter((c) => c.change === 'compensated' && c.completion).map((c) => c.completion!));
    const result: SagaResult = { compensated: [], failed: [] };
    for (const c of [...completions].reverse()) {
      const plugin = plan.stages.get(c.stage);
      if (!plugin?.compensate) continue;
      if (done.has(c.key)) {
        result.compensated.push(c.stage);
        continue;
      }
      const timeoutMs = normalizePolicy(plugin.policy).timeoutMs;
      const failure = (e: unknown) =>
        serializeError(e instanceof TaskCancelledError
          ? new StagegraphError('compensation_timeout', `compensation of '${c.stage}' took longer than ${timeoutMs} ms`, { class: 'transient', details: { stage: c.stage, timeoutMs } })
          : e);
      const retries = retry(handleAll, {
        maxAttempts: this.attempts - 1,
        backoff: new ExponentialBackoff({ initialDelay: this.backoffMs, maxDelay: this.backoffMs * 8, generator: noJitterGenerator }),
      });
      retries.onRetry((r) => {
        if ('error' in r) rec.push({ type: 'workflow.error', payload: { stage: c.stage, error: failure(r.error), willRetry: true } });
      });
      let attempt = 0;
      try {
        await wrap(retries, timeout(timeoutMs, TimeoutStrategy.Aggressive)).execute(async ({ signal }) => {
          attempt++;
          const ctx = stageContext({
            runId, stage: c.stage, attempt, signal, deps: this.deps,
            write: (s) => (s.sg === 'custom' ? rec.push({ type: 'workflow.custom', payload: { stage: s.stage, name: s.name, data: s.data } }) : undefined),
          });
          await plugin.compensate!(c.output, ctx);
        });
        rec.push({ type: 'workflow.stage_changed', payload: { stage: c.stage, change: 'compensated', attempt, completion: c.key } });
        result.compensated.push(c.stage);
      } catch (e) {
        const error = failure(e);
        rec.push({ type: 'workflow.error', payload: { stage: c.stage, error, willRetry: false } });
        rec.push({ type: 'workflow.stage_changed', payload: { stage: c.stage, change: 'compensation_failed', attempt, error, completion: c.key } });
        result.failed.push(c.stage);
        if (options.stopOnFailure) {
          await rec.flush();
          break;
        }
      }
      // Durable before the next compensation starts: this is what makes a restart exact.
      await rec.flush();
    }
    return result;
  }
}
