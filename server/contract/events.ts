/**
 * The wire form of RunEvent, decision records and serialised errors, as zod schemas.
 * They mirror the closed unions in `graph/` (checked at compile time at the bottom of
 * this file), so the OpenAPI document and the typed client say exactly what the
 * engine emits. Browser-safe: zod and type-only imports.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../../graph/decisions/types.ts';
import type { RecoveryAction, RunEvent, RunEventPayloads, RunEventType, StageChange } from '../../graph/events/types.ts';
import type { RunStatus } from '../../graph/runs/status.ts';
import type { SerializedError } from '../../nodes/errors.ts';

export const RUN_STATUS_VALUES = ['queued', 'running', 'paused', 'waiting_input', 'completed', 'failed', 'aborted'] as const;
export const RunStatusSchema = z.enum(RUN_STATUS_VALUES).describe('Run status (see the transition table).');

export const SerializedErrorSchema = z.object({
  code: z.string(),
  class: z.enum(['transient', 'validation', 'degradable', 'fatal']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  hint: z.string().optional(),
});

export const EvidenceSchema = z.object({
  ruleId: z.string(),
  dataPoint: z.string().optional(),
  clause: z.string().optional(),
  source: z.string().optional(),
});

export const DecisionMethodSchema = z.enum(['rule', 'llm', 'preference', 'default']);

export const DecisionRecordSchema = z.object({
  id: z.string(),
  point: z.string(),
  iteration: z.int().min(0),
  chosen: z.string(),
  alternatives: z.array(z.object({ option: z.string(), reason: z.string(), ruleIds: z.array(z.string()).optional() })),
  explanation: z.string(),
  evidence: z.array(EvidenceSchema),
  confidence: z.number().min(0).max(1),
  method: DecisionMethodSchema,
  inputs: z.record(z.string(), z.unknown()),
  options: z.array(z.string()),
  notes: z.array(z.string()).optional(),
  preference: z.object({
    owner: z.string(),
    baseline: z.object({ chosen: z.string(), method: DecisionMethodSchema, confidence: z.number(), ruleIds: z.array(z.string()) }),
    weights: z.record(z.string(), z.number()),
    advantage: z.number().optional(),
  }).optional(),
  decidedAt: z.string(),
});

const STAGE_CHANGES = ['started', 'step', 'completed', 'failed', 'skipped', 'compensated', 'compensation_failed'] as const;
const RECOVERY_ACTIONS = ['retry', 'skip', 'provide_input', 'rollback', 'abort'] as const;

const base = { runId: z.string(), seq: z.int().min(1), at: z.string() };
const ev = <T extends string, P extends z.ZodType>(type: T, payload: P) => z.object({ type: z.literal(type), payload, ...base });

export const RunEventSchema = z.discriminatedUnion('type', [
  ev('workflow.started', z.object({ workflowId: z.string(), request: z.unknown(), owner: z.string() })),
  ev('workflow.stage_changed', z.object({
    stage: z.string(),
    change: z.enum(STAGE_CHANGES),
    attempt: z.int().optional(),
    durationMs: z.number().optional(),
    error: SerializedErrorSchema.optional(),
    willRetry: z.boolean().optional(),
    completion: z.string().optional(),
    warning: z.string().optional(),
    by: z.string().optional(),
  })),
  ev('workflow.progress_updated', z.object({ stage: z.string(), stagePct: z.number(), progressPct: z.number(), etaMs: z.number(), note: z.string().optional() })),
  ev('workflow.decision_made', z.object({ decision: DecisionRecordSchema, reused: z.boolean() })),
  ev('workflow.timeout_warning', z.object({ stage: z.string(), elapsedMs: z.number(), timeoutMs: z.number() })),
  ev('workflow.error', z.object({ stage: z.string().optional(), error: SerializedErrorSchema, willRetry: z.boolean() })),
  ev('workflow.paused', z.object({ reason: z.enum(['pause', 'shutdown', 'input']), by: z.string().optional(), next: z.array(z.string()), question: z.unknown().optional() })),
  ev('workflow.resumed', z.object({
    from: z.enum(['paused', 'waiting_input', 'crash', 'restore', 'failed']),
    checkpointId: z.string().optional(),
    by: z.string().optional(),
    action: z.enum(RECOVERY_ACTIONS).optional(),
    reason: z.string().optional(),
    stage: z.string().optional(),
    fromCheckpointId: z.string().optional(),
  })),
  ev('workflow.completed', z.object({ degraded: z.boolean(), warnings: z.array(z.string()), durationMs: z.number() })),
  ev('workflow.failed', z.object({ error: SerializedErrorSchema, stage: z.string().optional() })),
  ev('workflow.aborted', z.object({ reason: z.string(), by: z.string().optional(), compensated: z.array(z.string()), failed: z.array(z.string()).optional() })),
  ev('workflow.custom', z.object({ stage: z.string(), name: z.string(), data: z.record(z.string(), z.unknown()) })),
]);

// Compile-time drift checks against the engine's own types: each direction must hold,
// and every payload must name the same fields (optional ones included).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type ZodPayloads = { [E in z.infer<typeof RunEventSchema> as E['type']]: E['payload'] };
type PayloadKeysMatch = { [T in RunEventType]: Same<keyof ZodPayloads[T], keyof RunEventPayloads[T]> }[RunEventType];
export type _EventTypes = Assert<Same<z.infer<typeof RunEventSchema>['type'], RunEventType>>;
export type _PayloadKeys = Assert<PayloadKeysMatch>;
export type _Statuses = Assert<Same<(typeof RUN_STATUS_VALUES)[number], RunStatus>>;
export type _Changes = Assert<Same<(typeof STAGE_CHANGES)[number], StageChange>>;
export type _Recovery = Assert<Same<(typeof RECOVERY_ACTIONS)[number], RecoveryAction>>;
export type _Errors = Assert<Same<z.infer<typeof SerializedErrorSchema>, SerializedError>>;
export type _ErrorKeys = Assert<Same<keyof z.infer<typeof SerializedErrorSchema>, keyof SerializedError>>;
export type _Decisions = Assert<Same<z.infer<typeof DecisionRecordSchema>, DecisionRecord>>;
export type _DecisionKeys = Assert<Same<keyof z.infer<typeof DecisionRecordSchema>, keyof DecisionRecord>>;
const _eventsIn = (e: RunEvent): z.infer<typeof RunEventSchema> => e;
const _eventsOut = (e: z.infer<typeof RunEventSchema>): RunEvent => e;
void _eventsIn;
void _eventsOut;
