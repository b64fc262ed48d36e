/**
 * The StageContext a plugin sees, for `run()` (the stage runtime) and for
 * `compensate()` (saga rollback). One place builds it, so both get the same
 * progress, events, log and dependency breakers.
 */
import type { Breakers, BreakerChange } from './breakers.ts';
import type { StageSignal } from './signals.ts';
import type { StageContext, StageLogger } from './types.ts';
import type { StageRuntimeDeps } from './deps.ts';

export const silentLog: StageLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The custom event a breaker state change becomes on the run whose call caused it. */
export const CIRCUIT_EVENT = 'circuit.state_changed';

export function breakerSignal(stage: string, change: BreakerChange): StageSignal {
  return { sg: 'custom', stage, name: CIRCUIT_EVENT, data: { breaker: change.name, kind: change.kind, from: change.from, to: change.to, failures: change.failures } };
}

export interface ContextInput {
  runId: string;
  stage: string;
  attempt: number;
  signal: AbortSignal;
  deps?: StageRuntimeDeps;
  /** Where progress, custom events and breaker changes go (LangGraph's custom stream writer). */
  write?: (signal: StageSignal) => void;
  resume?: unknown;
}

export function stageContext(input: ContextInput): StageContext {
  const { stage, deps } = input;
  const write = input.write ?? (() => undefined);
  const breakers: Breakers | undefined = deps?.breakers;
  return {
    runId: input.runId,
    stage,
    attempt: input.attempt,
    signal: input.signal,
    seed: deps?.seed ?? 1,
    progress: (pct, note) => write({ sg: 'progress', stage, pct: Math.max(0, Math.min(100, pct)), note }),
    emit: (name, data) => write({ sg: 'custom', stage, name, data }),
    log: deps?.log?.(stage) ?? silentLog,
    llm: deps?.llm,
    resume: input.resume,
    guard: (dependency, fn) => (breakers ? breakers.run('dependency', dependency, fn, (c) => write(breakerSignal(stage, c))) : fn()),
  };
}
