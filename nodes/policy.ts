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

/** Rejects a retry spec that cannot work, naming the class and the field. */
function checkSpec(cls: string, spec: Required<RetrySpec>): void {
  const bad = (field: string, rule: string, got: unknown) => {
    throw new TypeError(`policy.retry.${cls}.${field} must be ${rule}, got ${String(got)}`);
  };
  if (!Number.isInteger(spec.maxAttempts) || spec.maxAttempts < 1) bad('maxAttempts', 'an integer >= 1', spec.maxAttempts);
  if (!(spec.initialIntervalMs >= 0)) bad('initialIntervalMs', '>= 0', spec.initialIntervalMs);
  if (!(spec.backoffFactor >= 1)) bad('backoffFactor', '>= 1', spec.backoffFactor);
  if (!(spec.maxIntervalMs >= spec.initialIntervalMs)) bad('maxIntervalMs', `>= initialIntervalMs (${spec.initialIntervalMs})`, spec.maxIntervalMs);
}

/**
 * Fills in the defaults once. A class named in `policy.retry` gets the default backoff
 * for any field it leaves out.
 * @throws TypeError for a retry spec that cannot work.
 */
export function normalizePolicy(policy: StagePolicy = {}): NormalizedPolicy {
  const retry = { ...DEFAULT_POLICY.retry };
  for (const [cls, spec] of Object.entries(policy.retry ?? {}) as [ErrorClass, RetrySpec][]) {
    retry[cls] = { ...BACKOFF, ...spec };
    checkSpec(cls, retry[cls]);
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

type Intervals = Pick<RetryPolicy, 'initialInterval' | 'backoffFactor' | 'maxInterval' | 'jitter'>;

function intervalsOf(spec: Required<RetrySpec>): Intervals {
  return { initialInterval: spec.initialIntervalMs, backoffFactor: spec.backoffFactor, maxInterval: spec.maxIntervalMs, jitter: spec.jitter };
}

/**
 * Maps the policy onto LangGraph's own node `RetryPolicy`, with each class's own
 * attempt budget and backoff. LangGraph's RetryPolicy has one interval; LangGraph
 * reads it synchronously right after `retryOn` decides to retry (pregel/retry.ts:
 * `retryOn(error)`, then `initialInterval`, `backoffFactor`, `maxInterval`, `jitter`),
 * so `retryOn` sets those fields to the failing class's backoff on the one policy
 * object LangGraph holds for the node. JavaScript runs that sequence without
 * interleaving, so concurrent tasks of the node cannot see each other's values.
 * `test/recovery-backoff.test.ts` pins this down against the installed LangGraph.
 * LangGraph's jitter adds 0-1 s to each delay.
 */
export function toRetryPolicy(policy: NormalizedPolicy): RetryPolicy {
  const base = policy.retry.transient ?? { ...BACKOFF, maxAttempts: 1 };
  const maxAttempts = Math.max(1, ...Object.values(policy.retry).map((r) => r.maxAttempts));
  const retryPolicy: RetryPolicy = {
    maxAttempts,
    ...intervalsOf(base),
    logWarning: false,
    retryOn: (e: unknown) => {
      const spec = policy.retry[classify(e)];
      const attempt = (e as Record<symbol, number> | null)?.[ATTEMPT] ?? 1;
      const retry = spec !== undefined && attempt < spec.maxAttempts;
      if (retry) Object.assign(retryPolicy, intervalsOf(spec));
      return retry;
    },
  };
  return retryPolicy;
}

/** The delay LangGraph waits before retry number `retry` (1-based) of a class, without jitter. */
export function backoffDelay(spec: Required<RetrySpec>, retry: number): number {
  return Math.min(spec.maxIntervalMs, spec.initialIntervalMs * spec.backoffFactor ** (retry - 1));
}
