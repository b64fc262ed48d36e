import type { DecisionRecord } from './types.ts';

/**
 * Where decision records are kept beyond run state: the decisions table. Absent under
 * LangGraph's own server, where records live in state alone.
 */
export interface DecisionLedger {
  /**
   * A record already made for this point and iteration of the run with the same
   * inputs (on any branch): a resumed or restored run reuses it instead of deciding again.
   */
  recall(runId: string, point: string, iteration: number, inputs: Record<string, unknown>): Promise<DecisionRecord | undefined>;
  /**
   * Stores the record once per point, iteration and branch; returns the stored one.
   * With `fence`, only while that fence still holds the run.
   * @throws StagegraphError `run_fenced`
   */
  save(runId: string, branch: string, record: DecisionRecord, fence?: string): Promise<DecisionRecord>;
}
