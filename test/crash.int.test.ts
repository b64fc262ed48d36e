/**
 * Crash recovery: a child process runs a workflow and is killed with SIGKILL in the
 * middle of a stage. A new `createStagegraph()` recovers the run on start; it completes,
 * stages that finished before the kill are not run again, and the event log has no gap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { crashWorkflow, readJournal } from './fixtures/crash.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog, until } from './support/runs.ts';

describe('crash recovery', () => {
  let t: TestDatabase;
  let dir: string;
  let child: ChildProcess | undefined;
  let sg: Stagegraph | undefined;
  /** Reads the run while the child executes it (never executes anything itself). */
  let reader: Stagegraph | undefined;

  beforeAll(async () => {
    t = await testDatabase({ max: 4 });
    dir = await mkdtemp(join(tmpdir(), 'sg-crash-'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sg?.close();
    await reader?.close();
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a run killed mid-stage resumes from its last checkpoint on the next start and completes', async () => {
    const journal = join(dir, 'journal.log');
    const env: NodeJS.ProcessEnv = { ...process.env, ...t.childEnv, CRASH_JOURNAL: journal };
    if (t.kind === 'embedded') delete env.DATABASE_URL;
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-child.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) => child!.once('exit', (_code, signal) => done(signal)));

    const runId = await until(async () => {
      if (child!.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as { runId: string }).runId : undefined;
    }, 30_000, 'the child to start a run');

    // Kill it inside `c`, once `b`'s checkpoint is durable.
    reader = await createStagegraph({ workflows: [crashWorkflow(journal)], database: t.db, recover: false });
    await until(async () => (readJournal(journal).some(([ev, s]) => ev === 'start' && s === 'c') ? true : undefined), 15_000, "stage 'c' to start");
    await until(async () => ((await reader!.runs.get(runId)).completed.includes('b') ? true : undefined), 15_000, "b's checkpoint");
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readJournal(journal)).toEqual([['start', 'a'], ['end', 'a'], ['start', 'b'], ['end', 'b'], ['start', 'c']]);

    const { rows: [left] } = await t.db.pool.query('SELECT status FROM sg_runs WHERE id = $1', [runId]);
    expect(left.status).toBe('running');
    // The dead process's session (and its run lock) ends once Postgres notices the closed socket.
    await until(async () => {
      const { rows } = await t.db.pool.query(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      );
      return rows[0].n === 0 ? true : undefined;
    }, 10_000, 'the dead run lock to be released');

    sg = await createStagegraph({ workflows: [crashWorkflow(journal)], database: t.db });
    const end = await sg.runs.wait(runId);
    expect(end.status).toBe('completed');
    const view = await sg.runs.get(runId);
    expect(view.completed).toEqual(['a', 'b', 'c', 'd']);
    expect(view.partialResults).toEqual({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 }, d: { n: 4 } });

    // Completed stages ran once; the killed one ran again, to its end.
    const starts = readJournal(journal).filter(([ev]) => ev === 'start').map(([, s]) => s);
    expect(starts).toEqual(['a', 'b', 'c', 'c', 'd']);
    expect(readJournal(journal).filter(([ev]) => ev === 'end').map(([, s]) => s)).toEqual(['a', 'b', 'c', 'd']);

    const events = await sg.runs.eventsSince(runId);
    expectWellFormedLog(events);
    const resumed = events.filter((e) => e.type === 'workflow.resumed');
    expect(resumed.map((e) => e.payload)).toEqual([{ from: 'crash' }]);
    const completedStages = events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => (e.payload as { stage: string }).stage);
    expect(completedStages).toEqual(['a', 'b', 'c', 'd']);
  });
});
