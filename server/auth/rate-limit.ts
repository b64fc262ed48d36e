/**
 * Per-caller rate limiting: an in-process token bucket per subject. Requests and
 * WebSocket messages each take one token.
 */
import { StagegraphError } from '../../nodes/errors.ts';
import type { RateLimit } from '../options.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit | false, private readonly now: () => number = () => performance.now()) {}

  /**
   * Takes a token for `subject`.
   * @throws StagegraphError `rate_limited`, with `details.retryAfterMs`.
   */
  take(subject: string): void {
    if (!this.limit) return;
    const { perSecond, burst } = this.limit;
    const now = this.now();
    const b = this.buckets.get(subject) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(subject, b);
      const retryAfterMs = Math.ceil(((1 - b.tokens) / perSecond) * 1000);
      throw new StagegraphError('rate_limited', `rate limit of ${perSecond}/s (burst ${burst}) exceeded`, {
        class: 'transient',
        details: { retryAfterMs, perSecond, burst },
        hint: `retry after ${retryAfterMs} ms`,
      });
    }
    b.tokens -= 1;
    this.buckets.set(subject, b);
    if (this.buckets.size > 50_000) this.sweep(now);
  }

  /** Forgets buckets that have refilled completely (they hold no information). */
  private sweep(now: number): void {
    if (!this.limit) return;
    const full = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at >= full) this.buckets.delete(k);
  }
}
