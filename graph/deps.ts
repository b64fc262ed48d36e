import type { StageRuntimeDeps } from '../nodes/deps.ts';
import type { DecisionFallback } from './decisions/decide.ts';
import type { DecisionLedger } from './decisions/ledger.ts';
import type { PreferenceSource } from './decisions/preferences.ts';

/** What the run executor passes to every node as `context.stagegraph`. */
export interface GraphRuntimeDeps extends StageRuntimeDeps {
  ledger?: DecisionLedger;
  /** '' for a run's original line; the checkpoint id a restore forked from otherwise. */
  branch?: string;
  fallback?: DecisionFallback;
  /** The fence of the execution: decisions are recorded only while it holds the run. */
  fence?: string;
  /** Per-owner learned preferences that fresh decisions use. */
  preferences?: PreferenceSource;
}

export function depsOf(config: { context?: unknown }): GraphRuntimeDeps | undefined {
  return (config.context as { stagegraph?: GraphRuntimeDeps } | undefined)?.stagegraph;
}
