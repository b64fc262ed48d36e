/**
 * Request and response bodies of the REST API as zod schemas: the server validates
 * with them, the OpenAPI document is generated from them and the client is typed by
 * them. Browser-safe: zod only.
 */
import { z } from 'zod';
import { DecisionRecordSchema, RunEventSchema, RunStatusSchema, SerializedErrorSchema } from './events.ts';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_INT32 = 2 ** 31 - 1;

/** Query strings arrive as text; these coerce and bound them. */
const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SessionId = z.uuid().describe('The run id (also the LangGraph thread id).');
export const WorkflowId = z.string().max(100).regex(KEBAB, 'a kebab-case workflow id');

// ---- errors ----------------------------------------------------------------

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. `run_not_found`.'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    hint: z.string().optional(),
    requestId: z.string(),
  }),
});

// ---- runs ------------------------------------------------------------------

export const RunLinks = z.object({
  self: z.string(),
  events: z.string(),
  timeline: z.string(),
  decisions: z.string(),
  partialResults: z.string(),
  checkpoints: z.string(),
  artifacts: z.string(),
  pause: z.string(),
  resume: z.string(),
  abort: z.string(),
  answer: z.string(),
  /** The WebSocket endpoint; subscribe with this run id. */
  progress: z.string(),
});

const JsonValue = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string(), z.number(), z.boolean(), z.null()]);

export const OrchestrateBody = z.strictObject({
  workflow: WorkflowId.optional().describe('Workflow id; the server default when omitted.'),
  request: z.union([z.string().min(1).max(100_000), z.record(z.string(), z.unknown())]).describe('Plain-language text or a structured request.'),
  options: z.strictObject({
    seed: z.int().min(0).max(MAX_INT32).optional(),
    durability: z.enum(['sync', 'async']).optional().describe("'sync' (default): each step is durable before the next starts; a crash redoes at most the stages in flight. 'async': cheaper; a crash may also redo the last step."),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().describe("Queue order when the server starts runs through the queue (`serve --workers`): higher first, then older first. Default 'normal'."),
    startAfter: z.union([z.iso.datetime({ offset: true }), z.number().min(0).max(366 * 86_400)]).optional()
      .describe('Queue only: the earliest start, as an ISO 8601 date-time or seconds from now. Refused (400 queue_required) by a server that executes runs unqueued.'),
    templateVersion: z.int().min(1).max(MAX_INT32).optional().describe("A template workflow's version to run; its latest when omitted. The run keeps it to the end."),
  }).optional(),
});

export const OrchestrateResponse = z.object({
  sessionId: SessionId,
  workflow: z.string(),
  status: RunStatusSchema,
  createdAt: z.string(),
  links: RunLinks,
});

export const ListRunsQuery = z.strictObject({
  status: RunStatusSchema.optional(),
  workflow: WorkflowId.optional(),
  limit: queryInt(1, 200).default(50),
  offset: queryInt(0, 1_000_000).default(0),
});

export const Progress = z.object({
  percent: z.number().min(0).max(100),
  etaMs: z.number().nullable(),
  /** Estimated finish time (ISO 8601) while the run executes. */
  eta: z.string().nullable(),
});

export const RunSummary = z.object({
  sessionId: SessionId,
  workflow: z.string(),
  status: RunStatusSchema,
  stage: z.string().nullable(),
  progress: Progress,
  degraded: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  links: z.object({ self: z.string() }),
});

export const ListRunsResponse = z.object({
  runs: z.array(RunSummary),
  page: z.object({ limit: z.int(), offset: z.int(), next: z.string().nullable() }),
});

export const DecisionSummary = z.object({
  id: z.string(),
  point: z.string(),
  iteration: z.int(),
  chosen: z.string(),
  method: z.enum(['rule', 'llm', 'preference', 'default']),
  confidence: z.number(),
  explanation: z.string(),
});

export const StageWarningSchema = z.object({ stage: z.string(), code: z.string(), class: z.string(), message: z.string() });

export const RunDetail = RunSummary.extend({
  request: z.unknown(),
  next: z.array(z.string()),
  completed: z.array(z.string()),
  skipped: z.array(z.string()),
  missing: z.array(z.string()),
  warnings: z.array(StageWarningSchema),
  question: z.unknown(),
  error: SerializedErrorSchema.nullable(),
  decisions: z.array(DecisionSummary),
  partialResults: z.object({ stages: z.array(z.string()) }),
  links: RunLinks,
});

export const RunActionName = z.enum(['pause', 'resume', 'abort', 'answer', 'restore', 'recover']);

export const ControlResponse = z.object({
  sessionId: SessionId,
  action: RunActionName,
  /** The status after the action (resume, answer and restore continue in the background). */
  status: RunStatusSchema,
  links: z.object({ self: z.string() }),
});

export const EmptyBody = z.strictObject({});
export const AbortBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });
export const AnswerBody = z.strictObject({ answer: JsonValue.describe('Merged into the asking stage\'s input (an object patch) or replaces it.') });

