/**
 * The deliveries table (`sg_hook_deliveries`) and the per-run cursor of how far the
 * event log has been turned into deliveries (`sg_hook_cursors`). Every statement here is
 * one autocommit statement; deriving is idempotent (one delivery per hook, run and seq),
 * claiming is `FOR UPDATE SKIP LOCKED` with a lease, and finishing is fenced by the
 * attempt number, so any number of processes may derive and deliver at once.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { toEvent } from '../events/log.ts';
import type { RunEvent } from '../events/types.ts';
import { hookEventOf, stageOf, type DeliveryAttempt, type DeliveryInfo, type DeliveryStatus, type HookEvent } from './types.ts';

/** A claimed delivery: what one attempt needs. */
export interface Claimed {
  id: string;
  hookId: string;
  runId: string;
  seq: number;
  event: HookEvent;
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** When the attempt started, by the database clock. */
  startedAt: string;
  workflowId: string;
  hook: { kind: 'webhook' | 'code'; key: string | null; url: string | null; secret: string | null; retries: number };
  /** The run event, as logged; undefined if it is gone (the run's log was collected). */
  data: RunEvent | undefined;
}

export class DeliveryStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The seq up to which a run's log has become deliveries. */
  async cursor(runId: string): Promise<number> {
    const { rows: [r] } = await this.pool.query<{ seq: number }>('SELECT seq FROM sg_hook_cursors WHERE run_id = $1', [runId]);
    return r?.seq ?? 0;
  }

  /**
   * One statement: inserts the deliveries `events` call for (enabled, non-blocking hooks
   * whose owner, workflows and events match, registered before the event; one per hook
   * and seq, so inserting twice is harmless) and, with `upTo`, moves the run's cursor
   * there. Returns how many deliveries are new.
   */
  async derive(runId: string, events: readonly RunEvent[], upTo: number | undefined): Promise<number> {
    const hooked = events.flatMap((e) => {
      const event = hookEventOf(e);
      return event ? [{ seq: e.seq, event, stage: stageOf(e) ?? null, at: e.at }] : [];
    });
    if (hooked.length === 0 && upTo === undefined) return 0;
    const { rows: [r] } = await this.pool.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO sg_hook_deliveries (id, hook_id, run_id, seq, event, stage)
         SELECT gen_random_uuid(), h.id, r.id, ev.seq, ev.event, ev.stage
         FROM sg_runs r
         CROSS JOIN unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS ev(seq, event, stage, at)
         JOIN sg_hooks h ON ev.event = ANY(h.events) AND h.created_at <= ev.at
         WHERE r.id = $1 AND h.disabled_at IS NULL AND NOT h.blocking
           AND (h.owner IS NULL OR h.owner = r.owner) AND (h.workflows IS NULL OR r.workflow_id = ANY(h.workflows))
         ON CONFLICT (hook_id, run_id, seq) DO NOTHING
         RETURNING 1),
       cur AS (
         INSERT INTO sg_hook_cursors (run_id, seq) SELECT $1, $6::int WHERE $6::int IS NOT NULL
         ON CONFLICT (run_id) DO UPDATE SET seq = GREATEST(sg_hook_cursors.seq, EXCLUDED.seq))
       SELECT count(*)::int AS n FROM ins`,
      [runId, hooked.map((h) => h.seq), hooked.map((h) => h.event), hooked.map((h) => h.stage), hooked.map((h) => h.at), upTo ?? null],
    );
    return r?.n ?? 0;
  }

  /**
   * Runs updated within `horizonMs` whose log is ahead of their cursor: events no process
   * turned into deliveries (it died between a commit and its publication, or its
   * directory did not know a new hook yet), except `skip` (runs this process follows).
   */
  async lagging(horizonMs: number, skip: readonly string[], limit = 100): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT r.id FROM sg_runs r LEFT JOIN sg_hook_cursors c ON c.run_id = r.id
       WHERE r.updated_at > now() - $1 * interval '1 millisecond' AND r.last_seq > COALESCE(c.seq, 0) AND NOT (r.id = ANY($3::uuid[]))
       ORDER BY r.updated_at LIMIT $2`,
      [horizonMs, limit, skip],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Claims up to `limit` due deliveries of webhooks and of the code hooks in `codeKeys`:
   * counts the attempt and leases the row for `leaseMs` (a process that dies mid-attempt
   * leaves it due again once the lease runs out).
   */
  async claim(codeKeys: readonly string[], limit: number, leaseMs: number): Promise<Claimed[]> {
    const { rows } = await this.pool.query<{
      id: string; hook_id: string; run_id: string; seq: number; event: HookEvent; attempts: number; started_at: Date;
      kind: 'webhook' | 'code'; code_key: string | null; url: string | null; secret: string | null; retries: number; workflow_id: string;
      type: string | null; at: Date | null; payload: unknown;
    }>(
      `WITH due AS (
         SELECT d.id FROM sg_hook_deliveries d JOIN sg_hooks h ON h.id = d.hook_id
         WHERE d.status IN ('pending', 'failed') AND d.next_at <= now() AND d.seq IS NOT NULL
           AND (h.kind = 'webhook' OR h.code_key = ANY($1::text[]))
         ORDER BY d.next_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED),
       claimed AS (
         UPDATE sg_hook_deliveries d SET attempts = d.attempts + 1, next_at = now() + $3 * interval '1 millisecond', updated_at = now()
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.hook_id, d.run_id, d.seq, d.event, d.attempts)
       SELECT c.*, now() AS started_at, h.kind, h.code_key, h.url, h.secret, h.retries, r.workflow_id, e.type, e.at, e.payload
       FROM claimed c JOIN sg_hooks h ON h.id = c.hook_id JOIN sg_runs r ON r.id = c.run_id
       LEFT JOIN sg_events e ON e.run_id = c.run_id AND e.seq = c.seq`,
      [codeKeys, limit, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id, hookId: r.hook_id, runId: r.run_id, workflowId: r.workflow_id, seq: r.seq, event: r.event, attempt: r.attempts,
      startedAt: r.started_at.toISOString(),
      hook: { kind: r.kind, key: r.code_key, url: r.url, secret: r.secret, retries: r.retries },
      data: r.type && r.at ? toEvent({ run_id: r.run_id, seq: r.seq, type: r.type, at: r.at, payload: r.payload }) : undefined,
    }));
  }

  /**
   * Records an attempt's outcome: delivered; or failed with the next attempt due in
   * `retryInMs`; or dead (`retryInMs` undefined). Nothing if the delivery was claimed
   * again meanwhile (its lease ran out): that attempt records its own outcome.
   */
  async finish(c: Claimed, outcome: Omit<DeliveryAttempt, 'attempt' | 'at'>, retryInMs: number | undefined): Promise<void> {
    const status: DeliveryStatus = outcome.ok ? 'delivered' : retryInMs === undefined ? 'dead' : 'failed';
    const entry: DeliveryAttempt = { attempt: c.attempt, at: c.startedAt, ...outcome };
    await this.pool.query(
      `UPDATE sg_hook_deliveries SET status = $3, last_error = $4, updated_at = now(),
         next_at = CASE WHEN $5::float8 IS NULL THEN next_at ELSE now() + $5::float8 * interval '1 millisecond' END,
         history = history || jsonb_build_array($6::jsonb)
       WHERE id = $1 AND attempts = $2 AND status IN ('pending', 'failed')`,
      [c.id, c.attempt, status, outcome.ok ? null : outcome.error ?? 'failed', retryInMs ?? null, JSON.stringify(entry)],
    );
  }

  /**
   * Gives back a claimed delivery whose attempt this process cut short (it is shutting
   * down): due again at once, the attempt not counted. Nothing if it was claimed again.
   */
  async release(c: Claimed): Promise<void> {
    await this.pool.query(
      `UPDATE sg_hook_deliveries SET attempts = attempts - 1, next_at = now(), updated_at = now()
       WHERE id = $1 AND attempts = $2 AND status IN ('pending', 'failed')`,
      [c.id, c.attempt],
    );
  }

  /** Records a blocking hook's execution inside a stage (one attempt, already over). */
  async recordBlocking(hookId: string, runId: string, stage: string, attempt: DeliveryAttempt): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO sg_hook_deliveries (id, hook_id, run_id, seq, event, stage, status, attempts, last_error, history)
       VALUES ($1, $2, $3, NULL, 'stage.before', $4, $5, 1, $6, jsonb_build_array($7::jsonb))`,
      [id, hookId, runId, stage, attempt.ok ? 'delivered' : 'dead', attempt.ok ? null : attempt.error ?? 'failed', JSON.stringify(attempt)],
    );
    return id;
  }

  /** Milliseconds until the next delivery is due (0 if one is due now); undefined if none waits. */
  async nextDueInMs(codeKeys: readonly string[]): Promise<number | undefined> {
    const { rows: [r] } = await this.pool.query<{ ms: number | null }>(
      // NULL when nothing waits (GREATEST would turn that NULL into 0: clamped below instead).
      `SELECT (EXTRACT(EPOCH FROM min(d.next_at) - now()) * 1000)::float8 AS ms
       FROM sg_hook_deliveries d JOIN sg_hooks h ON h.id = d.hook_id
       WHERE d.status IN ('pending', 'failed') AND d.seq IS NOT NULL AND (h.kind = 'webhook' OR h.code_key = ANY($1::text[]))`,
      [codeKeys],
    );
    return r?.ms === null || r?.ms === undefined ? undefined : Math.max(0, r.ms);
  }

  /** A run's deliveries, in the order of its events (blocking executions by time). */
  async forRun(runId: string): Promise<DeliveryInfo[]> {
    const { rows } = await this.pool.query<{
      id: string; hook_id: string; kind: 'webhook' | 'code'; url: string | null; code_key: string | null; run_id: string; seq: number | null;
      event: HookEvent; stage: string | null; blocking: boolean; status: DeliveryStatus; attempts: number; last_error: string | null;
      next_at: Date; history: DeliveryAttempt[]; created_at: Date; updated_at: Date;
    }>(
      `SELECT d.id, d.hook_id, h.kind, h.url, h.code_key, d.run_id, d.seq, d.event, d.stage, h.blocking, d.status, d.attempts,
              d.last_error, d.next_at, d.history, d.created_at, d.updated_at
       FROM sg_hook_deliveries d JOIN sg_hooks h ON h.id = d.hook_id
       WHERE d.run_id = $1 ORDER BY d.created_at, d.seq NULLS FIRST, h.created_at, d.id`,
      [runId],
    );
    return rows.map((r) => ({
      id: r.id, hookId: r.hook_id, hookKind: r.kind, target: r.url ?? r.code_key ?? '', runId: r.run_id, seq: r.seq, event: r.event,
      stage: r.stage, blocking: r.blocking, status: r.status, attempts: r.attempts, lastError: r.last_error,
      nextAt: r.status === 'pending' || r.status === 'failed' ? r.next_at.toISOString() : null,
      history: r.history, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    }));
  }
}
