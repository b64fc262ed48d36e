/** The workflow engine's public surface. */
export { defineWorkflow, START, END } from './workflow.ts';
export type { WorkflowDefinition, Edge, StaticEdge, RouteEdge } from './workflow.ts';
export { buildWorkflow, FAIL_NODE } from './compile.ts';
export type { BuiltWorkflow, CompiledWorkflow, CompileOptions } from './compile.ts';
export { planWorkflow } from './plan.ts';
export type { WorkflowPlan } from './plan.ts';
export { WorkflowState, WorkflowStateSchema } from './state.ts';
export type { WorkflowStateValue, RunInfo, StageWarning } from './state.ts';
export { createStagegraph } from './runtime.ts';
export type { Stagegraph, StagegraphOptions } from './runtime.ts';
export { definePack, registerPacks, PACK_REFUSALS } from './packs/index.ts';
export type { Pack, PackDefinition, PackRef, PackRegistry, RegisteredStage, RegisterPacksOptions, PackRefusal } from './packs/index.ts';
export { openDatabase } from './store/database.ts';
export type { Database, OpenDatabaseOptions } from './store/database.ts';
export { RUN_STATUSES, TRANSITIONS, assertTransition, canTransition } from './runs/status.ts';
export type { RunStatus, RunAction } from './runs/status.ts';
export type { RunRow, ListRunsQuery } from './runs/store.ts';
export type { RunView, CheckpointInfo } from './runs/view.ts';
export type { StartRunInput, RunsOptions } from './runs/service.ts';
export { RUN_DURABILITIES } from './runs/executor.ts';
export type { RunDurability } from './runs/executor.ts';
export type { RecoveryRequest } from './recovery/recovery.ts';
export type { PartialPackage, MissingReason } from './recovery/partial.ts';
export type { CompensationPolicy } from './recovery/saga.ts';
export { RUN_EVENT_TYPES } from './events/types.ts';
export type { RunEvent, RunEventType, RunEventPayloads, RecoveryAction } from './events/types.ts';
export * from './decisions/index.ts';
export { gc } from './retention/index.ts';
export * from './hooks/index.ts';
export type { RetentionPolicy, GcReport, GcOptions } from './retention/index.ts';
export { Evaluator, GRADE_THRESHOLDS, DEFAULT_REGRESSION_POLICY } from './evaluation/index.ts';
export type {
  EvaluationOptions, RegressionPolicy, Grade, WorkflowMetrics, StageMetrics, WorkflowEvaluation, CheckReport, Comparison, Baseline, BaselineInfo,
} from './evaluation/index.ts';
