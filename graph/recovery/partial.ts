/**
 * The partial-results package of a run, in any state: every completed stage with its
 * output (whether it was compensated), every stage not completed with why (its error,
 * skipped, waiting for input, cut off by an abort, or not reached), warnings and
 * decisions. Written as `<outRoot>/<runId>/partial.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SerializedError } from '../../nodes/errors.ts';
import type { DecisionRecord } from '../decisions/types.ts';
import type { WorkflowPlan } from '../plan.ts';
import type { RunStatus } from '../runs/status.ts';
import type { RunRow } from '../runs/store.ts';
import type { StageWarning, WorkflowStateValue } from '../state.ts';
import type { Completion } from './line.ts';

export type MissingReason = 'failed' | 'skipped' | 'waiting_input' | 'aborted' | 'not_reached';

export interface PartialPackage {
  runId: string;
  workflowId: string;
  status: RunStatus;
  degraded: boolean;
  /** Why the run stopped, when it failed (or what an abort recorded). */
  error: SerializedError | null;
  generatedAt: string;
  /** Completions in order (a stage in a loop appears once per completion). */
  completed: { stage: string; output: unknown; completion: string; compensated: boolean }[];
  missing: { stage: string; why: MissingReason; error?: Pick<SerializedError, 'code' | 'class' | 'message'>; question?: unknown }[];
  warnings: StageWarning[];
  decisions: DecisionRecord[];
}

export interface PartialInput {
  row: RunRow;
  plan: WorkflowPlan;
  values: Partial<WorkflowStateValue>;
  /** What runs next from the run's latest checkpoint. */
  next: string[];
  completions: Completion[];
  /** Completion keys that have been compensated. */
  compensated: Set<string>;
  /** The stage the run failed in, from its `workflow.failed` event. */
  failedStage?: string;
}

export function partialPackage(p: PartialInput): PartialPackage {
  const { row, values } = p;
  const done = new Set(values.completed ?? []);
  const skipped = new Set(values.skipped ?? []);
  const warnings = values.warnings ?? [];
  const missing: PartialPackage['missing'] = [];
  for (const stage of p.plan.stages.keys()) {
    if (done.has(stage)) continue;
    if (skipped.has(stage)) {
      const w = warnings.find((x) => x.stage === stage);
      missing.push({ stage, why: 'skipped', ...(w ? { error: { code: w.code, class: w.class as SerializedError['class'], message: w.message } } : {}) });
    } else if (row.status === 'failed' && stage === p.failedStage) {
      missing.push({ stage, why: 'failed', ...(row.error ? { error: { code: row.error.code, class: row.error.class, message: row.error.message } } : {}) });
    } else if (row.status === 'waiting_input' && p.next.includes(stage)) {
      missing.push({ stage, why: 'waiting_input', question: row.question });
    } else if (row.status === 'aborted' && p.next.includes(stage)) {
      missing.push({ stage, why: 'aborted' });
    } else {
      missing.push({ stage, why: 'not_reached' });
    }
  }
  return {
    runId: row.id,
    workflowId: row.workflowId,
    status: row.status,
    degraded: row.degraded || skipped.size > 0,
    error: row.error,
    generatedAt: new Date().toISOString(),
    completed: p.completions.map((c) => ({ stage: c.stage, output: c.output, completion: c.key, compensated: p.compensated.has(c.key) })),
    missing,
    warnings,
    decisions: values.decisionLog ?? [],
  };
}

/** Writes `<outRoot>/<runId>/partial.json` and returns its absolute path. */
export async function writePartialPackage(outRoot: string, pkg: PartialPackage): Promise<string> {
  const dir = resolve(outRoot, pkg.runId);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'partial.json');
  await writeFile(path, `${JSON.stringify(pkg, null, 2)}\n`);
  return path;
}
