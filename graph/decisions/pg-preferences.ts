/**
 * Learned preferences on `sg_preferences` (one row per owner, point and weight) and the
 * feedback that shaped them on `sg_feedback` (one row per decision and owner: a second
 * feedback on the same decision replaces the first, so repeating it moves nothing).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  addChanges, negate, type FeedbackVerdict, type LearnedPreferences, type PreferenceSource, type PreferenceWeights, type WeightChanges,
} from './preferences.ts';

/** One feedback to store, with the weight changes it asks for. */
export interface FeedbackInput {
  decisionId: string;
  owner: string;
  point: string;
  verdict: FeedbackVerdict;
  preferred?: string;
  reason?: string;
  changes: WeightChanges;
}

/** What storing a feedback did. */
export interface StoredFeedback {
  feedbackId: string;
  /** The point's weights for this owner afterwards. */
  weights: PreferenceWeights;
  /** This feedback's own changes after clamping (a replaced feedback's were taken back first). */
  applied: WeightChanges;
  /** True when an earlier feedback on the same decision was taken back. */
  replaced: boolean;
}

type WeightRow = { point: string; kind: 'option' | 'criterion'; key: string; weight: number };
const KIND = { options: 'option', criteria: 'criterion' } as const;

function toWeights(rows: WeightRow[], feedback: number): PreferenceWeights {
  const w: PreferenceWeights = { options: {}, criteria: {}, feedback };
  for (const r of rows) (r.kind === 'option' ? w.options : w.criteria)[r.key] = r.weight;
  return w;
}

export class PgPreferenceStore implements PreferenceSource {
  constructor(private readonly pool: pg.Pool) {}

  /** One query per fresh decision; undefined when the owner has no weight for the point. */
  async load(owner: string, point: string): Promise<LearnedPreferences | undefined> {
    const { rows } = await this.pool.query<WeightRow & { n: number }>(
      `SELECT point, kind, key, weight,
         (SELECT count(*) FROM sg_feedback f WHERE f.owner = $1 AND f.point = $2 AND f.reset_at IS NULL)::int AS n
       FROM sg_preferences WHERE owner = $1 AND point = $2 AND weight <> 0`,
      [owner, point],
    );
    return rows.length ? { owner, ...toWeights(rows, rows[0]!.n) } : undefined;
  }

  /** Every point's weights for an owner (or one point's). */
  async forOwner(owner: string, point?: string): Promise<Record<string, PreferenceWeights>> {
    const { rows } = await this.pool.query<WeightRow>(
      `SELECT point, kind, key, weight FROM sg_preferences WHERE owner = $1 AND ($2::text IS NULL OR point = $2) AND weight <> 0`,
      [owner, point ?? null],
    );
    const counts = await this.pool.query<{ point: string; n: number }>(
      `SELECT point, count(*)::int AS n FROM sg_feedback WHERE owner = $1 AND ($2::text IS NULL OR point = $2) AND reset_at IS NULL GROUP BY point`,
      [owner, point ?? null],
    );
    const n = new Map(counts.rows.map((r) => [r.point, r.n]));
    const out: Record<string, PreferenceWeights> = {};
    for (const p of new Set(rows.map((r) => r.point))) out[p] = toWeights(rows.filter((r) => r.point === p), n.get(p) ?? 0);
    return out;
  }

  /** Stores a feedback and moves the weights, serialised per owner and point. */
  async applyFeedback(input: FeedbackInput): Promise<StoredFeedback> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sg:pref:${input.owner}:${input.point}`]);
      const prior = await client.query<{ id: string; applied: WeightChanges }>(
        'SELECT id, applied FROM sg_feedback WHERE decision_id = $1 AND owner = $2 AND reset_at IS NULL',
        [input.decisionId, input.owner],
      );
      const { rows } = await client.query<WeightRow>('SELECT point, kind, key, weight FROM sg_preferences WHERE owner = $1 AND point = $2', [input.owner, input.point]);
      const current = toWeights(rows, 0);
      const reverted = prior.rows[0] ? addChanges(current, negate(prior.rows[0].applied)).weights : current;
      const { weights, applied } = addChanges(reverted, input.changes);
      for (const kind of ['options', 'criteria'] as const) {
        for (const [key, weight] of Object.entries(weights[kind])) {
          if (weight === (current[kind][key] ?? 0)) continue;
          await client.query(
            `INSERT INTO sg_preferences (owner, point, kind, key, weight) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (owner, point, kind, key) DO UPDATE SET weight = EXCLUDED.weight, updated_at = now()`,
            [input.owner, input.point, KIND[kind], key, weight],
          );
        }
      }
      const id = prior.rows[0]?.id ?? randomUUID();
      await client.query(
        `INSERT INTO sg_feedback (id, decision_id, owner, point, verdict, preferred, reason, applied) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (decision_id, owner) DO UPDATE SET id = EXCLUDED.id, verdict = EXCLUDED.verdict, preferred = EXCLUDED.preferred,
           reason = EXCLUDED.reason, applied = EXCLUDED.applied, reset_at = NULL, created_at = now()`,
        [id, input.decisionId, input.owner, input.point, input.verdict, input.preferred ?? null, input.reason ?? null, JSON.stringify(applied)],
      );
      const count = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sg_feedback WHERE owner = $1 AND point = $2 AND reset_at IS NULL',
        [input.owner, input.point],
      );
      await client.query('COMMIT');
      return { feedbackId: id, weights: { ...weights, feedback: count.rows[0]!.n }, applied, replaced: prior.rows.length > 0 };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Forgets an owner's learned weights (for one point, or all). Feedback rows stay as
   * an audit trail, marked reset. Returns the number of weights removed.
   */
  async reset(owner: string, point?: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rowCount } = await client.query('DELETE FROM sg_preferences WHERE owner = $1 AND ($2::text IS NULL OR point = $2) AND weight <> 0', [owner, point ?? null]);
      await client.query('DELETE FROM sg_preferences WHERE owner = $1 AND ($2::text IS NULL OR point = $2)', [owner, point ?? null]);
      await client.query('UPDATE sg_feedback SET reset_at = now() WHERE owner = $1 AND ($2::text IS NULL OR point = $2) AND reset_at IS NULL', [owner, point ?? null]);
      await client.query('COMMIT');
      return rowCount ?? 0;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}
