/**
 * Circuit breakers (cockatiel) per stage plugin and per named external dependency,
 * shared by every run of a process. A breaker opens after `threshold` consecutive
 * transient or degradable failures, lets one probe through once `halfOpenAfterMs`
 * has passed, and closes after a successful probe. While open, calls fail fast with
 * `circuit_open` (class transient) without running.
 *
 * State changes are reported to the run whose call caused them (an AsyncLocalStorage
 * scope per call: cockatiel changes state synchronously within that call) and to
 * process-wide listeners; `snapshot()` is the metrics view.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, IsolatedCircuitError, circuitBreaker, handleWhen } from 'cockatiel';
import { StagegraphError, classify, isStagegraphError } from './errors.ts';

export type BreakerKind = 'plugin' | 'dependency';
export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

export interface BreakerOptions {
  /** Consecutive counted failures that open the breaker. @default 5 */
  threshold?: number;
  /** How long an open breaker fails fast before it lets a probe through. @default 60000 */
  halfOpenAfterMs?: number;
}

/**
 * @example new Breakers({ halfOpenAfterMs: 30_000, overrides: { 'dependency:materials-db': { threshold: 3 } } })
 */
export interface BreakersOptions extends BreakerOptions {
  /** Per breaker, keyed `plugin:<name>` or `dependency:<name>`. */
  overrides?: Record<string, BreakerOptions>;
}

export interface BreakerSnapshot {
  name: string;
  kind: BreakerKind;
  state: BreakerState;
  /** Consecutive counted failures (what opens the breaker). */
  failures: number;
  totalFailures: number;
  /** Calls refused while open. */
  rejected: number;
  /** When an open breaker lets its next probe through (ISO time). */
  halfOpenAt?: string;
}

export interface BreakerChange {
  name: string;
  kind: BreakerKind;
  from: BreakerState;
  to: BreakerState;
  failures: number;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** Marks a failure a dependency breaker has already counted, so the plugin's breaker around it does not. */
const COUNTED = Symbol.for('stagegraph.breaker.counted');

/**
 * What counts against a breaker: transient and degradable failures of the call itself.
 * Not: a failure of a guarded dependency (its own breaker counts it), a fast fail, a
 * pause (the run's own signal), validation or fatal errors.
 */
function counted(e: unknown): boolean {
  if (typeof e === 'object' && e !== null && COUNTED in e) return false;
  if (isStagegraphError(e, 'circuit_open') || isStagegraphError(e, 'run_paused')) return false;
  const cls = classify(e);
  return cls === 'transient' || cls === 'degradable';
}

interface Entry {
  name: string;
  kind: BreakerKind;
  policy: CircuitBreakerPolicy;
  counter: ConsecutiveBreaker;
  halfOpenAfterMs: number;
  state: BreakerState;
  openedAt?: number;
  totalFailures: number;
  rejected: number;
}

type Notify = (change: BreakerChange) => void;

export class Breakers {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<Notify>();
  private readonly scope = new AsyncLocalStorage<Notify>();
  private readonly threshold: number;
  private readonly halfOpenAfterMs: number;

  constructor(private readonly options: BreakersOptions = {}) {
    this.threshold = options.threshold ?? 5;
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 60_000;
    for (const [key, o] of Object.entries({ '': options, ...options.overrides })) {
      if (o.threshold !== undefined && !(Number.isInteger(o.threshold) && o.threshold >= 1)) {
        throw new TypeError(`breakers${key ? ` '${key}'` : ''}: threshold must be an integer >= 1, got ${o.threshold}`);
      }
      if (o.halfOpenAfterMs !== undefined && !(o.halfOpenAfterMs >= 0)) {
        throw new TypeError(`breakers${key ? ` '${key}'` : ''}: halfOpenAfterMs must be >= 0, got ${o.halfOpenAfterMs}`);
      }
    }
  }

  /**
   * Runs `fn` through the breaker of `kind:name`; `notify` hears the state changes this call causes.
   * @throws StagegraphError `circuit_open` (transient) while the breaker is open, without calling `fn`.
   */
  async run<T>(kind: BreakerKind, name: string, fn: () => Promise<T>, notify?: Notify): Promise<T> {
    const entry = this.entry(kind, name);
    try {
      return await this.scope.run(notify ?? (() => undefined), () => entry.policy.execute(() => fn()));
    } catch (e) {
      if (e instanceof BrokenCircuitError || e instanceof IsolatedCircuitError) {
        entry.rejected++;
        const retryInMs = entry.openedAt === undefined ? undefined : Math.max(0, entry.openedAt + entry.halfOpenAfterMs - Date.now());
        throw new StagegraphError('circuit_open', `circuit '${kind}:${name}' is open: failing fast`, {
          class: 'transient',
          details: { breaker: name, kind, retryInMs },
          hint: 'the breaker lets a probe through once its half-open delay has passed',
          cause: e,
        });
      }
      if (kind === 'dependency' && typeof e === 'object' && e !== null && !(COUNTED in e) && Object.isExtensible(e)) {
        Object.defineProperty(e, COUNTED, { value: `${kind}:${name}`, enumerable: false });
      }
      throw e;
    }
  }

  /** Every breaker this process has used, for metrics. */
  snapshot(): BreakerSnapshot[] {
    return [...this.entries.values()].map((e) => ({
      name: e.name,
      kind: e.kind,
      state: e.state,
      failures: e.counter.state,
      totalFailures: e.totalFailures,
      rejected: e.rejected,
      ...(e.state === 'open' && e.openedAt !== undefined ? { halfOpenAt: new Date(e.openedAt + e.halfOpenAfterMs).toISOString() } : {}),
    }));
  }

  /** Hears every state change of every breaker. Returns the unsubscribe function. */
  onChange(listener: Notify): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private entry(kind: BreakerKind, name: string): Entry {
    const key = `${kind}:${name}`;
    let entry = this.entries.get(key);
    if (entry) return entry;
    const own = this.options.overrides?.[key] ?? {};
    const counter = new ConsecutiveBreaker(own.threshold ?? this.threshold);
    const halfOpenAfterMs = own.halfOpenAfterMs ?? this.halfOpenAfterMs;
    const policy = circuitBreaker(handleWhen(counted), { halfOpenAfter: halfOpenAfterMs, breaker: counter });
    const e: Entry = { name, kind, policy, counter, halfOpenAfterMs, state: 'closed', totalFailures: 0, rejected: 0 };
    policy.onFailure(({ handled }) => {
      if (handled) e.totalFailures++;
    });
    policy.onStateChange((s) => {
      const change: BreakerChange = { name, kind, from: e.state, to: STATES[s], failures: counter.state };
      e.state = change.to;
      if (change.to === 'open') e.openedAt = Date.now();
      // Cockatiel changes state synchronously inside the call that caused it: that call's scope is current.
      this.scope.getStore()?.(change);
      for (const l of this.listeners) l(change);
    });
    this.entries.set(key, (entry = e));
    return entry;
  }
}
