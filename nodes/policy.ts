import type { RetryPolicy } from '@langchain/langgraph';
import { classify, type ErrorClass } from './errors.ts';
import type { RetrySpec, StagePolicy } from './types.ts';

export interface NormalizedPolicy {
  timeoutMs: number;
  retry: Partial<Record<ErrorClass, Required<RetrySpec>>>;
  optional: boolean;
  estimateMs: number;
  stepped: boolean;
}

const BACKOFF = { initialIntervalMs: 1000, backoffFactor: 2, maxIntervalMs: 16_000, jitter: true };

/** Default policy: transient 5 attempts 1 s doubling to 16 s with jitter; degradable 2 attempts; no retry otherwise. */
export const DEFAULT_POLICY: NormalizedPolicy = {
  timeoutMs: 60_000,
  retry: {
    transient: { maxAttempts: 5, ...BACKOFF },
    degradable: { maxAttempts: 2, ...BACKOFF },
  },
  optional: false,
  estimateMs: 1000,
  stepped: false,
};

export function normalizePolicy(policy: StagePolicy = {}): NormalizedPolicy {
  const retry = { ...DEFAULT_POLICY.retry };
  for (const [cls, spec] of Object.entries(policy.retry ?? {}) as [ErrorClass, RetrySpec][]) {
    retry[cls] = { ...BACKOFF, ...spec };
  }
  return {
    timeoutMs: policy.timeoutMs ?? DEFAULT_POLICY.timeoutMs,
    retry,
    optional: policy.optional ?? false,
    estimateMs: policy.estimateMs ?? DEFAULT_POLICY.estimateMs,
    stepped: policy.stepped ?? false,
  };
}

/** The attempt a failure happened on, attached by the stage node so `retryOn` can bound each class. */
export const ATTEMPT = Symbol.for('stagegraph.attempt');

/**
 * Maps the policy onto LangGraph's own node `RetryPolicy`: one backoff (the transient
 * one), and `retryOn` that retries a class only while its own attempt budget lasts.
 */
export function toRetryPolicy(policy: NormalizedPolicy): RetryPolicy {
  const backoff = policy.retry.transient ?? { ...BACKOFF, maxAttempts: 1 };
  const maxAttempts = Math.max(1, ...Object.values(policy.retry).map((r) => r.maxAttempts));
  return {
    maxAttempts,
    initialInterval: backoff.initialIntervalMs,
    backoffFactor: backoff.backoffFactor,
    maxInterval: backoff.maxIntervalMs,
    jitter: backoff.jitter,
    logWarning: false,
    retryOn: (e: unknown) => {
      const spec = policy.retry[classify(e)];
      const attempt = (e as Record<symbol, number> | null)?.[ATTEMPT] ?? 1;
      return spec !== undefined && attempt < spec.maxAttempts;
    },
  };
}
