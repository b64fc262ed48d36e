/** The decision ledger on the `sg_decisions` table: one row per point, iteration and branch of a run. */
import type pg from 'pg';
import type { DecisionLedger } from './ledger.ts';
import type { DecisionRecord } from './types.ts';

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

  async save(runId: string, branch: string, record: DecisionRecord): Promise<DecisionRecord> {
    await this.pool.query(
      `INSERT INTO sg_decisions (id, run_id, point, iteration, branch, method, chosen, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, point, iteration, branch) DO NOTHING`,
      [record.id, runId, record.point, record.iteration, branch, record.method, record.chosen, JSON.stringify(record)],
    );
    const { rows } = await this.pool.query<{ record: DecisionRecord }>(
      'SELECT record FROM sg_decisions WHERE run_id = $1 AND point = $2 AND iteration = $3 AND branch = $4',
      [runId, record.point, record.iteration, branch],
    );
    return rows[0]!.record;
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
}
