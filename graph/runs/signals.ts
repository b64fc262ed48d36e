/**
 * Turns the signals of a run's nodes into RunEvents, progress and ETA. A signal
 * that reports an outcome (a stage completed or stepped, skipped, a decision made)
 * is tied to the task that sent it, so it is logged in the statement that makes the
 * task's writes durable; anything else (started, progress, warnings, retries) is live.
 */
import type { StageSignal } from '../../nodes/signals.ts';
import { skipWarning } from '../../nodes/stage.ts';
import type { RunRecorder } from '../record/recorder.ts';
import type { DurationHistory, ProgressTracker } from './progress.ts';

export class SignalTranslator {
  lastFailedStage?: string;
  /** Optional stages skipped during this execution. */
  skipped = 0;
  /** Their warnings. */
  readonly warnings: string[] = [];
  private readonly stepMs = new Map<string, number>();
  private readonly lastPct = new Map<string, { pct: number; at: number }>();

  constructor(
    private readonly rec: RunRecorder,
    private readonly tracker: ProgressTracker,
    private readonly runId: string,
    private readonly workflowId: string,
    private readonly history: DurationHistory,
  ) {}

  /** A signal of task `task` (LangGraph's task id). */
  handle(task: string, s: StageSignal): void {
    const rec = this.rec;
    switch (s.sg) {
      case 'stage_started':
        rec.taskRunning(task, true);
        rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'started', attempt: s.attempt } });
        rec.patch({ currentStage: s.stage });
        return;
      case 'stage_finished': {
        rec.taskRunning(task, false);
        const total = (this.stepMs.get(s.stage) ?? 0) + s.durationMs;
        if (s.step) {
          this.stepMs.set(s.stage, total);
          rec.tie(task, { draft: { type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'step', attempt: s.attempt, durationMs: Math.round(s.durationMs) } } });
          return;
        }
        this.stepMs.delete(s.stage);
        this.tracker.stageDone(s.stage);
        rec.tie(task, { draft: { type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'completed', attempt: s.attempt, durationMs: Math.round(total) } } });
        rec.tie(task, { sample: { workflowId: this.workflowId, stage: s.stage, runId: this.runId, durationMs: total, ok: true, attempt: s.attempt } });
        this.history.record(this.workflowId, s.stage, total);
        this.progress(task, s.stage, 100);
        return;
      }
      case 'stage_failed':
        if (!s.willRetry) rec.taskRunning(task, false);
        this.lastFailedStage = s.stage;
        rec.push({ type: 'workflow.error', payload: { stage: s.stage, error: s.error, willRetry: s.willRetry } });
        if (!s.willRetry) rec.push({ type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'failed', attempt: s.attempt, error: s.error } });
        rec.tie(undefined, { sample: { workflowId: this.workflowId, stage: s.stage, runId: this.runId, durationMs: s.durationMs, ok: false, attempt: s.attempt } });
        return;
      case 'stage_skipped': {
        this.tracker.stageDone(s.stage);
        const warning = skipWarning(s.stage, s.error).message;
        this.skipped += 1;
        this.warnings.push(warning);
        rec.tie(task, { draft: { type: 'workflow.stage_changed', payload: { stage: s.stage, change: 'skipped', error: s.error, warning } } });
        rec.patch({ degraded: true });
        this.progress(task, s.stage, 100);
        return;
      }
      case 'progress':
        this.tracker.stageProgress(s.stage, s.pct);
        this.progress(undefined, s.stage, s.pct, s.note);
        return;
      case 'timeout_warning':
        rec.push({ type: 'workflow.timeout_warning', payload: { stage: s.stage, elapsedMs: s.elapsedMs, timeoutMs: s.timeoutMs } });
        return;
      case 'custom':
        rec.push({ type: 'workflow.custom', payload: { stage: s.stage, name: s.name, data: s.data } });
        return;
      case 'decision':
        rec.tie(task, { draft: { type: 'workflow.decision_made', payload: { decision: s.record, reused: s.reused } } });
        return;
    }
  }

  /** At most one progress event per stage per 1 % or 100 ms; a stage's 100 % is tied to its task. */
  private progress(task: string | undefined, stage: string, stagePct: number, note?: string): void {
    const now = performance.now();
    const last = this.lastPct.get(stage);
    if (last && stagePct < 100 && stagePct - last.pct < 1 && now - last.at < 100) return;
    this.lastPct.set(stage, { pct: stagePct, at: now });
    const { progressPct, etaMs } = this.tracker.snapshot();
    this.rec.tie(task, { draft: { type: 'workflow.progress_updated', payload: { stage, stagePct, progressPct, etaMs, ...(note ? { note } : {}) } } });
    this.rec.patch({ progress: progressPct, etaMs });
  }
}
