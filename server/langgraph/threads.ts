/**
 * Threads are stagegraph runs. A thread the SDK creates before running anything is a
 * row of `sg_threads`; once a run starts on it, the run's id is the thread's id and
 * `sg_runs` says what the thread is doing. Every read and write is scoped to the
 * caller's owner: another owner's thread is not found.
 */
import type pg from 'pg';
import type { RunStatus } from '../../graph/runs/status.ts';
import { clientError } from '../errors.ts';
import { caller } from './caller.ts';

type Metadata = Record<string, unknown>;

/** A thread as the LangGraph API shows it. */
export interface ThreadView {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Metadata;
  status: 'idle' | 'busy' | 'interrupted' | 'error';
  values: null;
  interrupts: Record<string, unknown>;
}

/** What a thread is: its view, plus the run behind it (if one started). */
export interface ThreadRecord {
  view: ThreadView;
  /** `graphId` is the workflow id, or `<id>@<version>` for a template run (the version it pinned). */
  run?: { status: RunStatus; workflowId: string; graphId: string; lastSeq: number };
}

const THREAD_STATUS: Record<RunStatus, ThreadView['status']> = {
  queued: 'busy', running: 'busy', paused: 'interrupted', waiting_input: 'interrupted',
  completed: 'idle', failed: 'error', aborted: 'error',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row {
  thread_id: string;
  metadata: Metadata | null;
  created_at: Date;
  updated_at: Date;
  run_status: RunStatus | null;
  workflow_id: string | null;
  template_version: number | null;
  last_seq: number | null;
  total?: string;
}

const COLUMNS = `
  coalesce(t.id, r.id) AS thread_id, t.metadata, coalesce(t.created_at, r.created_at) AS created_at,
  greatest(t.updated_at, r.updated_at) AS updated_at,
  r.status AS run_status, r.workflow_id, (r.options->>'templateVersion')::int AS template_version, r.last_seq`;

// One thread, by primary key on each side; another owner's (either row) is not found.
const ONE = `
  SELECT ${COLUMNS} FROM (SELECT $1::uuid AS id) k
    LEFT JOIN sg_threads t ON t.id = k.id LEFT JOIN sg_runs r ON r.id = k.id
   WHERE (t.id IS NOT NULL OR r.id IS NOT NULL) AND (t.owner IS NULL OR t.owner = $2) AND (r.owner IS NULL OR r.owner = $2)`;

// An owner's threads: their runs (with any sg_threads row) and their threads nothing ran on yet.
const MINE = `
  SELECT ${COLUMNS} FROM sg_runs r LEFT JOIN sg_threads t ON t.id = r.id WHERE r.owner = $1
  UNION ALL
  SELECT ${COLUMNS} FROM sg_threads t LEFT JOIN sg_runs r ON r.id = t.id WHERE t.owner = $1 AND r.id IS NULL`;

/** The run statuses behind each thread status (`idle` also covers threads nothing ran on). */
const RUN_STATUSES: Record<ThreadView['status'], RunStatus[]> = {
  idle: ['completed'], busy: ['queued', 'running'], interrupted: ['paused', 'waiting_input'], error: ['failed', 'aborted'],
};

function toRecord(r: Row): ThreadRecord {
  const graphId = r.template_version ? `${r.workflow_id}@${r.template_version}` : r.workflow_id;
  const graph = r.workflow_id ? { graph_id: graphId, assistant_id: r.workflow_id } : {};
  return {
    view: {
      thread_id: r.thread_id,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
      metadata: { ...(r.metadata ?? {}), ...graph },
      status: r.run_status ? THREAD_STATUS[r.run_status] : 'idle',
      values: null,
      interrupts: {},
    },
    run: r.run_status ? { status: r.run_status, workflowId: r.workflow_id!, graphId: graphId!, lastSeq: r.last_seq ?? 0 } : undefined,
  };
}

export class ThreadStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The caller's thread `id`, or undefined (unknown, not a UUID, or another owner's). */
  async find(id: string): Promise<ThreadRecord | undefined> {
    if (!UUID.test(id)) return undefined;
    const { rows } = await this.pool.query<Row>(ONE, [id, caller().owner]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** @throws StagegraphError `thread_not_found` */
  async require(id: string): Promise<ThreadRecord> {
    const t = await this.find(id);
    if (!t) throw clientError('thread_not_found', `thread ${id} not found`, { threadId: id });
    return t;
  }

  /**
   * Creates thread `id` for the caller; `ifExists: 'raise'` refuses an existing one
   * (`thread_exists`), `'do_nothing'` returns it unchanged.
   */
  async create(id: string, metadata: Metadata, ifExists: 'raise' | 'do_nothing'): Promise<ThreadRecord> {
    const existing = await this.find(id);
    if (existing) {
      if (ifExists === 'do_nothing') return existing;
      throw clientError('thread_exists', `thread ${id} already exists`, { threadId: id });
    }
    return this.set(id, 'put', metadata);
  }

  /**
   * Writes thread `id`'s metadata for the caller, creating it (`put` replaces the metadata, `patch` merges into it).
   * @throws StagegraphError `thread_exists` when `id` is another owner's thread or run
   */
  async set(id: string, kind: 'put' | 'patch', metadata: Metadata = {}): Promise<ThreadRecord> {
    if (!UUID.test(id)) throw clientError('invalid_request', `thread_id must be a UUID, got ${JSON.stringify(id)}`, { field: 'thread_id' });
    const owner = caller().owner;
    const { rowCount } = await this.pool.query(
      `INSERT INTO sg_threads (id, owner, metadata)
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM sg_runs WHERE id = $1 AND owner <> $2)
       ON CONFLICT (id) DO UPDATE SET
         metadata = CASE WHEN $4 THEN sg_threads.metadata || excluded.metadata ELSE excluded.metadata END,
         updated_at = now()
       WHERE sg_threads.owner = excluded.owner`,
      [id, owner, JSON.stringify(metadata), kind === 'patch'],
    );
    if (rowCount === 0) throw clientError('thread_exists', `thread ${id} exists and is not yours`, { threadId: id });
    return this.require(id);
  }

  /**
   * Deletes a thread nothing ran on. A thread with a run is the run, and stagegraph keeps
   * runs (their events and decisions are the audit trail): `stagegraph gc` collects them.
   * @throws StagegraphError `thread_not_found`, `run_retained`
   */
  async delete(id: string): Promise<void> {
    const t = await this.require(id);
    if (t.run) throw clientError('run_retained', `thread ${id} is a stagegraph run, which is kept`, { threadId: id }, 'finished runs are collected by their retention policy (stagegraph gc)');
    await this.pool.query('DELETE FROM sg_threads WHERE id = $1 AND owner = $2', [id, caller().owner]);
  }

  /**
   * The caller's threads, newest first by default, filtered by metadata (containment; a
   * `graph_id` also matches the threads of a template's runs, `<id>@<version>`), status and ids.
   */
  async search(q: { metadata?: Metadata; status?: ThreadView['status']; ids?: string[]; limit: number; offset: number; sortBy: 'created_at' | 'updated_at'; sortOrder: 'asc' | 'desc' }): Promise<{ threads: ThreadView[]; total: number }> {
    const order = `${q.sortBy === 'updated_at' ? 'updated_at' : 'created_at'} ${q.sortOrder === 'asc' ? 'ASC' : 'DESC'}`;
    const { graph_id: graphId, ...metadata } = q.metadata ?? {};
    const ids = q.ids?.filter((id) => UUID.test(id));
    const { rows } = await this.pool.query<Row>(
      `SELECT *, count(*) OVER () AS total FROM (${MINE}) x
        WHERE (coalesce(metadata, '{}') || CASE WHEN workflow_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('assistant_id', workflow_id) END) @> $2::jsonb
          AND ($3::text IS NULL OR coalesce(workflow_id, metadata->>'graph_id') = $3 OR workflow_id || '@' || template_version = $3)
          AND ($4::text[] IS NULL OR (run_status IS NULL AND $5) OR run_status = ANY($4::text[]))
          AND ($6::uuid[] IS NULL OR thread_id = ANY($6::uuid[]))
        ORDER BY ${order}, thread_id LIMIT $7 OFFSET $8`,
      [caller().owner, JSON.stringify(metadata), typeof graphId === 'string' ? graphId : null,
        q.status ? RUN_STATUSES[q.status] : null, q.status === 'idle', q.ids ? ids : null, q.limit, q.offset],
    );
    return { threads: rows.map((r) => toRecord(r).view), total: Number(rows[0]?.total ?? 0) };
  }
}
