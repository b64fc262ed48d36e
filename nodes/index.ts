/** The stage runtime's public surface: the plugin contract, errors and the node factory. */
export type { StagePlugin, AnyStagePlugin, StageContext, StagePolicy, RetrySpec, StageLogger, Continue } from './types.ts';
export { continueLater, isContinue } from './types.ts';
export { StagegraphError, classify, serializeError, isStagegraphError, ERROR_CLASSES } from './errors.ts';
export type { ErrorClass, SerializedError, StagegraphErrorOptions } from './errors.ts';
export { stageNode, stageNodeOptions, parseOrThrow } from './stage.ts';
export { normalizePolicy, toRetryPolicy, DEFAULT_POLICY } from './policy.ts';
export type { StageRuntimeDeps } from './deps.ts';