export const RunParams = z.strictObject({ sessionId: SessionId });
export const RestoreParams = z.strictObject({ sessionId: SessionId, checkpointId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a checkpoint id') });
export const ArtifactParams = z.strictObject({
  sessionId: SessionId,
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'a file name without path separators'),
});

export const CheckpointSchema = z.object({
  checkpointId: z.string(),
  parentCheckpointId: z.string().optional(),
  createdAt: z.string(),
  step: z.int(),
  next: z.array(z.string()),
  completed: z.array(z.string()),
});
export const CheckpointsResponse = z.object({ checkpoints: z.array(CheckpointSchema) });

export const EventsQuery = z.strictObject({
  since: queryInt(0, MAX_INT32).default(0),
  limit: queryInt(1, 10_000).default(1000),
});
export const EventsResponse = z.object({
  events: z.array(RunEventSchema),
  /** The seq of the last event returned (or `since` when none). */
  lastSeq: z.int(),
  /** More events follow: ask again with `since=lastSeq`. */
  more: z.boolean(),
});

export const DecisionsResponse = z.object({ decisions: z.array(DecisionRecordSchema) });

export const PartialResultsResponse = z.object({
  sessionId: SessionId,
  status: RunStatusSchema,
  partialResults: z.record(z.string(), z.unknown()),
  completed: z.array(z.string()),
  skipped: z.array(z.string()),
  missing: z.array(z.string()),
  warnings: z.array(StageWarningSchema),
});

// ---- recovery --------------------------------------------------------------

export const RecoveryActionName = z.enum(['retry', 'skip', 'provide_input', 'rollback', 'abort']);
export const RecoverBody = z.strictObject({
  action: RecoveryActionName.describe('retry the failed stage, skip it (optional stages only), provide the input asked for, roll back to a checkpoint (compensating what completed after it), or abort.'),
  reason: z.string().min(1).max(500).optional().describe('Why; logged with the action.'),
  input: z.unknown().optional().describe('`provide_input`: the answer, merged into the asking stage\'s input.'),
  checkpointId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a checkpoint id').optional().describe('`rollback`: the checkpoint to go back to.'),
  stage: z.string().min(1).max(200).optional().describe('`rollback`: go back to before the latest run of this stage.'),
});

export const PartialPackageResponse = z.object({
  sessionId: SessionId,
  status: RunStatusSchema,
  degraded: z.boolean(),
  generatedAt: z.string(),
  error: SerializedErrorSchema.nullable(),
  completed: z.array(z.object({ stage: z.string(), compensated: z.boolean() })),
  missing: z.array(z.object({ stage: z.string(), why: z.enum(['failed', 'skipped', 'waiting_input', 'aborted', 'not_reached']) })),
  warnings: z.array(StageWarningSchema),
  decisions: z.int().describe('Decisions included in the package.'),
  /** The artifact the package was written to; download it from `href`. */
  artifact: z.literal('partial.json'),
  href: z.string(),
});

// ---- decision feedback and preferences ---------------------------------------

export const DecisionParams = z.strictObject({ decisionId: z.uuid().describe('A decision id (from a run\'s decisions).') });

export const DecisionExplanationResponse = z.object({
  decisionId: z.string(),
  runId: z.string(),
  point: z.string(),
  chosen: z.string(),
  method: z.enum(['rule', 'llm', 'preference', 'default']),
  confidence: z.number(),
  decidingRules: z.array(z.string()),
  withoutDecidingRules: z.object({ chosen: z.string(), by: z.string(), ruleIds: z.array(z.string()) }).optional(),
  counterfactuals: z.array(z.object({ input: z.string(), condition: z.string(), chosen: z.string(), by: z.string(), ruleIds: z.array(z.string()) })),
  text: z.string().describe('The human-readable explanation.'),
});

export const FeedbackBody = z.strictObject({
  verdict: z.enum(['agree', 'disagree']),
  preferred: z.string().min(1).max(200).optional().describe('With `disagree`: the option you would have chosen.'),
  reason: z.string().max(500).optional(),
});

export const PreferenceWeightsSchema = z.object({
  options: z.record(z.string(), z.number()),
  criteria: z.record(z.string(), z.number()),
  feedback: z.int(),
});

export const FeedbackResponse = z.object({
  feedbackId: z.string(),
  decisionId: z.string(),
  point: z.string(),
  /** The point's weights for the caller afterwards. */
  weights: PreferenceWeightsSchema,
  /** True when an earlier feedback on the same decision was replaced. */
  replaced: z.boolean(),
});

export const PreferencesResponse = z.object({ preferences: z.record(z.string(), PreferenceWeightsSchema) });
export const ResetPreferencesQuery = z.strictObject({ point: z.string().min(1).max(200).optional().describe('Only this decision point; all when omitted.') });
export const ResetPreferencesResponse = z.object({ point: z.string().nullable(), reset: z.int().describe('Learned weights removed.') });

export const ArtifactInfo = z.object({ name: z.string(), size: z.int(), modifiedAt: z.string(), href: z.string() });
export const ArtifactsResponse = z.object({ artifacts: z.array(ArtifactInfo) });

// ---- catalog ---------------------------------------------------------------

export const JsonSchemaObject = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12).');

