/**
 * The step record as one SQL statement: a chain of data-modifying CTEs that commit
 * together (one statement is one transaction) in one round trip.
 *
 * - `g`, the gate, is the run row: it advances `last_seq` by the number of events,
 *   carries the run's progress (and a status change, when there is one), and matches
 *   only while the run's fence and last seq are the ones this process holds. Every other
 *   part selects `FROM g`, so a fenced-out (or already applied) statement writes nothing.
 * - then the events (seqs `base + 1 ...`), stage duration samples, checkpoint blobs,
 *   the checkpoint and pending writes.
 *
 * Without a run (a thread that is not a stagegraph run: Studio, the conformance suite)
 * the gate is a constant row and only the checkpoint parts are written.
 */
import { createHash } from 'node:crypto';
import { TERMINAL_STATUSES, type RunStatus } from '../runs/status.ts';
import { RUN_COLUMNS } from '../runs/row.ts';

/** A checkpoint blob row, as `PostgresSaver._dumpBlobs` makes it. */
export type BlobRow = [thread: string, ns: string, channel: string, version: string, type: string, blob: Uint8Array | undefined];
/** A pending write row, as `PostgresSaver._dumpWrites` makes it. */
export type WriteRow = [thread: string, ns: string, checkpointId: string, taskId: string, idx: number, channel: string, type: string, blob: Uint8Array];

export interface CheckpointRow {
  thread: string;
  ns: string;
  id: string;
  parentId: string | undefined;
  checkpoint: unknown;
  metadata: unknown;
}

/** What a statement may change on the run row besides `last_seq`. */
export interface RowProgress {
  currentStage?: string;
  progress?: number;
  etaMs?: number;
  degraded?: boolean;
  /** Replaces the run's error record (an abort's, once its compensation is over). */
  error?: unknown;
}

export interface StatusChange {
  from: readonly RunStatus[];
  to: RunStatus;
  question?: unknown;
  /** Replaces the run's error (`null` clears it); absent leaves it (cleared when `to` is running). */
  error?: unknown;
  degraded?: boolean;
  /** The run stops executing here: its executor is cleared. */
  release: boolean;
}

export interface StageSample {
  workflowId: string;
  stage: string;
  runId: string;
  durationMs: number;
  ok: boolean;
  attempt: number;
}

export interface StepParts {
  /** Gate on this run, its fence and its last seq; absent for threads that are not runs. */
  run?: { id: string; fence: string; lastSeq: number; status?: StatusChange; release?: boolean };
  events: { type: string; at: Date; payload: string }[];
  row?: RowProgress;
  samples: StageSample[];
  blobs: BlobRow[];
  checkpoint?: CheckpointRow;
  /** Pending writes: `upsert` ones replace (LangGraph's special channels), the others keep the first. */
  writes: { row: WriteRow; upsert: boolean }[];
}

