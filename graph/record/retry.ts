/**
 * Which database failures are a hiccup worth retrying, and the backoff between tries.
 * A hiccup is a lost or refused connection, a server shutting down or restarting a
 * backend, too many connections, or a serialization failure / deadlock: nothing the
 * statement itself got wrong. A statement Postgres rejected (bad data, constraint)
 * is not retried.
 */
import pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';

/** SQLSTATE classes and codes that mean "try again" (PostgreSQL appendix A). */
const RETRYABLE_STATES = /^(08|53|57P0[1-3]|40001|40P01)/;

/** Whether `e` is a database hiccup (see above). Errors without a SQLSTATE come from the connection, not the server. */
export function isDatabaseHiccup(e: unknown): boolean {
  if (e instanceof pg.DatabaseError) return RETRYABLE_STATES.test(e.code ?? '');
  if (typeof e !== 'object' || e === null) return false;
  // Programming errors and our own errors are never a hiccup.
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError || e instanceof StagegraphError) return false;
  const code = (e as { code?: unknown }).code;
  // Node socket errors (ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT ...) and pg's own connection errors, which carry no code.
  return code === undefined || (typeof code === 'string' && code.startsWith('E'));
}

export interface HiccupPolicy {
  /** Give up after this long. @default 30000 */
  maxElapsedMs?: number;
  /** First delay, doubling up to `maxDelayMs`. @default 25 */
  initialDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
}

/**
 * Runs `fn` until it succeeds, retrying database hiccups with exponential backoff and
 * jitter. `fn` gets the attempt number (1-based) so it can check whether an earlier
 * attempt already took effect. Throws the last error once the time is up, or at once
 * for an error that is not a hiccup.
 */
export async function retryHiccups<T>(fn: (attempt: number) => Promise<T>, policy: HiccupPolicy = {}): Promise<T> {
  const maxElapsed = policy.maxElapsedMs ?? 30_000;
  let delay = policy.initialDelayMs ?? 25;
  const maxDelay = policy.maxDelayMs ?? 2_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isDatabaseHiccup(e) || Date.now() - started + delay > maxElapsed) throw e;
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
