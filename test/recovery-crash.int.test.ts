/**
 * Saga compensation across a crash: a child process fails a run, asks for a rollback
 * (or an abort) and is killed with SIGKILL between two compensations. A new
 * `createStagegraph()` finishes what the dead process left half-done on start: each
 * compensation runs exactly once (counted in a journal file), a rollback continues
 * from its stable checkpoint to the end, an abort logs `workflow.aborted` only once
 * its compensation is over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { sagaCounts, sagaWorkflow } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { until } from './support/runs.ts';

describe('saga compensation across a crash', () => {
  let t: TestDatabase;
  let dir: string;
  let child: ChildProcess | undefined;
  let sg: Stagegraph | undefined;

  beforeAll(async () => {
    t = await testDatabase({ max: 4 });
    dir = await mkdtemp(join(tmpdir(), 'sg-saga-crash-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sg?.close();
    sg = undefined;
  });

  afterAll(async () => {
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the child in `mode` until it dies; returns the run id and the child's exit signal. */
  async function crashChild(mode: 'rollback' | 'abort', journal: string): Promise<{ runId: string; signal: NodeJS.Signals | null }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...t.childEnv, RECOVERY_JOURNAL: journal, RECOVERY_MODE: mode };
    if (t.kind === 'embedded') delete env.DATABASE_URL;
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/recovery-child.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((done) => child!.once('exit', (_code, s) => done(s)));
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`child printed no run id: ${stderr}`);
    // The dead process's session (and any run lock) ends once Postgres notices the closed socket.
    await until(async () => {
      const { rows } = await t.db.pool.query(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      );
      return rows[0].n === 0 ? true : undefined;
    }, 10_000, 'the dead process to release its locks');
    return { runId: (JSON.parse(line) as { runId: string }).runId, signal };
  }

  const compensatedEvents = (events: RunEvent[]) =>
    events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'compensated').map((e) => (e.payload as { stage: string }).stage);

  it('a rollback killed between two compensations is finished on restart: each compensation once, then on to the end', async () => {
    const journal = join(dir, 'rollback.log');
    const { runId, signal } = await crashChild('rollback', journal);
    expect(signal).toBe('SIGKILL');
    // Killed after c's compensation was logged, before b's started.
    expect(sagaCounts(journal, runId)).toEqual({ runs: { a: 1, b: 1, c: 1, d: 1 }, compensations: ['c'] });
    const { rows: [left] } = await t.db.pool.query('SELECT status FROM sg_runs WHERE id = $1', [runId]);
    expect(left.status).toBe('running');

    // d works in this process: the rollback goes on from before b to the end.
    sg = await createStagegraph({ workflows: [sagaWorkflow(journal, { fail: new Set() })], database: t.db });
    const end = await sg.runs.wait(runId);
    expect(end.status).toBe('completed');
    expect(sagaCounts(journal, runId)).toEqual({ runs: { a: 1, b: 2, c: 2, d: 2 }, compensations: ['c', 'b'] });
    const view = await sg.runs.get(runId);
    expect(view.completed).toEqual(['a', 'b', 'c', 'd']);
    expect(view.partialResults).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 }, d: { n: 4 } });

    const events = await sg.runs.eventsSince(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(compensatedEvents(events)).toEqual(['c', 'b']);
    const resumed = events.filter((e): e is Extract<RunEvent, { type: 'workflow.resumed' }> => e.type === 'workflow.resumed').map((e) => e.payload);
    expect(resumed.map((p) => [p.from, p.action, p.by, p.reason, p.stage])).toEqual([
      ['restore', 'rollback', 'child', 'crash test', 'b'],
      ['crash', 'rollback', 'child', 'crash test', 'b'],
    ]);
    expect(resumed[1]!.checkpointId).toBe(resumed[0]!.checkpointId);
    expect(events[events.length - 1]!.type).toBe('workflow.completed');
  });

  it('an abort killed between two compensations is finished on restart: each compensation once, then workflow.aborted', async () => {
    const journal = join(dir, 'abort.log');
    const { runId, signal } = await crashChild('abort', journal);
    expect(signal).toBe('SIGKILL');
    expect(sagaCounts(journal, runId).compensations).toEqual(['c']);
    const { rows: [left] } = await t.db.pool.query('SELECT status, error FROM sg_runs WHERE id = $1', [runId]);
    expect(left.status).toBe('aborted');
    expect(left.error).toMatchObject({ code: 'run_aborted', details: { by: 'child', compensation: 'pending' } });

    sg = await createStagegraph({ workflows: [sagaWorkflow(journal, { fail: new Set(['d']) })], database: t.db });
    const end = await until(async () => {
      const row = await sg!.runs.get(runId);
      return row.error?.details.compensation === 'done' ? row : undefined;
    }, 10_000, 'the abort to be finished');
    expect(end.status).toBe('aborted');
    expect(sagaCounts(journal, runId)).toEqual({ runs: { a: 1, b: 1, c: 1, d: 1 }, compensations: ['c', 'b', 'a'] });

    const events = await sg.runs.eventsSince(runId);
    expect(compensatedEvents(events)).toEqual(['c', 'b', 'a']);
    const aborted = events.filter((e) => e.type === 'workflow.aborted');
    expect(aborted.map((e) => e.payload)).toEqual([{ reason: 'crash test', by: 'child', compensated: ['c', 'b', 'a'] }]);
    expect(events[events.length - 1]).toBe(aborted[0]);
    // Nothing is left to finish: another start does not compensate again.
    expect(await sg.runs.recover()).toEqual([]);
    expect(sagaCounts(journal, runId).compensations).toEqual(['c', 'b', 'a']);
  });
});