/** Builds the statement; returns nothing to do for empty parts. */
export function stepStatement(p: StepParts): { name: string; text: string; values: unknown[] } | undefined {
  const hasWork = p.events.length || p.samples.length || p.blobs.length || p.checkpoint || p.writes.length || p.row || p.run?.status || p.run?.release;
  if (!hasWork) return undefined;
  const values: unknown[] = [];
  const $ = (v: unknown, cast = '') => `$${values.push(v)}${cast}`;
  const ctes: string[] = [];

  if (p.run) {
    const n = $(p.events.length, '::int');
    // Column -> expression, made lazily: a status change overrides what the progress patch
    // set, and an overridden value must not become a parameter (Postgres cannot type an
    // unreferenced parameter).
    const set = new Map<string, () => string>([['last_seq', () => `last_seq + ${n}`], ['updated_at', () => 'now()']]);
    const r = p.row;
    if (r?.currentStage !== undefined) set.set('current_stage', () => $(r.currentStage));
    if (r?.progress !== undefined) set.set('progress', () => $(r.progress, '::real'));
    if (r?.etaMs !== undefined) set.set('eta_ms', () => $(Math.round(r.etaMs!), '::int'));
    if (r?.degraded) set.set('degraded', () => 'true');
    if (r?.error !== undefined) set.set('error', () => $(JSON.stringify(r.error), '::jsonb'));
    const where = [`id = ${$(p.run.id, '::uuid')}`, `fence = ${$(p.run.fence, '::bigint')}`, `last_seq = ${$(p.run.lastSeq, '::int')}`];
    const s = p.run.status;
    if (s) {
      const terminal = TERMINAL_STATUSES.has(s.to);
      set.set('status', () => $(s.to, '::text'));
      set.set('question', () => (s.to === 'waiting_input' ? $(JSON.stringify(s.question ?? null), '::jsonb') : 'NULL'));
      if (s.error !== undefined) set.set('error', () => $(JSON.stringify(s.error), '::jsonb'));
      else if (s.to === 'running') set.set('error', () => 'NULL');
      if (s.degraded) set.set('degraded', () => 'true');
      set.set('finished_at', () => (terminal ? 'now()' : 'NULL'));
      if (s.to === 'completed') set.set('progress', () => '100');
      if (terminal) set.set('eta_ms', () => '0');
      where.push(`status = ANY(${$(s.from, '::text[]')})`);
    }
    if (s?.release || p.run.release) set.set('executor', () => 'NULL');
    const assignments = [...set].map(([col, expr]) => `${col} = ${expr()}`).join(', ');
    // Named columns, not `*`: this is a prepared statement, and one returning `*` fails once a migration adds a column (see RUN_COLUMNS).
    ctes.push(`g AS (UPDATE sg_runs SET ${assignments} WHERE ${where.join(' AND ')} RETURNING ${RUN_COLUMNS}, last_seq - ${n} AS base)`);
  } else {
    ctes.push('g AS (SELECT 0 AS base)');
  }

  if (p.events.length) {
    const runId = $(p.run?.id, '::uuid');
    ctes.push(`e AS (INSERT INTO sg_events (run_id, seq, type, at, payload)
      SELECT ${runId}, g.base + x.ord, x.type, x.at, x.payload
        FROM g, unnest(${$(p.events.map((e) => e.type), '::text[]')}, ${$(p.events.map((e) => e.at), '::timestamptz[]')}, ${$(p.events.map((e) => e.payload), '::jsonb[]')})
          WITH ORDINALITY AS x(type, at, payload, ord)
      RETURNING seq, type, at, payload)`);
  }
  if (p.samples.length) {
    const s = p.samples;
    ctes.push(`s AS (INSERT INTO sg_stage_stats (workflow_id, stage, run_id, duration_ms, ok, attempt)
      SELECT x.* FROM g, unnest(${$(s.map((x) => x.workflowId), '::text[]')}, ${$(s.map((x) => x.stage), '::text[]')}, ${$(s.map((x) => x.runId), '::uuid[]')},
        ${$(s.map((x) => x.durationMs), '::real[]')}, ${$(s.map((x) => x.ok), '::boolean[]')}, ${$(s.map((x) => x.attempt), '::int[]')}) AS x)`);
  }
  if (p.blobs.length) {
    const b = p.blobs;
    ctes.push(`b AS (INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
      SELECT x.* FROM g, unnest(${$(b.map((r) => r[0]), '::text[]')}, ${$(b.map((r) => r[1]), '::text[]')}, ${$(b.map((r) => r[2]), '::text[]')},
        ${$(b.map((r) => r[3]), '::text[]')}, ${$(b.map((r) => r[4]), '::text[]')}, ${$(b.map((r) => r[5] ?? null), '::bytea[]')}) AS x
      ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING)`);
  }
  if (p.checkpoint) {
    const c = p.checkpoint;
    ctes.push(`c AS (INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
      SELECT ${$(c.thread)}, ${$(c.ns)}, ${$(c.id)}, ${$(c.parentId ?? null)}, ${$(JSON.stringify(c.checkpoint), '::jsonb')}, ${$(JSON.stringify(c.metadata), '::jsonb')} FROM g
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata)`);
  }
  const writes = dedupeWrites(p.writes);
  for (const [name, upsert] of [['wu', true], ['wi', false]] as const) {
    const rows = writes.filter((w) => w.upsert === upsert).map((w) => w.row);
    if (!rows.length) continue;
    const col = (i: number, cast: string) => $(rows.map((r) => r[i]), cast);
    ctes.push(`${name} AS (INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
      SELECT x.* FROM g, unnest(${col(0, '::text[]')}, ${col(1, '::text[]')}, ${col(2, '::text[]')}, ${col(3, '::text[]')}, ${col(4, '::int[]')},
        ${col(5, '::text[]')}, ${col(6, '::text[]')}, ${col(7, '::bytea[]')}) AS x
      ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO ${upsert ? 'UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob' : 'NOTHING'})`);
  }
  // No NOTIFY here: a notifying transaction holds a cluster-wide lock from pre-commit
  // through its commit's WAL flush, which serialized every run's step commits (measured
  // in bench/throughput.ts: the top wait was Lock/object AccessExclusiveLock).
  const select = p.run ? 'SELECT g.* FROM g' : 'SELECT g.base FROM g';
  const text = `WITH ${ctes.join(',\n')}\n${select}`;
  // Named: each connection plans each shape once (a handful of shapes exist).
  return { name: `sg_step_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** One row per (thread, ns, checkpoint, task, idx): the last upsert wins, else the first insert (as separate statements would). */
function dedupeWrites(writes: StepParts['writes']): StepParts['writes'] {
  const byKey = new Map<string, StepParts['writes'][number]>();
  for (const w of writes) {
    const key = JSON.stringify(w.row.slice(0, 5));
    const seen = byKey.get(key);
    if (!seen || w.upsert) byKey.set(key, w);
  }
  return [...byKey.values()];
}
