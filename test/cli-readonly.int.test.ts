/**
 * Reading has no side effects: `stagegraph runs`, `show` and `decisions replay` leave a
 * run that a killed process left `running` exactly as it was (not resumed, not
 * drained, not taken over); `resume` refuses it and points to `recover`, which takes it
 * over and follows it to its end. Real processes throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorAlive } from '../graph/runs/lease.ts';
import { journal } from './fixtures/held.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { eventsOf, holdDir, stagesWith, statusOf } from './support/held-runs.ts';
import { killAll, start, stagegraphDone, type Proc } from './support/processes.ts';
import { until } from './support/runs.ts';

const WORKFLOWS = ['--workflows', 'test/fixtures/held.ts'];

let database: TestDatabase;
const procs: Proc[] = [];

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  killAll(procs);
  await database.drop();
});

/** Everything about the run a reader could change. */
async function footprint(id: string): Promise<unknown> {
  const { rows } = await database.db.pool.query('SELECT status, executor, fence, last_seq, updated_at, progress FROM sg_runs WHERE id = $1', [id]);
  const events = await eventsOf(database.db.pool, id);
  return { row: rows[0], events: events.length, checkpoints: (await database.db.pool.query('SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1', [id])).rows[0].n };
}

describe('read-only commands on a run a dead process left running', () => {
  it('runs, show and decisions replay change nothing; resume refuses it; recover completes it', async () => {
    const hold = await holdDir();
    const env = { DATABASE_URL: database.url, SG_HOLD_DIR: hold.dir };
    const child = start(['--import', 'tsx', 'test/support/held-child.ts'], env);
    procs.push(child);
    const id = (JSON.parse(await child.line(/runId/)) as { runId: string }).runId;
    await until(async () => (stagesWith(await eventsOf(database.db.pool, id), 'started').includes('hold') || undefined), 30_000, 'hold to start');
    child.child.kill('SIGKILL');
    await child.exited;
    // Postgres notices the dead connection and frees the process's lease.
    await until(async () => {
      const { rows } = await database.db.pool.query<{ dead: boolean }>(`SELECT NOT ${executorAlive('r.executor')} AS dead FROM sg_runs r WHERE id = $1`, [id]);
      return rows[0]!.dead || undefined;
    }, 30_000, 'the dead process to lose its lease');
    await hold.release();
    const before = await footprint(id);
    expect(before).toMatchObject({ row: { status: 'running' } });

    const runs = await stagegraphDone([...WORKFLOWS, 'runs'], env);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`${id}\\s+running`));
    const show = await stagegraphDone([...WORKFLOWS, 'show', id], env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`run ${id} (held): running`);
    expect(show.stdout).toContain('completed: first');
    const replay = await stagegraphDone([...WORKFLOWS, 'decisions', 'replay'], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(await footprint(id)).toEqual(before);
    expect(journal(hold.dir, id)).toEqual(['first', 'hold']);

    const resume = await stagegraphDone([...WORKFLOWS, 'resume', id], env);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('error [invalid_transition]');
    expect(resume.stderr).toContain('stagegraph recover');
    expect(await footprint(id)).toEqual(before);

    const recover = await stagegraphDone([...WORKFLOWS, 'recover'], env);
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stdout).toContain(`recovering 1 run: ${id}`);
    expect(recover.stdout).toContain('status: completed');
    expect(await statusOf(database.db.pool, id)).toBe('completed');
    // Only the stage in flight at the kill ran again.
    expect(journal(hold.dir, id)).toEqual(['first', 'hold', 'hold', 'third', 'fourth']);
    expect(stagesWith(await eventsOf(database.db.pool, id), 'completed')).toEqual(['first', 'hold', 'third', 'fourth']);

    const nothing = await stagegraphDone([...WORKFLOWS, 'recover'], env);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(nothing.stdout).toContain('nothing to recover');
  });
});
