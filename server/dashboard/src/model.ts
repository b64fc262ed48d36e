/**
 * A run as the page knows it, folded from its events. Events apply strictly in seq
 * order: one at or below the last seq is a duplicate and changes nothing; one beyond
 * the next seq is a gap, which the caller fills from the REST event log first. So
 * however the events arrive (REST backfill, live WebSocket, a reconnect that resends),
 * each one counts once.
 */
import type { RunEvent } from '../../../client/index.ts';
import type { DecisionRecord } from '../../../graph/decisions/types.ts';
import type { RunStatus } from '../../../graph/runs/status.ts';
import type { SerializedError } from '../../../nodes/errors.ts';

export type StageStatus = 'pending' | 'running' | 'retrying' | 'completed' | 'failed' | 'skipped' | 'compensated';

export interface StageState {
  status: StageStatus;
  attempt: number;
  durationMs?: number;
  error?: SerializedError;
  /** The last progress note of the stage. */
  note?: string;
  pct?: number;
  /** Seq of the event that last changed the status. */
  seq: number;
}

export interface RunModel {
  id: string;
  status: RunStatus;
  workflow?: string;
  lastSeq: number;
  /** Events applied; equals `lastSeq` when nothing was missed. */
  applied: number;
  stages: Map<string, StageState>;
  /** The stage of the last progress or stage event. */
  stage?: string;
  progressPct: number;
  /** Estimated finish (epoch ms) as of the last progress event. */
  etaAt: number | null;
  note?: string;
  /** Every decision in the order made (a loop's later iterations included). */
  decisions: DecisionRecord[];
  question: unknown;
  pausedReason?: 'pause' | 'shutdown' | 'input';
  error: SerializedError | null;
  degraded: boolean;
  warnings: string[];
  durationMs?: number;
  /** Set by a restore: stage states must be re-read from the run (which stages its checkpoint had done). */
  needsResync: boolean;
  /** Seq of the last restore: stage states older than it are stale until resynced. */
  restoredAt: number;
}

export type ApplyResult = 'applied' | 'duplicate' | 'gap';

export function newRunModel(id: string, status: RunStatus = 'queued'): RunModel {
  return {
    id, status, lastSeq: 0, applied: 0, stages: new Map(), progressPct: 0, etaAt: null, decisions: [],
    question: null, error: null, degraded: false, warnings: [], needsResync: false, restoredAt: 0,
  };
}

function stageOf(m: RunModel, name: string): StageState {
  let st = m.stages.get(name);
  if (!st) m.stages.set(name, (st = { status: 'pending', attempt: 0, seq: 0 }));
  return st;
}

