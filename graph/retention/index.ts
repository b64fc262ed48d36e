/** Retention of finished runs' checkpoint history: per-workflow policies and `gc()`. */
export { gc } from './gc.ts';
export type { GcOptions, GcReport, RunCollection, Dropped, Tally } from './gc.ts';
export { DEFAULT_RETENTION, normalizeRetention } from './policy.ts';
export type { RetentionPolicy, NormalizedRetention, CollectableStatus } from './policy.ts';
export { DELTA_CHANNELS, keepPlan } from './keep.ts';
export type { CheckpointMeta, KeepPlan } from './keep.ts';