export const PackRefInfo = z.object({ id: z.string(), version: z.string() }).describe('A plugin pack: its id and version.');

export const PluginInfo = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string().describe('What the plugin does, and the pack that offers it.'),
  pack: PackRefInfo.nullable().describe('The pack that offers the plugin; null for a workflow registered outside any pack.'),
  capabilities: z.array(z.string()),
  policy: z.object({ timeoutMs: z.number(), optional: z.boolean(), estimateMs: z.number(), stepped: z.boolean() }),
  input: JsonSchemaObject,
  output: JsonSchemaObject,
  workflows: z.array(z.string()),
});
export const PluginsQuery = z.strictObject({ capability: z.string().min(1).max(100).optional() });
export const PluginsResponse = z.object({ plugins: z.array(PluginInfo) });

export const WorkflowNode = z.object({ id: z.string(), kind: z.enum(['start', 'end', 'stage', 'decision']), description: z.string().optional() });
export const WorkflowEdge = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(['sequence', 'route', 'loop', 'loop_exit']),
  /** The decision option that takes this edge (route edges). */
  option: z.string().optional(),
  maxIterations: z.int().optional(),
});
export const DecisionPointInfo = z.object({
  name: z.string(),
  description: z.string(),
  /** Fixed options, or `null` when computed from the run's data. */
  options: z.array(z.string()).nullable(),
  default: z.string().nullable(),
  rules: z.array(z.object({ id: z.string(), confidence: z.number(), priority: z.number(), safety: z.boolean() })),
  llmPrompt: z.boolean(),
});
export const WorkflowInfo = z.object({
  id: z.string(),
  description: z.string(),
  nodes: z.array(WorkflowNode),
  edges: z.array(WorkflowEdge),
  decisionPoints: z.array(DecisionPointInfo),
  /** Stages and decision points in topological order (loops cut). */
  order: z.array(z.string()),
  /** `code`: registered by a pack or in code; `template`: data created with `POST /api/workflows`. */
  source: z.enum(['code', 'template']).optional(),
  /** A template's latest version (what a run starts on unless it names one). */
  version: z.int().optional(),
  /** Every version of a template, oldest first. */
  versions: z.array(z.int()).optional(),
  /** Who created the template's latest version. */
  owner: z.string().optional(),
});
export const WorkflowsResponse = z.object({ workflows: z.array(WorkflowInfo) });

// ---- timeline --------------------------------------------------------------

export const AttemptInfo = z.object({
  attempt: z.int(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** `step` ends one step of a stepped stage; `retried` a failed attempt that is retried. */
  outcome: z.enum(['running', 'step', 'completed', 'failed', 'retried', 'interrupted']),
  error: SerializedErrorSchema.optional(),
});
export const StageExecution = z.object({
  stage: z.string(),
  /** 0 for the first execution of the stage in the run, 1 for a loop's second, ... */
  execution: z.int(),
  status: z.enum(['running', 'completed', 'failed', 'skipped', 'interrupted']),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Wall-clock time from the first attempt's start to the end (retries and backoff included). */
  durationMs: z.number().nullable(),
  attempts: z.array(AttemptInfo),
  steps: z.int(),
});
export const Handoff = z.object({ from: z.string(), to: z.string(), at: z.string(), gapMs: z.number() });
export const TimelineResponse = z.object({
  sessionId: SessionId,
  status: RunStatusSchema,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  stages: z.array(StageExecution),
  handoffs: z.array(Handoff),
  decisions: z.array(z.object({ point: z.string(), chosen: z.string(), method: z.string(), at: z.string() })),
  interruptions: z.array(z.object({ reason: z.string(), at: z.string(), resumedAt: z.string().nullable() })),
});

// ---- stats -----------------------------------------------------------------

export const StatsQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().describe('Start (inclusive); default 30 days before `to`.'),
  to: z.iso.datetime({ offset: true }).optional().describe('End (exclusive); default now.'),
  groupBy: z.enum(['day', 'week', 'month']).default('day'),
});
export const StatsResponse = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['day', 'week', 'month']),
  stages: z.array(z.object({
    period: z.string(),
    workflow: z.string(),
    stage: z.string(),
    executions: z.int(),
    successes: z.int(),
    successRate: z.number().nullable(),
    retries: z.int(),
    failures: z.int(),
    p50Ms: z.number().nullable(),
    p90Ms: z.number().nullable(),
  })),
  workflows: z.array(z.object({ period: z.string(), workflow: z.string(), runs: z.int(), byStatus: z.record(z.string(), z.int()) })),
  handoffs: z.array(z.object({ period: z.string(), workflow: z.string(), from: z.string(), to: z.string(), count: z.int() })),
});

// ---- operations ------------------------------------------------------------

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadyResponse = z.object({
  status: z.literal('ready'),
  database: z.literal('ok'),
  role: z.enum(['single', 'api', 'api+worker']).describe("'single': executes the runs it starts, unqueued; 'api': queues runs for workers, executes none; 'api+worker': queues runs and executes some"),
  queue: z.literal('ok').optional().describe('With the queue (roles api and api+worker): its tables answer.'),
});
export const OpenApiDocument = z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document.');
