/** The stage runtime's public surface: the plugin contract, errors and the node factory. */
export type { StagePlugin, AnyStagePlugin, StageContext, StagePolicy, RetrySpec, StageLogger, Continue } from './types.ts';
export { continueLater, isContinue, guarded } from './types.ts';
export { StagegraphError, classify, serializeError, isStagegraphError, ERROR_CLASSES } from './errors.ts';
export type { ErrorClass, SerializedError, StagegraphErrorOptions } from './errors.ts';
export { stageNode, stageNodeOptions, parseOrThrow, questionOf } from './stage.ts';
export { normalizePolicy, toRetryPolicy, backoffDelay, DEFAULT_POLICY } from './policy.ts';
export { Breakers } from './breakers.ts';
export type { BreakerKind, BreakerState, BreakerOptions, BreakersOptions, BreakerSnapshot, BreakerChange } from './breakers.ts';
export { stageContext, CIRCUIT_EVENT } from './context.ts';
export type { StageRuntimeDeps } from './deps.ts';
