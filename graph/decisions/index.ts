/** The decision engine's public surface: rules, preferences, LLM fallback, audit and replay. */
export { decide, DEFAULT_CONFIDENCE } from './decide.ts';
export type { DecideOptions, DecisionFallback, FallbackAnswer } from './decide.ts';
export { evaluateRules } from './evaluate.ts';
export type { RuleVerdict, FiredRule, ConflictPolicy } from './evaluate.ts';
export { llmFallback, llmFallbackFromEnv, chatModelFromEnv, LlmAnswerSchema, LLM_TIMEOUT_MS, DEFAULT_LLM_MODEL } from './llm.ts';
export type { LlmFallbackOptions, LlmAnswer, StructuredMethod } from './llm.ts';
export { PREFERENCE_STEP, PREFERENCE_LIMIT, feedbackChanges, preferenceScores } from './preferences.ts';
export type { FeedbackVerdict, PreferenceWeights, LearnedPreferences, PreferenceSource, WeightChanges } from './preferences.ts';
export { PgPreferenceStore } from './pg-preferences.ts';
export type { StoredFeedback } from './pg-preferences.ts';
export { PgDecisionLedger } from './pg-ledger.ts';
export type { LedgerEntry } from './pg-ledger.ts';
export type { DecisionLedger } from './ledger.ts';
export { explainDecision, counterfactuals, rulesOutcome } from './explain.ts';
export type { DecisionExplanation, Counterfactual, RulesOutcome } from './explain.ts';
export { replayDecisions, formatReplayReport } from './replay.ts';
export type { ReplayOptions, ReplayReport, ReplayChange, ReplaySkip, ReplayOutcome, PointResolver } from './replay.ts';
export { Decisions } from './service.ts';
export type { FeedbackRequest, FeedbackResult } from './service.ts';
export type {
  DecisionPoint, DecisionRule, DecisionRecord, Alternative, Evidence, DecisionMethod, PreferenceSpec, PreferenceEffect, DecisionStateView,
} from './types.ts';
