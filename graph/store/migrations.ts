/**
 * Versioned migrations for stagegraph's own tables and LangGraph's checkpoint tables.
 * Each of ours runs once, in order, in a transaction; all of them, the checkpointer's
 * included, run under one advisory lock, so that processes starting together on an
 * empty database do not race. Append new versions; never edit an applied one.
 */
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, events, decisions, stage_stats',
    sql: `
      CREATE TABLE sg_runs (
        id            uuid PRIMARY KEY,
        workflow_id   text NOT NULL,
        owner         text NOT NULL DEFAULT 'local',
        status        text NOT NULL,
        request       jsonb NOT NULL,
        options       jsonb NOT NULL DEFAULT '{}',
        current_stage text,
        progress      real NOT NULL DEFAULT 0,
        eta_ms        integer,
        degraded      boolean NOT NULL DEFAULT false,
        question      jsonb,
        error         jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz
      );
      CREATE INDEX sg_runs_owner_created ON sg_runs (owner, created_at DESC);
      CREATE INDEX sg_runs_status ON sg_runs (status);

      CREATE TABLE sg_events (
        run_id  uuid NOT NULL REFERENCES sg_runs(id) ON DELETE CASCADE,
        seq     integer NOT NULL,
        type    text NOT NULL,
        at      timestamptz NOT NULL,
        payload jsonb NOT NULL,
        PRIMARY KEY (run_id, seq)
      );

      CREATE TABLE sg_decisions (
        id         uuid PRIMARY KEY,
        run_id     uuid NOT NULL REFERENCES sg_runs(id) ON DELETE CASCADE,
        point      text NOT NULL,
        iteration  integer NOT NULL,
        branch     text NOT NULL DEFAULT '',
        method     text NOT NULL,
        chosen     text NOT NULL,
        record     jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (run_id, point, iteration, branch)
      );

      CREATE TABLE sg_stage_stats (
        id          bigserial PRIMARY KEY,
        workflow_id text NOT NULL,
        stage       text NOT NULL,
        run_id      uuid,
        duration_ms real NOT NULL,
        ok          boolean NOT NULL,
        attempt     integer NOT NULL DEFAULT 1,
        at          timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sg_stage_stats_lookup ON sg_stage_stats (workflow_id, stage, at DESC);
    `,
  },
  {
    version: 2,
    name: 'preferences and decision feedback',
    sql: `
      CREATE TABLE sg_preferences (
        owner      text NOT NULL,
        point      text NOT NULL,
        kind       text NOT NULL CHECK (kind IN ('option', 'criterion')),
        key        text NOT NULL,
        weight     double precision NOT NULL CHECK (weight BETWEEN -1 AND 1),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (owner, point, kind, key)
      );

      CREATE TABLE sg_feedback (
        id          uuid PRIMARY KEY,
        decision_id uuid NOT NULL REFERENCES sg_decisions(id) ON DELETE CASCADE,
        owner       text NOT NULL,
        point       text NOT NULL,
        verdict     text NOT NULL CHECK (verdict IN ('agree', 'disagree')),
        preferred   text,
        reason      text,
        applied     jsonb NOT NULL,
        reset_at    timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (decision_id, owner)
      );
      CREATE INDEX sg_feedback_owner_point ON sg_feedback (owner, point);
    `,
  },
  {
    version: 3,
    name: 'api keys',
    sql: `
      CREATE TABLE sg_api_keys (
        id          uuid PRIMARY KEY,
        owner       text NOT NULL,
        name        text NOT NULL DEFAULT '',
        hash        bytea NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      );
      CREATE INDEX sg_api_keys_owner ON sg_api_keys (owner);
    `,
  },
  {
    version: 4,
    name: 'api key last use',
    sql: `ALTER TABLE sg_api_keys ADD COLUMN last_used_at timestamptz;`,
  },
  {
    version: 5,
    name: 'run fencing and the step record',
    sql: `
      -- executor: the process key (advisory lock) of the process executing the run, or NULL.
      -- fence: taken anew by each execution; every write of the run is checked against it.
      -- last_seq: the run's last event seq, advanced in the statement that appends events.
      ALTER TABLE sg_runs ADD COLUMN executor integer, ADD COLUMN fence bigint NOT NULL DEFAULT 0,
        ADD COLUMN last_seq integer NOT NULL DEFAULT 0;
      UPDATE sg_runs r SET last_seq = COALESCE((SELECT MAX(seq) FROM sg_events e WHERE e.run_id = r.id), 0);
    `,
  },
  {
    version: 6,
    name: 'queued actions',
    sql: `
      -- pending: what a worker does when it takes a queued run other than starting it
      -- (resume, answer, restore, retry), set with the job that queued it, cleared by the take.
      ALTER TABLE sg_runs ADD COLUMN pending jsonb;
    `,
  },
  {
    version: 7,
    name: 'queue takes',
    sql: `
      -- taken_at: when a worker last took the run from the queue (per-workflow rate limits count these).
      ALTER TABLE sg_runs ADD COLUMN taken_at timestamptz;
      CREATE INDEX sg_runs_workflow_taken ON sg_runs (workflow_id, taken_at) WHERE taken_at IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'queue waits',
    sql: `
      -- queued_at: when the run was last queued (started or asked to resume, answer, ...); taken_at - queued_at is its wait.
      ALTER TABLE sg_runs ADD COLUMN queued_at timestamptz;
    `,
  },
  {
    version: 9,
    name: 'hooks and their deliveries',
    sql: `
      -- A hook: a webhook registered through the API (kind 'webhook', owner-scoped) or a
      -- pack's code hook (kind 'code', owner NULL = every owner, synced at start by its key).
      CREATE TABLE sg_hooks (
        id          uuid PRIMARY KEY,
        kind        text NOT NULL CHECK (kind IN ('webhook', 'code')),
        code_key    text UNIQUE,
        owner       text,
        events      text[] NOT NULL,
        workflows   text[],
        url         text,
        secret      text,
        blocking    boolean NOT NULL DEFAULT false,
        on_failure  text NOT NULL DEFAULT 'fail' CHECK (on_failure IN ('fail', 'ask')),
        retries     integer NOT NULL DEFAULT 3,
        created_at  timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CHECK ((kind = 'webhook') = (url IS NOT NULL AND secret IS NOT NULL AND owner IS NOT NULL AND code_key IS NULL))
      );
      CREATE INDEX sg_hooks_owner ON sg_hooks (owner, created_at);

      -- One delivery per hook and run event (seq), derived from the event log; attempts in history.
      -- seq is NULL for a blocking hook's execution: it runs before its stage's event is logged.
      CREATE TABLE sg_hook_deliveries (
        id          uuid PRIMARY KEY,
        hook_id     uuid NOT NULL REFERENCES sg_hooks(id) ON DELETE CASCADE,
        run_id      uuid NOT NULL REFERENCES sg_runs(id) ON DELETE CASCADE,
        seq         integer,
        event       text NOT NULL,
        stage       text,
        status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
        attempts    integer NOT NULL DEFAULT 0,
        last_error  text,
        next_at     timestamptz NOT NULL DEFAULT now(),
        history     jsonb NOT NULL DEFAULT '[]',
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (hook_id, run_id, seq)
      );
      CREATE INDEX sg_hook_deliveries_due ON sg_hook_deliveries (next_at) WHERE status IN ('pending', 'failed');
      CREATE INDEX sg_hook_deliveries_run ON sg_hook_deliveries (run_id, seq);

      -- How far each run's event log has been turned into deliveries.
      CREATE TABLE sg_hook_cursors (
        run_id uuid PRIMARY KEY REFERENCES sg_runs(id) ON DELETE CASCADE,
        seq    integer NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'workflow templates',
    sql: `
      -- One row per template version, never changed once written; a run pins its version in options.templateVersion.
      CREATE TABLE sg_templates (
        id         text NOT NULL,
        version    integer NOT NULL CHECK (version >= 1),
        owner      text NOT NULL,
        body       jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, version)
      );
    `,
  },
  {
    version: 11,
    name: 'evaluation baselines',
    sql: `
      -- A baseline: a workflow's metrics over a window of an owner's runs, and the samples
      -- (runs, stage attempts, errors, decisions) a later check compares with (graph/evaluation/).
      CREATE TABLE sg_eval_baselines (
        id          uuid PRIMARY KEY,
        owner       text NOT NULL,
        workflow_id text NOT NULL,
        window_from timestamptz,
        window_to   timestamptz NOT NULL,
        runs        integer NOT NULL,
        metrics     jsonb NOT NULL,
        samples     jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sg_eval_baselines_latest ON sg_eval_baselines (owner, workflow_id, created_at DESC);
      -- The evaluator reads a window's stage attempts by run.
      CREATE INDEX sg_stage_stats_run ON sg_stage_stats (run_id);
    `,
  },
  {
    version: 12,
    name: 'langgraph threads',
    sql: `
      -- A LangGraph thread before its run exists (the SDK creates threads, then runs on them);
      -- once run, the thread is the run (sg_runs.id = thread id) and this row keeps its metadata.
      CREATE TABLE sg_threads (
        id         uuid PRIMARY KEY,
        owner      text NOT NULL,
        metadata   jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sg_threads_owner_created ON sg_threads (owner, created_at DESC);
      -- What the LangGraph API calls a run: one action on a thread (start, answer, fork, resume),
      -- whose outcome is the first outcome event after from_seq in the run's log.
      CREATE TABLE sg_thread_runs (
        id           uuid PRIMARY KEY,
        thread_id    uuid NOT NULL,
        owner        text NOT NULL,
        assistant_id text NOT NULL,
        action       text NOT NULL,
        from_seq     integer NOT NULL,
        after_checkpoint text,
        metadata     jsonb NOT NULL DEFAULT '{}',
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sg_thread_runs_thread ON sg_thread_runs (thread_id, created_at DESC);
    `,
  },
];

