/**
 * Executes due deliveries, up to `concurrency` at once in this process: claims them
 * (`FOR UPDATE SKIP LOCKED`, leased), runs one attempt each (POST for a webhook, the
 * function for a code hook this process has), and records the outcome: delivered, or
 * failed with the next attempt `backoffMs * 2^(n-1)` later, or dead once the hook's
 * retries are spent. It wakes when told something new is due (`poke`), at the next due
 * time it knows of, and every `pollMs` (deliveries another process derived, or left
 * behind when it died).
 */
import type { Claimed, DeliveryStore } from './deliveries.ts';
import type { HookContext, HookDelivery, PackHook } from './types.ts';
import { postWebhook, type AttemptOutcome } from './webhook.ts';

export interface DispatchPolicy {
  /** Delay before the first retry; retry n waits `backoffMs * 2^(n-1)`. @default 1000 */
  backoffMs: number;
  /** The longest wait between attempts. @default 300000 */
  maxBackoffMs: number;
  /** One attempt's time limit. @default 10000 */
  timeoutMs: number;
  /** Deliveries in flight at once in this process. @default 8 */
  concurrency: number;
  /** How often to look for due deliveries without being told. @default 1000 */
  pollMs: number;
}

/** The wait before retry `retry` (1 for the first retry). */
export function backoffDelay(policy: Pick<DispatchPolicy, 'backoffMs' | 'maxBackoffMs'>, retry: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (retry - 1));
}

/** How long a claimed delivery stays leased: its attempt's limit plus a margin for recording the outcome. */
const LEASE_MARGIN_MS = 5000;

export class HookDispatcher {
  private inFlight = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private poll?: NodeJS.Timeout;
  private wake?: NodeJS.Timeout;
  private readonly attempts = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly keys: string[];

  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly code: ReadonlyMap<string, PackHook>,
    private readonly policy: DispatchPolicy,
    /** Whether any asynchronous hook is enabled: without one nothing can be due, and nothing is polled. */
    private readonly active: () => boolean,
    private readonly report: (error: unknown, context: string) => void,
  ) {
    this.keys = [...code.keys()];
  }

  start(): void {
    this.poll = setInterval(() => this.poke(), this.policy.pollMs);
    this.poll.unref();
    this.poke();
  }

  /** Something may be due: claim and run attempts while slots are free. */
  poke(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => (this.pumping = false));
  }

  private async pump(): Promise<void> {
    if (!this.active()) return;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.inFlight < this.policy.concurrency) {
          const claimed = await this.deliveries.claim(this.keys, this.policy.concurrency - this.inFlight, this.policy.timeoutMs + LEASE_MARGIN_MS);
          if (claimed.length === 0) break;
          for (const c of claimed) this.launch(c);
        }
      } while (this.again && !this.stopped);
      await this.scheduleWake();
    } catch (e) {
      this.report(e, 'hooks: claiming deliveries');
    }
  }

  /** Sets a timer for the next due delivery, if it comes before the next poll. */
  private async scheduleWake(): Promise<void> {
    if (this.stopped || this.inFlight >= this.policy.concurrency) return;
    const ms = await this.deliveries.nextDueInMs(this.keys);
    if (ms === undefined || ms >= this.policy.pollMs || this.stopped) return;
    clearTimeout(this.wake);
    this.wake = setTimeout(() => this.poke(), Math.ceil(ms) + 1);
    this.wake.unref();
  }

  private launch(c: Claimed): void {
    this.inFlight++;
    const attempt = this.run(c)
      .catch((e) => this.report(e, `hooks: recording delivery ${c.id}`))
      .finally(() => {
        this.inFlight--;
        this.attempts.delete(attempt);
        this.poke();
      });
    this.attempts.add(attempt);
  }

  private async run(c: Claimed): Promise<void> {
    const t0 = performance.now();
    const outcome = await this.attempt(c);
    // Cut short by this process's shutdown, not failed: given back, uncounted, for whoever runs next.
    if (!outcome.ok && this.shutdown.signal.aborted) return this.deliveries.release(c);
    const ms = Math.round(performance.now() - t0);
    const retryIn = outcome.ok || c.attempt > c.hook.retries ? undefined : backoffDelay(this.policy, c.attempt);
    await this.deliveries.finish(c, { ms, ...outcome }, retryIn);
  }

  /** One attempt; never throws. */
  private async attempt(c: Claimed): Promise<AttemptOutcome> {
    if (!c.data) return { ok: false, error: `event ${c.seq} of run ${c.runId} is no longer in the log` };
    const delivery: HookDelivery = { id: c.id, hook: c.hookId, event: c.event, attempt: c.attempt, run: { id: c.runId, workflowId: c.workflowId }, data: c.data };
    const signal = AbortSignal.any([AbortSignal.timeout(this.policy.timeoutMs), this.shutdown.signal]);
    if (c.hook.kind === 'webhook') return postWebhook(c.hook.url!, c.hook.secret!, delivery, signal);
    const hook = this.code.get(c.hook.key!);
    if (!hook) return { ok: false, error: `code hook '${c.hook.key}' is not registered in this process` };
    return runCodeHook(hook, delivery, { signal });
  }

  /** Stops claiming; attempts in flight are cut short and given back uncounted (whoever runs next makes them again). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.wake);
    this.shutdown.abort(new Error('stagegraph is shutting down'));
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
    await Promise.all([...this.attempts]);
  }
}

/** Runs a code hook once, within its context's signal; never throws. */
export async function runCodeHook(hook: PackHook, delivery: HookDelivery, ctx: HookContext): Promise<AttemptOutcome> {
  try {
    await new Promise<void>((resolve, reject) => {
      if (ctx.signal.aborted) return reject(new Error('timed out'));
      const onAbort = () => reject(new Error('timed out'));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => hook.run(delivery, ctx))
        .then(() => resolve(), reject)
        .finally(() => ctx.signal.removeEventListener('abort', onAbort));
    });
    return { ok: true };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: typeof code === 'string' ? `${code}: ${message}` : message };
  }
}
