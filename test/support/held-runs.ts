/** Reading a held-workflow run straight from the database, for tests that drive `stagegraph` processes. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';

export interface LoggedEvent {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
}

export async function eventsOf(pool: pg.Pool, runId: string): Promise<LoggedEvent[]> {
  const { rows } = await pool.query<LoggedEvent>('SELECT seq, type, payload FROM sg_events WHERE run_id = $1 ORDER BY seq', [runId]);
  return rows;
}

export async function statusOf(pool: pg.Pool, runId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [runId]);
  return rows[0]?.status;
}

/** The stages whose `change` event was logged, in order (e.g. every `completed`). */
export function stagesWith(events: LoggedEvent[], change: string): string[] {
  return events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === change).map((e) => String(e.payload.stage));
}

/** A directory for the held workflow (`SG_HOLD_DIR`) and the function that releases its `hold` stage. */
export async function holdDir(): Promise<{ dir: string; release(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-hold-'));
  return { dir, release: () => writeFile(join(dir, 'release'), '') };
}