/** Applies one event if it is the next in seq order. */
export function applyEvent(m: RunModel, e: RunEvent): ApplyResult {
  if (e.seq <= m.lastSeq) return 'duplicate';
  if (e.seq > m.lastSeq + 1) return 'gap';
  m.lastSeq = e.seq;
  m.applied += 1;
  switch (e.type) {
    case 'workflow.started':
      m.status = 'running';
      m.workflow = e.payload.workflowId;
      break;
    case 'workflow.stage_changed': {
      const p = e.payload;
      const st = stageOf(m, p.stage);
      m.stage = p.stage;
      st.seq = e.seq;
      if (p.attempt !== undefined) st.attempt = p.attempt;
      if (p.durationMs !== undefined) st.durationMs = p.durationMs;
      if (p.error) st.error = p.error;
      if (p.change === 'started') {
        st.status = 'running';
        st.error = undefined;
      } else if (p.change === 'completed') st.status = 'completed';
      else if (p.change === 'failed') st.status = p.willRetry ? 'retrying' : 'failed';
      else if (p.change === 'skipped') {
        st.status = 'skipped';
        m.degraded = true;
      } else if (p.change === 'compensated') st.status = 'compensated';
      break;
    }
    case 'workflow.progress_updated': {
      const p = e.payload;
      m.stage = p.stage;
      m.progressPct = p.progressPct;
      m.etaAt = new Date(e.at).getTime() + p.etaMs;
      m.note = p.note;
      const st = stageOf(m, p.stage);
      st.pct = p.stagePct;
      if (p.note) st.note = p.note;
      break;
    }
    case 'workflow.decision_made':
      if (!m.decisions.some((d) => d.id === e.payload.decision.id)) m.decisions.push(e.payload.decision);
      break;
    case 'workflow.paused':
      m.status = e.payload.reason === 'input' ? 'waiting_input' : 'paused';
      m.pausedReason = e.payload.reason;
      m.question = e.payload.question ?? null;
      for (const st of m.stages.values()) if (st.status === 'running') st.status = 'pending';
      break;
    case 'workflow.resumed':
      m.status = 'running';
      m.question = null;
      m.pausedReason = undefined;
      m.error = null;
      if (e.payload.from === 'restore') {
        m.needsResync = true;
        m.restoredAt = e.seq;
      }
      break;
    case 'workflow.completed':
      m.status = 'completed';
      m.progressPct = 100;
      m.etaAt = null;
      m.degraded = e.payload.degraded;
      m.warnings = e.payload.warnings;
      m.durationMs = e.payload.durationMs;
      break;
    case 'workflow.failed':
      m.status = 'failed';
      m.error = e.payload.error;
      m.etaAt = null;
      if (e.payload.stage) Object.assign(stageOf(m, e.payload.stage), { status: 'failed', seq: e.seq });
      break;
    case 'workflow.aborted':
      m.status = 'aborted';
      m.etaAt = null;
      for (const st of m.stages.values()) if (st.status === 'running' || st.status === 'retrying') st.status = 'pending';
      for (const name of e.payload.compensated) Object.assign(stageOf(m, name), { status: 'compensated', seq: e.seq });
      break;
    case 'workflow.error':
    case 'workflow.timeout_warning':
    case 'workflow.custom':
      break;
  }
  return 'applied';
}

/**
 * After a restore: for stages not heard of since the restore, what the run's state
 * (read after it) has done is the truth, and the rest start over. Stages with events
 * after the restore keep what those events said.
 */
export function resyncStages(m: RunModel, done: { completed: string[]; skipped: string[] }): void {
  for (const [name, st] of m.stages) {
    if (st.seq > m.restoredAt) continue;
    if (done.completed.includes(name)) st.status = 'completed';
    else if (done.skipped.includes(name)) st.status = 'skipped';
    else m.stages.set(name, { status: 'pending', attempt: 0, seq: st.seq });
  }
  m.needsResync = false;
}

/** The latest decision of each point (a loop decides a point again). */
export function latestDecisions(m: RunModel): Map<string, DecisionRecord> {
  const out = new Map<string, DecisionRecord>();
  for (const d of m.decisions) {
    const prev = out.get(d.point);
    if (!prev || d.iteration >= prev.iteration) out.set(d.point, d);
  }
  return out;
}

/** The fields of a runs-list row an event changes. */
export interface ListRowChange {
  status?: RunStatus;
  stage?: string;
  percent?: number;
}

export function listRowChange(e: RunEvent): ListRowChange | undefined {
  switch (e.type) {
    case 'workflow.started':
    case 'workflow.resumed':
      return { status: 'running' };
    case 'workflow.stage_changed':
      return e.payload.change === 'started' ? { stage: e.payload.stage } : undefined;
    case 'workflow.progress_updated':
      return { percent: e.payload.progressPct, stage: e.payload.stage };
    case 'workflow.paused':
      return { status: e.payload.reason === 'input' ? 'waiting_input' : 'paused' };
    case 'workflow.completed':
      return { status: 'completed', percent: 100 };
    case 'workflow.failed':
      return { status: 'failed' };
    case 'workflow.aborted':
      return { status: 'aborted' };
    default:
      return undefined;
  }
}

/** What each error class means for the person deciding how to recover. */
export const ERROR_CLASS_MEANING: Record<SerializedError['class'], string> = {
  transient: 'A temporary failure (a timeout, a lost connection, a rate limit). Retrying the same step usually works.',
  validation: 'The input or intermediate data is not acceptable. Retrying as is fails again: change the input (answer the question) or roll back to an earlier checkpoint.',
  degradable: 'An optional part failed. The run can go on without it (skip), with the result marked degraded.',
  fatal: 'A defect or an impossible condition. Retrying the same step fails again: roll back to an earlier checkpoint or abort.',
};
