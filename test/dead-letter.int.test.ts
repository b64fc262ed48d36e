/**
 * A run that kills whatever executes it is not taken over forever: real processes run
 * `poison` (its second stage SIGKILLs its own process). `stagegraph run` dies, then each
 * `stagegraph recover` takes the run over and dies too; after 5 takeovers in a row
 * without a completed stage, the next process fails the run with `run_dead_lettered`
 * instead of taking it (and exits 0: nothing left to recover), and `show` says why.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { stagegraphDone } from './support/processes.ts';

const POISON = fileURLToPath(new URL('./fixtures/poison.ts', import.meta.url));

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(() => t?.drop());

describe('dead-lettered runs', () => {
  it('after 5 crash takeovers in a row the run fails with run_dead_lettered, and nothing takes it again', async () => {
    const first = await stagegraphDone(['--workflows', POISON, 'run', '--workflow', 'poison', '--json', '{"n":1}'], t.childEnv);
    expect(first.signal).toBe('SIGKILL');
    const { rows: [run] } = await t.db.pool.query<{ id: string }>(`SELECT id FROM sg_runs WHERE workflow_id = 'poison'`);
    for (let i = 1; i <= 5; i++) {
      const r = await stagegraphDone(['--workflows', POISON, 'recover'], t.childEnv);
      expect(r.signal, `takeover ${i}: ${r.stdout}${r.stderr}`).toBe('SIGKILL');
    }
    const last = await stagegraphDone(['--workflows', POISON, 'recover'], t.childEnv);
    expect(last.code).toBe(0);
    expect(last.stdout).toContain('nothing to recover');
    const { rows: [row] } = await t.db.pool.query<{ status: string; error: { code: string; details: { takeovers: number } } }>('SELECT status, error FROM sg_runs WHERE id = $1', [run!.id]);
    expect(row).toMatchObject({ status: 'failed', error: { code: 'run_dead_lettered', details: { takeovers: 5 } } });
    const { rows: events } = await t.db.pool.query<{ type: string; from: string | null }>(
      `SELECT type, payload->>'from' AS from FROM sg_events WHERE run_id = $1 AND type IN ('workflow.resumed', 'workflow.failed') ORDER BY seq`, [run!.id]);
    expect(events).toEqual([...Array.from({ length: 5 }, () => ({ type: 'workflow.resumed', from: 'crash' })), { type: 'workflow.failed', from: null }]);
    const show = await stagegraphDone(['--workflows', POISON, 'show', run!.id], t.childEnv);
    expect(show.stdout).toContain('error [run_dead_lettered]');
  });
});
