/**
 * The `sg_templates` table: one row per template version, never changed once written.
 * A new body under an existing id is the next version (max + 1, retried if two
 * processes create one at once).
 */
import type pg from 'pg';
import type { WorkflowTemplate } from './schema.ts';

export interface TemplateRecord {
  id: string;
  version: number;
  /** Who created this version. */
  owner: string;
  body: WorkflowTemplate;
  createdAt: string;
}

interface Row {
  id: string;
  version: number;
  owner: string;
  body: WorkflowTemplate;
  created_at: Date;
}

const toRecord = (r: Row): TemplateRecord => ({ id: r.id, version: r.version, owner: r.owner, body: r.body, createdAt: r.created_at.toISOString() });

const COLUMNS = 'id, version, owner, body, created_at';

export class TemplateStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Writes `body` as the next version of `id` (1 for a new id). */
  async insert(id: string, owner: string, body: WorkflowTemplate): Promise<TemplateRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query<Row>(
          `INSERT INTO sg_templates (id, version, owner, body)
           SELECT $1, COALESCE(max(version), 0) + 1, $2, $3 FROM sg_templates WHERE id = $1
           RETURNING ${COLUMNS}`,
          [id, owner, JSON.stringify(body)],
        );
        return toRecord(rows[0]!);
      } catch (e) {
        // Another process took the same version number: take the next one.
        if ((e as { code?: string }).code !== '23505' || attempt >= 5) throw e;
      }
    }
  }

  /** Version `version` of `id`, or its latest. */
  async get(id: string, version?: number): Promise<TemplateRecord | undefined> {
    const { rows } = version === undefined
      ? await this.pool.query<Row>(`SELECT ${COLUMNS} FROM sg_templates WHERE id = $1 ORDER BY version DESC LIMIT 1`, [id])
      : await this.pool.query<Row>(`SELECT ${COLUMNS} FROM sg_templates WHERE id = $1 AND version = $2`, [id, version]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Every version of `id`, oldest first. */
  async versions(id: string): Promise<TemplateRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM sg_templates WHERE id = $1 ORDER BY version`, [id]);
    return rows.map(toRecord);
  }

  /** The latest version of every template with the numbers of all its versions, by id. */
  async latest(): Promise<{ record: TemplateRecord; versions: number[] }[]> {
    const { rows } = await this.pool.query<Row & { versions: number[] }>(
      `SELECT DISTINCT ON (id) ${COLUMNS}, array_agg(version) OVER (PARTITION BY id ORDER BY version
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS versions
       FROM sg_templates ORDER BY id, version DESC`,
    );
    return rows.map((r) => ({ record: toRecord(r), versions: r.versions }));
  }

  /** The ids of every template. */
  async ids(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>('SELECT DISTINCT id FROM sg_templates ORDER BY id');
    return rows.map((r) => r.id);
  }
}