const LOCK_KEY = 0x5354_4147; // "STAG"

/**
 * A pool whose only connection is `client`, for `PostgresSaver.setup()`: its migrations
 * then run on the connection that holds the advisory lock, and need no second
 * connection from a pool that may have only one.
 */
function poolOf(client: pg.PoolClient): pg.Pool {
  const lease = { query: client.query.bind(client), release: () => undefined };
  return { connect: async () => lease, query: client.query.bind(client) } as unknown as pg.Pool;
}

async function applyOurs(client: pg.PoolClient): Promise<number[]> {
  const applied: number[] = [];
  await client.query(`CREATE TABLE IF NOT EXISTS sg_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM sg_migrations');
  const done = new Set(rows.map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(m.sql);
      await client.query('INSERT INTO sg_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      await client.query('COMMIT');
      applied.push(m.version);
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
  }
  return applied;
}

/**
 * Applies every migration newer than the database's version, then LangGraph's
 * checkpointer migrations (`PostgresSaver.setup()`), all under one session advisory
 * lock: a process that starts while another migrates waits for it, then finds nothing
 * left to do. Returns the versions of ours applied.
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const applied = await applyOurs(client);
      await new PostgresSaver(poolOf(client)).setup();
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch((e: Error) => (broken = e));
    }
  } finally {
    // A connection that could not unlock may still hold the lock: destroy it rather than pool it.
    client.release(broken);
  }
}
