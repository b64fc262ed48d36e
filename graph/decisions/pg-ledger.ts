/** The decision ledger on the `sg_decisions` table: one row per point, iteration and branch of a run. */
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { DecisionLedger } from './ledger.ts';
import type { DecisionRecord } from './types.ts';

/** A stored decision with the run it belongs to. */
export interface LedgerEntry {
  runId: string;
  /** The run's owner (`sg_runs.owner`). */
  owner: string;
  workflowId: string;
  branch: string;
  record: DecisionRecord;
  createdAt: Date;
}

interface EntryRow {
  run_id: string;
  owner: string;
  workflow_id: string;
  branch: string;
  record: DecisionRecord;
  created_at: Date;
}

const ENTRY = `SELECT d.run_id, r.owner, r.workflow_id, d.branch, d.record, d.created_at
  FROM sg_decisions d JOIN sg_runs r ON r.id = d.run_id`;

const toEntry = (r: EntryRow): LedgerEntry => ({ runId: r.run_id, owner: r.owner, workflowId: r.workflow_id, branch: r.branch, record: r.record, createdAt: r.created_at });

export class PgDecisionLedger implements DecisionLedger {
  constructor(private readonly pool: pg.Pool) {}

  async recall(runId: string, point: string, iteration: number, inputs: Record<string, unknown>): Promise<DecisionRecord | undefined> {
    const { rows } = await this.pool.query<{ record: DecisionRecord }>(
      `SELECT record FROM sg_decisions WHERE run_id = $1 AND point = $2 AND iteration = $3 AND record->'inputs' = $4::jsonb
       ORDER BY created_at LIMIT 1`,
      [runId, point, iteration, JSON.stringify(inputs)],
    );
    return rows[0]?.record;
  }

  async save(runId: string, branch: string, record: DecisionRecord, fence?: string): Promise<DecisionRecord> {
    // One statement: the insert (only while `fence` still holds the run, when given),
    // else the record stored first for this point, iteration and branch.
    const { rows } = await this.pool.query<{ record: DecisionRecord }>(
      `WITH ins AS (
         INSERT INTO sg_decisions (id, run_id, point, iteration, branch, method, chosen, record)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8
          WHERE $9::bigint IS NULL OR EXISTS (SELECT 1 FROM sg_runs WHERE id = $2 AND fence = $9::bigint)
         ON CONFLICT (run_id, point, iteration, branch) DO NOTHING RETURNING record)
       SELECT record FROM ins
       UNION ALL SELECT record FROM sg_decisions WHERE run_id = $2 AND point = $3 AND iteration = $4 AND branch = $5
       LIMIT 1`,
      [record.id, runId, record.point, record.iteration, branch, record.method, record.chosen, JSON.stringify(record), fence ?? null],
    );
    if (!rows[0]) {
      throw new StagegraphError('run_fenced', `run ${runId} is now executed by another process: its decision '${record.point}' is not recorded here`, { class: 'fatal', details: { runId, point: record.point } });
    }
    return rows[0].record;
  }

  async forRun(runId: string): Promise<DecisionRecord[]> {
    const { rows } = await this.pool.query<{ record: DecisionRecord }>(
      'SELECT record FROM sg_decisions WHERE run_id = $1 ORDER BY created_at, iteration',
      [runId],
    );
    return rows.map((r) => r.record);
  }

  async get(id: string): Promise<{ runId: string; record: DecisionRecord } | undefined> {
    const { rows } = await this.pool.query<{ run_id: string; record: DecisionRecord }>('SELECT run_id, record FROM sg_decisions WHERE id = $1', [id]);
    return rows[0] ? { runId: rows[0].run_id, record: rows[0].record } : undefined;
  }

  /** One decision with its run's owner and workflow; undefined for an unknown (or malformed) id. */
  async find(id: string): Promise<LedgerEntry | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
    const { rows } = await this.pool.query<EntryRow>(`${ENTRY} WHERE d.id = $1`, [id]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  /** Decisions made since a time (all without one), oldest first. */
  async list(query: { since?: Date; owner?: string } = {}): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `${ENTRY} WHERE ($1::timestamptz IS NULL OR d.created_at >= $1) AND ($2::text IS NULL OR r.owner = $2)
       ORDER BY d.created_at, d.run_id, d.iteration`,
      [query.since ?? null, query.owner ?? null],
    );
    return rows.map(toEntry);
  }
}
