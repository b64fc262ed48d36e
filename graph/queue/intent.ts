/**
 * What a worker does with a queued run it takes, when that is not starting it: the
 * action asked of the run where it was asked (an API server), kept on the run row
 * (`sg_runs.pending`) as JSON until a worker takes it, then turned back into the
 * executor's options there. Starting is the absence of an intent.
 */
import { Command } from '@langchain/langgraph';
import type { RunEventPayloads } from '../events/types.ts';
import { startInput, type ExecuteOptions } from '../runs/executor.ts';
import type { RunRow } from '../runs/row.ts';

type Resumed = RunEventPayloads['workflow.resumed'];

export type RunIntent =
  | { action: 'resume'; resumed: Resumed }
  | { action: 'answer'; answer: unknown; resumed: Resumed }
  | { action: 'restore'; checkpointId: string; resumed: Resumed }
  | { action: 'retry'; resumed: Resumed };

/** The status a run must be in for the intent to be queued. */
export const INTENT_FROM: Record<RunIntent['action'], readonly RunRow['status'][]> = {
  resume: ['paused'],
  answer: ['waiting_input'],
  restore: ['paused', 'waiting_input', 'completed', 'failed', 'aborted'],
  retry: ['failed'],
};

/** The executor's options for a taken run: its intent, or a start. */
export function executeOptions(row: RunRow, intent: RunIntent | null): ExecuteOptions {
  if (!intent) return { action: 'start', input: startInput(row) };
  switch (intent.action) {
    case 'resume':
      return { action: 'resume', input: null, resumed: intent.resumed };
    case 'answer':
      return { action: 'answer', input: new Command({ resume: intent.answer }), resumed: intent.resumed };
    case 'restore':
      return { action: 'restore', input: null, checkpointId: intent.checkpointId, resumed: intent.resumed };
    case 'retry':
      return { action: 'retry', input: null, resumed: intent.resumed };
  }
}
