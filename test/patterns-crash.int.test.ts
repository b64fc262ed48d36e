/**
 * Crash recovery in the middle of a pattern: a child process runs a patterns example
 * and is killed with SIGKILL inside a stage, once earlier stages are durable. A new
 * `createStagegraph()` recovers the run on start and completes it; the journal (written
 * by the stages, outside any process) shows that no completed stage ran again and no
 * decision was made twice.
 * - supervisor: killed in the first `write`, the third dispatch of the editor's loop;
 * - hierarchical: killed in `verify`, inside the sub-workflow: the parent resumes the
 *   child, whose `gather` is not run again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { journaledPatternsPack, journalLines } from './support/patterns-journal.ts';
import { killAll, start, type Proc } from './support/processes.ts';
import { expectWellFormedLog, until } from './support/runs.ts';

const completions = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'workflow.stage_changed' && e.payload.change === 'completed' ? [e.payload.stage] : []));

describe('crash recovery inside patterns', () => {
  let t: TestDatabase;
  let dir: string;
  const procs: Proc[] = [];
  const open: Stagegraph[] = [];

  beforeAll(async () => {
    t = await testDatabase({ max: 4 });
    dir = await mkdtemp(join(tmpdir(), 'sg-patterns-crash-'));
  });

  // Each test's stagegraphs hold a lease; the next test waits for no lease but the dead one's.
  afterEach(async () => {
    for (const sg of open.splice(0)) await sg.close();
  });

  afterAll(async () => {
    killAll(procs);
    await t?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Starts `workflowId` in a child, kills it once `ready(events, journal)` holds, and
   * recovers the run in this process. Returns the run's id, journal file and recovered stagegraph.
   */
  async function crashAndRecover(workflowId: string, request: unknown, delays: Record<string, number>, ready: (events: RunEvent[], journal: string[]) => boolean) {
    const journal = join(dir, `${workflowId}.log`);
    const child = start(['--import', 'tsx', 'test/support/patterns-child.ts'], {
      ...t.childEnv, PATTERNS_JOURNAL: journal, PATTERNS_WORKFLOW: workflowId, PATTERNS_REQUEST: JSON.stringify(request), PATTERNS_DELAYS: JSON.stringify(delays),
    });
    procs.push(child);
    const runId = (JSON.parse(await child.line(/^\{"runId"/, 60_000)) as { runId: string }).runId;
    const reader = await createStagegraph({ packs: [journaledPatternsPack(journal, delays)], database: t.db, recover: false });
    open.push(reader);
    await until(async () => (ready(await reader.runs.eventsSince(runId, 0), journalLines(journal)) ? true : undefined), 30_000, 'the kill point');
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    const { rows: [left] } = await t.db.pool.query('SELECT status FROM sg_runs WHERE id = $1', [runId]);
    expect(left.status).toBe('running');
    // The dead process's lease ends once Postgres notices its closed socket.
    await until(async () => {
      const { rows } = await t.db.pool.query(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      );
      return rows[0].n === 0 ? true : undefined;
    }, 15_000, "the dead process's lease to be released");
    const journalAtKill = journalLines(journal);
    const sg = await createStagegraph({ packs: [journaledPatternsPack(journal, delays)], database: t.db });
    open.push(sg);
    expect((await sg.runs.wait(runId)).status).toBe('completed');
    return { runId, sg, journal, journalAtKill };
  }

  it('supervisor: killed mid-loop, recovered: completed workers and recorded dispatches are not redone', async () => {
    const { runId, sg, journal, journalAtKill } = await crashAndRecover('patterns-supervisor', { topic: 'dunes' }, { write: 2500 }, (events, lines) =>
      completions(events).join() === 'research,research' && lines.includes('start write'));
    expect(journalAtKill).toEqual(['start research', 'end research', 'start research', 'end research', 'start write']);
    // The write in flight ran again; nothing that had completed did.
    expect(journalLines(journal).filter((l) => l.startsWith('start'))).toEqual(
      ['start research', 'start research', 'start write', 'start write', 'start review', 'start write', 'start review']);
    const view = await sg.runs.get(runId);
    expect(view.decisions.map((d) => d.chosen)).toEqual(['research', 'research', 'write', 'review', 'write', 'review', 'done']);
    const events = await sg.runs.eventsSince(runId, 0);
    expect(completions(events)).toEqual(['research', 'research', 'write', 'review', 'write', 'review']);
    // Seven dispatches, each decided once: the one before the kill was durable with its checkpoint.
    expect(events.filter((e) => e.type === 'workflow.decision_made')).toHaveLength(7);
    const { rows } = await t.db.pool.query('SELECT count(*)::int AS n FROM sg_decisions WHERE run_id = $1', [runId]);
    expect(rows[0].n).toBe(7);
    expect(events.filter((e) => e.type === 'workflow.resumed').map((e) => e.payload)).toEqual([{ from: 'crash' }]);
    expectWellFormedLog(events);
  });

  it('hierarchical: killed inside the sub-workflow, recovered: the parent resumes the child, nothing redone', async () => {
    const { runId, sg, journal, journalAtKill } = await crashAndRecover('patterns-hierarchical', { question: 'why is the sea salty', source: 'NOAA' }, { verify: 2500 }, (events, lines) =>
      completions(events).join() === 'intake,gather' && lines.includes('start verify'));
    expect(journalAtKill).toEqual(['start intake', 'end intake', 'start gather', 'end gather', 'start verify']);
    expect(journalLines(journal).filter((l) => l.startsWith('start'))).toEqual(['start intake', 'start gather', 'start verify', 'start verify', 'start summarize', 'start report']);
    const view = await sg.runs.get(runId);
    expect(view.completed).toEqual(['intake', 'research-team', 'report']);
    expect(view.partialResults.report).toEqual({ report: 'fact about why is the sea salty; another fact about why is the sea salty [NOAA]' });
    const events = await sg.runs.eventsSince(runId, 0);
    expect(completions(events)).toEqual(['intake', 'gather', 'verify', 'summarize', 'research-team', 'report']);
    expectWellFormedLog(events);
  });
});
