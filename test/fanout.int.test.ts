/**
 * Events across processes: two `stagegraph serve` processes on one database. Runs
 * started on server A (executing there) are watched over a raw WebSocket on server B:
 * B delivers every event of every run exactly once and in seq order, the same events
 * the log holds. Then A is SIGKILLed while runs are in flight: B takes them over and its
 * clients still get every event exactly once, in order (A's relayed, then B's own).
 * The frames are read raw (not through the client's EventStream, which drops
 * duplicates itself), so a duplicate or a reordering by the server fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { killAll, stagegraph, type Proc } from './support/processes.ts';
import { watchAll } from './support/raw-events.ts';

const FLAGSHIP = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const TERMINAL = new Set(['workflow.completed', 'workflow.failed', 'workflow.aborted']);

let t: TestDatabase;
const procs: Proc[] = [];

beforeAll(async () => {
  t = await testDatabase();
});
afterAll(async () => {
  killAll(procs);
  await Promise.all(procs.map((p) => p.exited));
  await t?.drop();
});

async function server(): Promise<{ proc: Proc; url: string }> {
  const proc = stagegraph(['serve', '--port', '0', '--no-auth'], { ...t.childEnv, STAGEGRAPH_DB_POOL: '4' });
  procs.push(proc);
  const line = await proc.line(/listening on (http\S+)/);
  return { proc, url: /listening on (http\S+)/.exec(line)![1]! };
}

async function start(url: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/api/agent/orchestrate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request: FLAGSHIP, options: { seed: i + 1 } }) });
    expect(res.status).toBe(202);
    ids.push(((await res.json()) as { sessionId: string }).sessionId);
  }
  return ids;
}

const ended = (ids: string[]) => (frames: RunEvent[]) => ids.every((id) => frames.some((e) => e.runId === id && TERMINAL.has(e.type)));

/** Every run's frames are its log's events: each once, in seq order, none missing. */
async function expectExactlyTheLog(frames: RunEvent[], ids: string[]): Promise<void> {
  for (const id of ids) {
    const got = frames.filter((e) => e.runId === id);
    const { rows } = await t.db.pool.query<{ seq: number; type: string }>('SELECT seq, type FROM sg_events WHERE run_id = $1 ORDER BY seq', [id]);
    expect(got.map((e) => e.seq), `run ${id}`).toEqual(rows.map((r) => r.seq));
    expect(got.map((e) => e.type)).toEqual(rows.map((r) => r.type));
  }
}

describe('two servers on one database', () => {
  it('a client on B gets every event of runs executing on A, exactly once and in order', async () => {
    const [a, b] = await Promise.all([server(), server()]);
    const onB = await watchAll(b.url);
    const ids = await start(a.url, 5);
    await onB.until(ended(ids));
    onB.close();
    const { rows } = await t.db.pool.query<{ status: string; error: unknown }>('SELECT status, error FROM sg_runs WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows.map((r) => r.status), JSON.stringify(rows)).toEqual(ids.map(() => 'completed'));
    expect(onB.frames.filter((e) => e.runId === ids[0]).length).toBeGreaterThan(50);
    await expectExactlyTheLog(onB.frames, ids);
    a.proc.child.kill('SIGTERM');
    b.proc.child.kill('SIGTERM');
    expect((await a.proc.exited).code).toBe(0);
    expect((await b.proc.exited).code).toBe(0);
  });

  it('A is killed mid-run: B takes its runs over and its client still gets every event once, in order', async () => {
    const [a, b] = await Promise.all([server(), server()]);
    const onB = await watchAll(b.url);
    const ids = await start(a.url, 3);
    // Killed once B has relayed some of A's progress: the runs are in flight.
    await onB.until((f) => f.filter((e) => ids.includes(e.runId) && e.type === 'workflow.stage_changed').length >= 3);
    a.proc.child.kill('SIGKILL');
    await onB.until(ended(ids));
    onB.close();
    const { rows } = await t.db.pool.query<{ status: string; error: unknown }>('SELECT status, error FROM sg_runs WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows.map((r) => r.status), JSON.stringify(rows)).toEqual(ids.map(() => 'completed'));
    await expectExactlyTheLog(onB.frames, ids);
    b.proc.child.kill('SIGTERM');
    expect((await b.proc.exited).code).toBe(0);
  });
});
