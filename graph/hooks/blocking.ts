/**
 * Blocking hooks: a hook declared `blocking` (only on `stage.before`) runs inside the
 * stage, after its input is read and before its plugin, once per stage attempt, one
 * attempt each, in registration order. Its execution is recorded like a delivery (no
 * retries: the stage's own retry policy applies). When it fails, `onFailure` decides:
 * `fail` throws `hook_failed` (fatal: the stage fails and, unless optional, the run);
 * `ask` throws a validation error with a question, so the run waits for input and an
 * answer runs the stage, and the hook, again.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { DeliveryStore } from './deliveries.ts';
import { runCodeHook } from './dispatcher.ts';
import type { HookRow } from './store.ts';
import type { HookDelivery, PackHook } from './types.ts';
import { postWebhook, type AttemptOutcome } from './webhook.ts';

/** What the stage runtime asks for (`StageRuntimeDeps.beforeStage`). */
export interface BeforeStage {
  runId: string;
  stage: string;
  attempt: number;
  signal: AbortSignal;
}

interface RunOf {
  owner: string;
  workflowId: string;
}

export class BlockingHooks {
  private readonly runs = new Map<string, RunOf>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly deliveries: DeliveryStore,
    /** The enabled blocking hooks this process knows of (its directory). */
    private readonly hooks: () => readonly HookRow[],
    private readonly code: ReadonlyMap<string, PackHook>,
    private readonly timeoutMs: number,
  ) {}

  /** Runs the blocking hooks that apply to the stage's run; resolves when all passed. */
  async beforeStage(s: BeforeStage): Promise<void> {
    const all = this.hooks();
    if (all.length === 0) return;
    const run = await this.runOf(s.runId);
    if (!run) return;
    for (const hook of all) {
      if (hook.owner !== null && hook.owner !== run.owner) continue;
      if (hook.workflows && !hook.workflows.includes(run.workflowId)) continue;
      // Another process's pack: its hook runs where that pack is registered.
      if (hook.kind === 'code' && !this.code.has(hook.key!)) continue;
      await this.execute(hook, run, s);
    }
  }

  private async execute(hook: HookRow, run: RunOf, s: BeforeStage): Promise<void> {
    const delivery: HookDelivery = {
      id: randomUUID(), hook: hook.id, event: 'stage.before', attempt: 1,
      run: { id: s.runId, workflowId: run.workflowId }, data: { stage: s.stage, attempt: s.attempt },
    };
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), s.signal]);
    const at = new Date().toISOString();
    const t0 = performance.now();
    let outcome: AttemptOutcome;
    if (hook.kind === 'webhook') outcome = await postWebhook(hook.url!, hook.secret!, delivery, signal);
    else outcome = await runCodeHook(this.code.get(hook.key!)!, delivery, { signal });
    // A stage cut short (pause, abort, shutdown) did not fail its hook: nothing to record or report.
    if (s.signal.aborted) throw s.signal.reason;
    await this.deliveries.recordBlocking(hook.id, s.runId, s.stage, { attempt: 1, at, ms: Math.round(performance.now() - t0), ...outcome });
    if (outcome.ok) return;
    const name = hook.key ?? hook.url!;
    const details = { hookId: hook.id, hook: name, stage: s.stage, error: outcome.error ?? 'failed' };
    if (hook.onFailure === 'ask') {
      throw new StagegraphError('hook_failed', `blocking hook ${name} failed before stage '${s.stage}': ${details.error}`, {
        class: 'validation',
        details: { ...details, question: `The blocking hook ${name} failed before stage '${s.stage}' (${details.error}). Answer (with {} to change nothing) once it can pass, to run the stage and the hook again.` },
      });
    }
    throw new StagegraphError('hook_failed', `blocking hook ${name} failed before stage '${s.stage}': ${details.error}`, { class: 'fatal', details });
  }

  private async runOf(runId: string): Promise<RunOf | undefined> {
    const known = this.runs.get(runId);
    if (known) return known;
    const { rows: [r] } = await this.pool.query<{ owner: string; workflow_id: string }>('SELECT owner, workflow_id FROM sg_runs WHERE id = $1', [runId]);
    if (!r) return undefined;
    const run = { owner: r.owner, workflowId: r.workflow_id };
    // A few hundred runs' worth: enough for the runs executing here.
    if (this.runs.size >= 512) this.runs.delete(this.runs.keys().next().value!);
    this.runs.set(runId, run);
    return run;
  }
}
