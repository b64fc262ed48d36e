/**
 * The hooks table (`sg_hooks`): webhooks registered through the API, owner-scoped, and
 * packs' code hooks, synced at start under their key (`<pack id>/<name>`). A deleted
 * hook is disabled, not removed: its deliveries stay in the runs' timelines.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import { DEFAULT_HOOK_RETRIES, type HookEvent, type HookFailureBehaviour, type HookInfo } from './types.ts';

/** A webhook to register (`POST /api/hooks`), already validated. */
export interface NewWebhook {
  owner: string;
  url: string;
  events: HookEvent[];
  /** @default a new random secret, returned once */
  secret?: string;
  workflows?: string[];
  /** @default 3 */
  retries?: number;
  /** @default false */
  blocking?: boolean;
  /** @default 'fail' */
  onFailure?: HookFailureBehaviour;
}

/** A code hook as synced: its key and what the pack declared. */
export interface CodeHookRow {
  key: string;
  events: readonly HookEvent[];
  workflows: readonly string[] | null;
  retries: number;
  blocking: boolean;
  onFailure: HookFailureBehaviour;
}

/** A hook row with what executing it needs (secret included: never leaves the process). */
export interface HookRow extends HookInfo {
  secret: string | null;
}

interface Raw {
  id: string;
  kind: 'webhook' | 'code';
  code_key: string | null;
  owner: string | null;
  events: HookEvent[];
  workflows: string[] | null;
  url: string | null;
  secret: string | null;
  blocking: boolean;
  on_failure: HookFailureBehaviour;
  retries: number;
  created_at: Date;
  disabled_at: Date | null;
}

const COLUMNS = 'id, kind, code_key, owner, events, workflows, url, secret, blocking, on_failure, retries, created_at, disabled_at';

function toRow(r: Raw): HookRow {
  return {
    id: r.id, kind: r.kind, key: r.code_key, owner: r.owner, events: r.events, workflows: r.workflows, url: r.url, secret: r.secret,
    blocking: r.blocking, onFailure: r.on_failure, retries: r.retries,
    createdAt: r.created_at.toISOString(), disabledAt: r.disabled_at?.toISOString() ?? null,
  };
}

/** The row without its secret. */
export function toInfo(row: HookRow): HookInfo {
  const { secret: _secret, ...info } = row;
  return info;
}

/** A webhook secret: 32 random bytes, hex, prefixed so it is recognisable in a config. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

export class HookStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Registers a webhook; returns it with its secret (shown once). */
  async create(w: NewWebhook): Promise<{ hook: HookRow; secret: string }> {
    const secret = w.secret ?? newSecret();
    const { rows: [r] } = await this.pool.query<Raw>(
      `INSERT INTO sg_hooks (id, kind, owner, events, workflows, url, secret, blocking, on_failure, retries)
       VALUES ($1, 'webhook', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [randomUUID(), w.owner, w.events, w.workflows ?? null, w.url, secret, w.blocking ?? false, w.onFailure ?? 'fail', w.retries ?? DEFAULT_HOOK_RETRIES],
    );
    return { hook: toRow(r!), secret };
  }

  /** The owner's webhooks (deleted ones with `disabled`), then the code hooks every owner's runs may hear. */
  async list(owner: string, options: { disabled?: boolean } = {}): Promise<HookRow[]> {
    const { rows } = await this.pool.query<Raw>(
      `SELECT ${COLUMNS} FROM sg_hooks WHERE (owner = $1 OR kind = 'code') AND ($2 OR disabled_at IS NULL)
       ORDER BY kind DESC, created_at, id`,
      [owner, options.disabled ?? false],
    );
    return rows.map(toRow);
  }

  /** Every enabled hook (what this process's directory holds). */
  async active(): Promise<HookRow[]> {
    const { rows } = await this.pool.query<Raw>(`SELECT ${COLUMNS} FROM sg_hooks WHERE disabled_at IS NULL`);
    return rows.map(toRow);
  }

  /**
   * Disables one of the owner's webhooks and kills its deliveries still waiting.
   * @throws StagegraphError `hook_not_found` (also for another owner's hook, a code hook, or one already deleted)
   */
  async remove(id: string, owner: string): Promise<HookRow> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: [r] } = await client.query<Raw>(
        `UPDATE sg_hooks SET disabled_at = now() WHERE id = $1 AND owner = $2 AND kind = 'webhook' AND disabled_at IS NULL RETURNING ${COLUMNS}`,
        [id, owner],
      );
      if (!r) throw new StagegraphError('hook_not_found', `no hook '${id}'`, { class: 'validation', details: { hookId: id } });
      await client.query(
        `UPDATE sg_hook_deliveries SET status = 'dead', last_error = 'hook deleted', updated_at = now()
         WHERE hook_id = $1 AND status IN ('pending', 'failed')`,
        [id],
      );
      await client.query('COMMIT');
      return toRow(r);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /**
   * Makes the code hooks' rows say what the packs declare (a hook declared again is
   * enabled again; its id and `createdAt` stay). Returns their ids by key.
   */
  async syncCode(hooks: readonly CodeHookRow[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const h of hooks) {
      const { rows: [r] } = await this.pool.query<{ id: string }>(
        `INSERT INTO sg_hooks (id, kind, code_key, events, workflows, blocking, on_failure, retries)
         VALUES ($1, 'code', $2, $3, $4, $5, $6, $7)
         ON CONFLICT (code_key) DO UPDATE SET events = EXCLUDED.events, workflows = EXCLUDED.workflows,
           blocking = EXCLUDED.blocking, on_failure = EXCLUDED.on_failure, retries = EXCLUDED.retries, disabled_at = NULL
         RETURNING id`,
        [randomUUID(), h.key, h.events, h.workflows, h.blocking, h.onFailure, h.retries],
      );
      ids.set(h.key, r!.id);
    }
    return ids;
  }
}
