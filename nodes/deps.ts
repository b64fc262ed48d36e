import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { StageLogger } from './types.ts';

/**
 * What the run executor hands every stage through LangGraph's run `context`
 * (`context.stagegraph`). Absent under LangGraph's own server: stages then run
 * with a silent log, no LLM and seed 1.
 */
export interface StageRuntimeDeps {
  llm?: BaseChatModel;
  /** @default 1 */
  seed?: number;
  log?: (stage: string) => StageLogger;
}
