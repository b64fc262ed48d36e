/** A run as the API shows it: summary rows for lists, the detail view, and its links. */
import type { z } from 'zod';
import type { RunRow } from '../../graph/runs/store.ts';
import type { RunView } from '../../graph/runs/view.ts';
import type { ControlResponse, RunDetail, RunLinks, RunSummary } from '../contract/schemas.ts';
import { PROGRESS_PATH } from '../contract/ws.ts';

const EXECUTING = new Set(['queued', 'running']);

export function runLinks(id: string): z.output<typeof RunLinks> {
  const self = `/api/agent/${id}`;
  return {
    self,
    events: `${self}/events`,
    timeline: `${self}/timeline`,
    decisions: `${self}/decisions`,
    partialResults: `${self}/partial-results`,
    checkpoints: `${self}/checkpoints`,
    artifacts: `${self}/artifacts`,
    pause: `${self}/pause`,
    resume: `${self}/resume`,
    abort: `${self}/abort`,
    answer: `${self}/answer`,
    progress: PROGRESS_PATH,
  };
}

function progressOf(row: RunRow, now: number) {
  const etaMs = row.status === 'completed' ? 0 : row.etaMs;
  return {
    percent: Math.max(0, Math.min(100, row.progress)),
    etaMs,
    eta: EXECUTING.has(row.status) && etaMs !== null ? new Date(now + etaMs).toISOString() : null,
  };
}

export function toSummary(row: RunRow, now = Date.now()): z.output<typeof RunSummary> {
  return {
    sessionId: row.id,
    workflow: row.workflowId,
    status: row.status,
    stage: row.currentStage,
    progress: progressOf(row, now),
    degraded: row.degraded,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
    links: { self: `/api/agent/${row.id}` },
  };
}

export function toDetail(view: RunView, now = Date.now()): z.output<typeof RunDetail> {
  return {
    ...toSummary(view, now),
    request: view.request,
    next: view.next,
    completed: view.completed,
    skipped: view.skipped,
    missing: view.missing,
    warnings: view.warnings,
    question: view.question,
    error: view.error,
    decisions: view.decisions.map((d) => ({
      id: d.id, point: d.point, iteration: d.iteration, chosen: d.chosen, method: d.method, confidence: d.confidence, explanation: d.explanation,
    })),
    partialResults: { stages: Object.keys(view.partialResults) },
    links: runLinks(view.id),
  };
}

export function toControl(id: string, action: z.output<typeof ControlResponse>['action'], status: RunRow['status']): z.output<typeof ControlResponse> {
  return { sessionId: id, action, status, links: { self: `/api/agent/${id}` } };
}
