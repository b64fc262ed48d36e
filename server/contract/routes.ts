/** Every REST route of the API, in one table. The WebSocket endpoint is in `ws.ts`. */
import * as s from './schemas.ts';
import * as h from './hooks.ts';
import * as tpl from './templates.ts';
import * as ev from './evaluations.ts';
import * as pt from './patterns.ts';
import { route } from './route.ts';

const RUN = ['run_not_found'] as const;
/** A control request that loses a race answers `transition_conflict`, or `run_locked` while another request or process has the run. */
const CONTROL = ['run_not_found', 'invalid_transition', 'transition_conflict', 'run_locked'] as const;

export const routes = {
  orchestrate: route({
    id: 'orchestrate', method: 'post', path: '/api/agent/orchestrate', tag: 'runs',
    summary: 'Start a run of a workflow',
    description: 'Creates the run and starts it in the background, or, on a server that starts runs through the queue (`serve --workers`), queues it (status `queued`) for a worker, by `options.priority` and not before `options.startAfter`. Follow it over the WebSocket `/api/agent/progress` or poll `links.self`.',
    body: s.OrchestrateBody, status: 202, response: s.OrchestrateResponse,
    errors: ['workflow_not_found', 'invalid_json', 'payload_too_large', 'unsupported_media_type', 'queue_required'],
  }),
  listRuns: route({
    id: 'listRuns', method: 'get', path: '/api/agent/runs', tag: 'runs',
    summary: "The caller's runs, newest first",
    query: s.ListRunsQuery, status: 200, response: s.ListRunsResponse,
  }),
  getRun: route({
    id: 'getRun', method: 'get', path: '/api/agent/{sessionId}', tag: 'runs',
    summary: 'A run: status, stage, progress and ETA, decisions, partial results, links',
    params: s.RunParams, status: 200, response: s.RunDetail, errors: RUN,
  }),
  pause: route({
    id: 'pause', method: 'post', path: '/api/agent/{sessionId}/pause', tag: 'control',
    summary: 'Pause at the next checkpoint', description: 'Returns once the run is paused (within about a second).',
    params: s.RunParams, body: s.EmptyBody, status: 202, response: s.ControlResponse, errors: CONTROL,
  }),
  resume: route({
    id: 'resume', method: 'post', path: '/api/agent/{sessionId}/resume', tag: 'control',
    summary: 'Resume a paused run from its checkpoint',
    params: s.RunParams, body: s.EmptyBody, status: 202, response: s.ControlResponse, errors: CONTROL,
  }),
  abort: route({
    id: 'abort', method: 'post', path: '/api/agent/{sessionId}/abort', tag: 'control',
    summary: 'Abort: stop in-flight work and compensate completed stages',
    params: s.RunParams, body: s.AbortBody, status: 202, response: s.ControlResponse, errors: CONTROL,
  }),
  answer: route({
    id: 'answer', method: 'post', path: '/api/agent/{sessionId}/answer', tag: 'control',
    summary: 'Answer the question of a run waiting for input',
    params: s.RunParams, body: s.AnswerBody, status: 202, response: s.ControlResponse, errors: CONTROL,
  }),
  recover: route({
    id: 'recover', method: 'post', path: '/api/agent/{sessionId}/recover', tag: 'control',
    summary: 'A recovery action: retry, skip, provide_input, rollback or abort',
    description: 'Valid only in the statuses the transition table allows (retry, skip and rollback on a failed run, provide_input on a run waiting for input). Logged with the caller and the reason; the run continues in the background.',
    params: s.RunParams, body: s.RecoverBody, status: 202, response: s.ControlResponse,
    errors: [...CONTROL, 'checkpoint_not_found', 'skip_not_allowed', 'input_required', 'stage_not_reached', 'invalid_recovery_action', 'circuit_open'],
  }),
  checkpoints: route({
    id: 'checkpoints', method: 'get', path: '/api/agent/{sessionId}/checkpoints', tag: 'control',
    summary: "The run's checkpoints, newest first",
    params: s.RunParams, status: 200, response: s.CheckpointsResponse, errors: RUN,
  }),
  restore: route({
    id: 'restore', method: 'post', path: '/api/agent/{sessionId}/restore/{checkpointId}', tag: 'control',
    summary: 'Fork the run from a checkpoint and continue from there',
    params: s.RestoreParams, body: s.EmptyBody, status: 202, response: s.ControlResponse,
    errors: [...CONTROL, 'checkpoint_not_found'],
  }),
  events: route({
    id: 'events', method: 'get', path: '/api/agent/{sessionId}/events', tag: 'observe',
    summary: 'Logged events with seq greater than `since`, in order',
    params: s.RunParams, query: s.EventsQuery, status: 200, response: s.EventsResponse, errors: RUN,
  }),
  timeline: route({
    id: 'timeline', method: 'get', path: '/api/agent/{sessionId}/timeline', tag: 'observe',
    summary: 'Stage executions with attempts, durations and handoffs, derived from the event log',
    params: s.RunParams, status: 200, response: s.TimelineResponse, errors: RUN,
  }),
  decisions: route({
    id: 'decisions', method: 'get', path: '/api/agent/{sessionId}/decisions', tag: 'observe',
    summary: 'Every decision of the run with its explanation, evidence and alternatives',
    params: s.RunParams, status: 200, response: s.DecisionsResponse, errors: RUN,
  }),
  partialResults: route({
    id: 'partialResults', method: 'get', path: '/api/agent/{sessionId}/partial-results', tag: 'observe',
    summary: "Every completed stage's output, in any run state",
    params: s.RunParams, status: 200, response: s.PartialResultsResponse, errors: RUN,
  }),
  partialPackage: route({
    id: 'partialPackage', method: 'post', path: '/api/agent/{sessionId}/partial-package', tag: 'observe',
    summary: 'Write the partial-results package (`partial.json`) of a run in any state',
    description: 'Completed stages with outputs, missing stages with why, warnings and decisions, written as the artifact `partial.json`. Answers with a summary and its link.',
    params: s.RunParams, body: s.EmptyBody, status: 200, response: s.PartialPackageResponse, errors: RUN,
  }),
  artifacts: route({
    id: 'artifacts', method: 'get', path: '/api/agent/{sessionId}/artifacts', tag: 'observe',
    summary: 'Files the run wrote',
    params: s.RunParams, status: 200, response: s.ArtifactsResponse, errors: RUN,
  }),
  artifact: route({
    id: 'artifact', method: 'get', path: '/api/agent/{sessionId}/artifacts/{name}', tag: 'observe',
    summary: 'One file the run wrote', description: 'Only names listed by the artifacts endpoint are served.',
    params: s.ArtifactParams, status: 200, produces: 'application/octet-stream', errors: [...RUN, 'artifact_not_found'],
  }),
  explainDecision: route({
    id: 'explainDecision', method: 'get', path: '/api/agent/decisions/{decisionId}/explain', tag: 'decisions',
    summary: 'Why a decision was made, and what would have changed it (counterfactuals)',
    params: s.DecisionParams, status: 200, response: s.DecisionExplanationResponse, errors: ['decision_not_found'],
  }),
  decisionFeedback: route({
    id: 'decisionFeedback', method: 'post', path: '/api/agent/decisions/{decisionId}/feedback', tag: 'decisions',
    summary: "Agree or disagree with a decision of one of the caller's runs; teaches the caller's preferences",
    description: 'A later feedback on the same decision replaces the earlier one.',
    params: s.DecisionParams, body: s.FeedbackBody, status: 200, response: s.FeedbackResponse, errors: ['decision_not_found', 'invalid_feedback'],
  }),
  preferences: route({
    id: 'preferences', method: 'get', path: '/api/agent/preferences', tag: 'decisions',
    summary: "The caller's learned preference weights, by decision point",
    status: 200, response: s.PreferencesResponse,
  }),
  resetPreferences: route({
    id: 'resetPreferences', method: 'delete', path: '/api/agent/preferences', tag: 'decisions',
    summary: "Forget the caller's learned preferences (of one point with `?point=`)",
    query: s.ResetPreferencesQuery, status: 200, response: s.ResetPreferencesResponse,
  }),
  plugins: route({
    id: 'plugins', method: 'get', path: '/api/plugins', tag: 'catalog',
    summary: 'Registered stage plugins with their input and output JSON Schemas',
    query: s.PluginsQuery, status: 200, response: s.PluginsResponse,
  }),
  workflows: route({
    id: 'workflows', method: 'get', path: '/api/workflows', tag: 'catalog',
    summary: 'Registered workflows: nodes, edges and decision points',
    description: 'Workflows registered in code (`source: code`), then workflow templates (`source: template`) at their latest version, with every version.',
    status: 200, response: s.WorkflowsResponse,
  }),
  createWorkflow: route({
    id: 'createWorkflow', method: 'post', path: '/api/workflows', tag: 'catalog',
    summary: 'Create a workflow template, or the next version of one',
    description: 'The body is a template (GET /api/workflows/template.schema.json, docs/templates.md), checked against the registered packs at once: unknown stages, decision points or patterns, parameters or schemas that do not fit, unbounded loops and unreachable nodes are refused with 422 `invalid_template`, `details.path` naming the place (e.g. `steps[2].stage`). A body under an existing template id is its next version; runs started earlier keep their version.',
    body: tpl.CreateWorkflowBody, status: 200, response: tpl.CreateWorkflowResponse, errors: ['invalid_template'],
  }),
  templateSchema: route({
    id: 'templateSchema', method: 'get', path: '/api/workflows/template.schema.json', tag: 'catalog', public: true,
    summary: 'The workflow template format as JSON Schema (with the known pattern blocks)',
    status: 200, response: tpl.TemplateJsonSchema,
  }),
  workflowVersions: route({
    id: 'workflowVersions', method: 'get', path: '/api/workflows/{id}/versions', tag: 'catalog',
    summary: "A workflow template's versions, oldest first, each with its body",
    params: tpl.WorkflowParams, status: 200, response: tpl.WorkflowVersionsResponse, errors: ['workflow_not_found'],
  }),
  patterns: route({
    id: 'patterns', method: 'get', path: '/api/patterns', tag: 'catalog',
    summary: 'Coordination patterns (sequential, parallel, supervisor, hierarchical, handoff, swarm): when to use each, its template block as JSON Schema, a diagram of its example',
    description: 'See docs/patterns.md. A diagram is Mermaid, drawn by LangGraph from the example workflow\'s compiled graph.',
    status: 200, response: pt.PatternsResponse,
  }),
  stats: route({
    id: 'stats', method: 'get', path: '/api/stats', tag: 'observe',
    summary: "Per-stage and per-workflow statistics of the caller's runs",
    query: s.StatsQuery, status: 200, response: s.StatsResponse,
  }),
  createHook: route({
    id: 'createHook', method: 'post', path: '/api/hooks', tag: 'hooks',
    summary: "Register a webhook on the caller's runs",
    description: 'Deliveries are POSTed as JSON signed with HMAC-SHA256 (`X-Stagegraph-Signature: sha256=<hex>`), retried with exponential backoff and dead-lettered after `retries` (see docs/hooks.md). The secret is answered only here.',
    body: h.CreateHookBody, status: 200, response: h.CreateHookResponse, errors: ['invalid_hook'],
  }),
  listHooks: route({
    id: 'listHooks', method: 'get', path: '/api/hooks', tag: 'hooks',
    summary: "The caller's webhooks and the packs' code hooks",
    status: 200, response: h.ListHooksResponse,
  }),
  deleteHook: route({
    id: 'deleteHook', method: 'delete', path: '/api/hooks/{hookId}', tag: 'hooks',
    summary: "Delete one of the caller's webhooks; its waiting deliveries become dead",
    params: h.HookParams, status: 200, response: h.DeleteHookResponse, errors: ['hook_not_found'],
  }),
  runHooks: route({
    id: 'runHooks', method: 'get', path: '/api/agent/{sessionId}/hooks', tag: 'observe',
    summary: "Every hook delivery of the run's events, with each attempt (delivered, failed and retrying, dead)",
    params: s.RunParams, status: 200, response: h.RunHooksResponse, errors: RUN,
  }),
  evaluations: route({
    id: 'evaluations', method: 'get', path: '/api/evaluations', tag: 'observe',
    summary: "Each workflow's metrics and grades over the caller's runs, and regressions since its baseline",
    description: 'Per workflow and stage: success rate, duration percentiles, errors by class, retries, decision confidence and agreement with feedback, graded EXCELLENT / GOOD / FAIR / POOR; and the check of the runs since the latest baseline (`stagegraph eval baseline`) with each regression\'s evidence. See docs/evaluation.md.',
    query: ev.EvaluationsQuery, status: 200, response: ev.EvaluationsResponse,
  }),
  evaluation: route({
    id: 'evaluation', method: 'get', path: '/api/evaluations/{workflowId}', tag: 'observe',
    summary: "One workflow's evaluation (as in /api/evaluations)",
    params: ev.EvaluationParams, query: ev.EvaluationsQuery, status: 200, response: ev.WorkflowEvaluationSchema, errors: ['workflow_not_found'],
  }),
  openapi: route({
    id: 'openapi', method: 'get', path: '/openapi.json', tag: 'operations', public: true,
    summary: 'This document', status: 200, response: s.OpenApiDocument,
  }),
  metrics: route({
    id: 'metrics', method: 'get', path: '/metrics', tag: 'operations', public: true,
    summary: 'Prometheus metrics', status: 200, produces: 'text/plain',
  }),
  health: route({
    id: 'health', method: 'get', path: '/healthz', tag: 'operations', public: true,
    summary: 'Liveness', status: 200, response: s.HealthResponse,
  }),
  ready: route({
    id: 'ready', method: 'get', path: '/readyz', tag: 'operations', public: true,
    summary: 'Readiness: the database answers', status: 200, response: s.ReadyResponse, errors: ['not_ready'],
  }),
} as const;

export type Routes = typeof routes;
export type RouteId = keyof Routes;
