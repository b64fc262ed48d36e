/**
 * Scale out, as separate OS processes on one database: 2 API servers
 * (`serve --workers 0`) and 3 workers (`worker --concurrency 3`). RUNS flagship runs
 * are started through both servers. While they execute, one worker is SIGKILLed at a
 * random moment and another SIGTERMed (it drains its runs to a checkpoint). Then:
 * - every run completes;
 * - no run executed on two workers at once: each run's log has contiguous seqs and
 *   every stage completed exactly once (a second, concurrent execution would log its
 *   completions too, unless fenced out; a redone stage after a crash logs once, since
 *   a completion is logged only with the write that makes its output durable);
 * - some runs were taken over (the kill hit runs in flight);
 * - a raw WebSocket client on each server received every event of every run exactly
 *   once, in seq order, whichever process executed it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { prng } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { killAll, stagegraph, type Proc } from './support/processes.ts';
import { watchAll } from './support/raw-events.ts';

const RUNS = Number(process.env.SCALE_RUNS ?? 200);
const FLAGSHIP = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const TERMINAL = new Set(['workflow.completed', 'workflow.failed', 'workflow.aborted']);

let t: TestDatabase;
const procs: Proc[] = [];

beforeAll(async () => {
  t = await testDatabase({ max: 4 });
});
afterAll(async () => {
  killAll(procs);
  await Promise.all(procs.map((p) => p.exited));
  await t?.drop();
});

/** Five processes on one server: a pool of 4 each keeps them (and the tests beside them) under max_connections. */
function spawn(args: string[]): Proc {
  const p = stagegraph(args, { ...t.childEnv, STAGEGRAPH_DB_POOL: '4' });
  procs.push(p);
  return p;
}

async function server(): Promise<string> {
  const p = spawn(['serve', '--port', '0', '--no-auth', '--workers', '0']);
  return /listening on (http\S+)/.exec(await p.line(/listening on (http\S+)/))![1]!;
}

async function worker(): Promise<Proc> {
  const p = spawn(['worker', '--concurrency', '3']);
  await p.line(/stagegraph worker \d+ taking runs/);
  return p;
}

async function finished(): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sg_runs WHERE status IN ('completed', 'failed', 'aborted')`);
  return rows[0]!.n;
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`scale out: 2 API servers, 3 workers, ${RUNS} flagship runs`, () => {
  it('every run completes once, fenced, and both servers stream every event exactly once in order through a SIGKILL and a SIGTERM', async () => {
    const random = prng(Number(process.env.SCALE_SEED ?? Date.now() % 100_000));
    const urls = await Promise.all([server(), server()]);
    const workers = await Promise.all([worker(), worker(), worker()]);
    const clients = await Promise.all(urls.map(watchAll));
    for (const url of urls) expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', database: 'ok', role: 'api', queue: 'ok' });

    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const res = await fetch(`${urls[i % 2]}/api/agent/orchestrate`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request: FLAGSHIP, options: { seed: 1 + (i % 7) } }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { sessionId: string }).sessionId);
    }

    // Metrics of the queue while it is busy: queued runs wait, workers hold runs.
    const busy = await (await fetch(`${urls[0]}/metrics`)).text();
    expect(Number(/stagegraph_queue_depth\{workflow="h2-tank"\} (\d+)/.exec(busy)?.[1])).toBeGreaterThan(0);
    expect(busy).toMatch(/stagegraph_runs_running_by_executor\{executor="\d+"\} [1-9]/);

    // A random moment while runs execute: after between 10 % and 40 % have finished.
    const killAt = Math.floor(RUNS * (0.1 + 0.3 * random()));
    await waitFor(`${killAt} runs to finish`, async () => (await finished()) >= killAt);
    workers[0]!.child.kill('SIGKILL');
    const termAt = Math.min(RUNS - 1, killAt + Math.floor(RUNS * 0.1 * random()) + 1);
    await waitFor(`${termAt} runs to finish`, async () => (await finished()) >= termAt);
    workers[1]!.child.kill('SIGTERM');
    expect((await workers[1]!.exited).code).toBe(0);

    await waitFor('every run to finish', async () => (await finished()) === RUNS, 600_000);
    const ended = (frames: RunEvent[]) => new Set(frames.filter((e) => TERMINAL.has(e.type)).map((e) => e.runId)).size === RUNS;
    await waitFor('both clients to see every run end', () => clients.every((c) => ended(c.frames)), 60_000);
    clients.forEach((c) => c.close());

    const { rows: statuses } = await t.db.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM sg_runs GROUP BY status');
    expect(statuses).toEqual([{ status: 'completed', n: RUNS }]);

    const { rows: events } = await t.db.pool.query<{ run_id: string; seq: number; type: string; payload: { stage?: string; change?: string; from?: string } }>(
      'SELECT run_id, seq, type, payload FROM sg_events ORDER BY run_id, seq',
    );
    const byRun = new Map<string, typeof events>();
    for (const e of events) byRun.set(e.run_id, [...(byRun.get(e.run_id) ?? []), e]);
    expect(byRun.size).toBe(RUNS);
    for (const [id, log] of byRun) {
      expect(log.map((e) => e.seq), `run ${id}`).toEqual(log.map((_, i) => i + 1));
      const completions = log.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').map((e) => e.payload.stage!);
      expect(completions.length, `run ${id}: ${completions.join(',')}`).toBe(new Set(completions).size);
      for (const c of clients) {
        expect(c.frames.filter((e) => e.runId === id).map((e) => e.seq), `run ${id} on a client`).toEqual(log.map((e) => e.seq));
      }
    }
    const takenOver = events.filter((e) => e.type === 'workflow.resumed' && (e.payload.from === 'crash' || e.payload.from === 'paused'));
    expect(takenOver.length).toBeGreaterThan(0);
    const after = await (await fetch(`${urls[1]}/metrics`)).text();
    expect(after).toMatch(/stagegraph_queue_wait_seconds\{quantile="0\.5"\} \d/);
  }, 900_000);
});
