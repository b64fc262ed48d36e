import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Breakers } from './breakers.ts';
import type { SignalSink } from './signals.ts';
import type { StageLogger } from './types.ts';

/**
 * What the run executor hands every stage through LangGraph's run `context`
 * (`context.stagegraph`). Absent under LangGraph's own server: stages then run
 * with a silent log, no LLM, seed 1 and no circuit breakers.
 */
export interface StageRuntimeDeps {
  llm?: BaseChatModel;
  /** @default 1 */
  seed?: number;
  log?: (stage: string) => StageLogger;
  /** The process's circuit breakers (per plugin and per named dependency). */
  breakers?: Breakers;
  /** Where the executor takes the nodes' signals (absent under LangGraph's own server). */
  signals?: SignalSink;
  /** Blocking `stage.before` hooks (graph/hooks/blocking.ts): run after the input is read, before the plugin; rejects to fail or ask. */
  beforeStage?: (s: { runId: string; stage: string; attempt: number; signal: AbortSignal }) => Promise<void>;
}
