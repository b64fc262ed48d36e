/**
 * A run's timeline, derived from its event log alone: each stage execution with its
 * attempts (and steps), wall-clock durations, the handoffs between consecutive
 * stages, decisions and pauses. A new execution of a stage starts with a `started`
 * event while no execution of it is open; its handoff comes from the stage that last
 * completed (or was skipped) before it — the same rule `/api/stats` counts by.
 */
import type { z } from 'zod';
import type { RunEvent } from '../../graph/events/types.ts';
import type { RunStatus } from '../../graph/runs/status.ts';
import type { AttemptInfo, StageExecution, TimelineResponse } from '../contract/schemas.ts';

type Execution = z.output<typeof StageExecution>;
type Attempt = z.output<typeof AttemptInfo>;

const ms = (from: string, to: string) => Date.parse(to) - Date.parse(from);

function endAttempt(a: Attempt | undefined, at: string, outcome: Attempt['outcome']): Attempt | undefined {
  if (!a || a.outcome !== 'running') return undefined;
  a.outcome = outcome;
  a.endedAt = at;
  a.durationMs = ms(a.startedAt, at);
  return a;
}

function close(x: Execution, at: string, status: Execution['status']): void {
  x.status = status;
  x.endedAt = at;
  x.durationMs = ms(x.startedAt, at);
}

export function buildTimeline(sessionId: string, status: RunStatus, events: readonly RunEvent[]): z.output<typeof TimelineResponse> {
  const stages: Execution[] = [];
  const open = new Map<string, Execution>();
  const executions = new Map<string, number>();
  const out: z.output<typeof TimelineResponse> = {
    sessionId, status, startedAt: null, endedAt: null, durationMs: null, stages, handoffs: [], decisions: [], interruptions: [],
  };
  let lastDone: { stage: string; at: string } | undefined;
  const current = (stage: string) => open.get(stage)?.attempts.at(-1);

  for (const e of events) {
    switch (e.type) {
      case 'workflow.started':
        out.startedAt ??= e.at;
        break;
      case 'workflow.stage_changed': {
        const { stage, change } = e.payload;
        if (change === 'started') {
          let x = open.get(stage);
          if (!x) {
            const n = executions.get(stage) ?? 0;
            executions.set(stage, n + 1);
            x = { stage, execution: n, status: 'running', startedAt: e.at, endedAt: null, durationMs: null, attempts: [], steps: 0 };
            open.set(stage, x);
            stages.push(x);
            if (lastDone) out.handoffs.push({ from: lastDone.stage, to: stage, at: e.at, gapMs: ms(lastDone.at, e.at) });
          } else {
            endAttempt(x.attempts.at(-1), e.at, 'interrupted');
          }
          x.attempts.push({ attempt: e.payload.attempt ?? 1, startedAt: e.at, endedAt: null, durationMs: null, outcome: 'running' });
        } else if (change === 'step') {
          const x = open.get(stage);
          if (x && endAttempt(current(stage), e.at, 'step')) x.steps += 1;
        } else if (change === 'completed') {
          const x = open.get(stage);
          if (x) {
            endAttempt(current(stage), e.at, 'completed');
            close(x, e.at, 'completed');
            open.delete(stage);
          }
          lastDone = { stage, at: e.at };
        } else if (change === 'failed') {
          const x = open.get(stage);
          if (x) {
            const a = endAttempt(current(stage), e.at, 'failed');
            if (a && e.payload.error) a.error = e.payload.error;
            close(x, e.at, 'failed');
            open.delete(stage);
          }
        } else if (change === 'skipped') {
          const x = open.get(stage) ?? stages.findLast((s) => s.stage === stage && s.status === 'failed');
          if (x) {
            endAttempt(x.attempts.at(-1), e.at, 'failed');
            close(x, x.endedAt ?? e.at, 'skipped');
            open.delete(stage);
          }
          lastDone = { stage, at: e.at };
        }
        break;
      }
      case 'workflow.error': {
        const stage = e.payload.stage;
        if (!stage) break;
        const a = endAttempt(current(stage), e.at, e.payload.willRetry ? 'retried' : 'failed');
        if (a) a.error = e.payload.error;
        break;
      }
      case 'workflow.decision_made':
        if (!e.payload.reused) out.decisions.push({ point: e.payload.decision.point, chosen: e.payload.decision.chosen, method: e.payload.decision.method, at: e.at });
        break;
      case 'workflow.paused':
        out.interruptions.push({ reason: e.payload.reason, at: e.at, resumedAt: null });
        for (const x of open.values()) endAttempt(x.attempts.at(-1), e.at, 'interrupted');
        break;
      case 'workflow.resumed': {
        const last = out.interruptions.at(-1);
        if (last && last.resumedAt === null) last.resumedAt = e.at;
        out.endedAt = null;
        break;
      }
      case 'workflow.completed':
      case 'workflow.failed':
      case 'workflow.aborted':
        out.endedAt = e.at;
        for (const x of open.values()) {
          endAttempt(x.attempts.at(-1), e.at, 'interrupted');
          close(x, e.at, 'interrupted');
        }
        open.clear();
        break;
      default:
        break;
    }
  }
  if (out.startedAt && out.endedAt) out.durationMs = ms(out.startedAt, out.endedAt);
  return out;
}
