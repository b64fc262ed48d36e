/**
 * The LangGraph-compatible surface on real `stagegraph serve` processes over one database:
 * what `langgraphjs dev` (in memory) cannot do.
 * - A thread created, then the server restarted: the thread, and a finished run's
 *   history, are all there (read back from Postgres).
 * - The server SIGKILLed while a run started through the SDK is in flight: a new server
 *   takes the run over, the SDK joins it to the end, and no stage completed twice.
 * - An API-only server (`--workers 0`) with a `stagegraph worker`: a run started and
 *   streamed through the SDK executes on the worker, and its stream is the whole run.
 */
import { Client as LangGraphClient } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { killAll, stagegraph, type Proc } from './support/processes.ts';

const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';

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

async function serve(args: string[] = []): Promise<{ proc: Proc; sdk: LangGraphClient }> {
  const proc = stagegraph(['serve', '--port', '0', '--no-auth', ...args], { ...t.childEnv, STAGEGRAPH_DB_POOL: '6' });
  procs.push(proc);
  const line = await proc.line(/listening on (http\S+)/);
  const url = /listening on (http\S+)/.exec(line)![1]!;
  return { proc, sdk: new LangGraphClient({ apiUrl: `${url}/langgraph` }) };
}

async function stop(p: Proc, signal: NodeJS.Signals): Promise<void> {
  p.child.kill(signal);
  await p.exited;
}

/** Stage completions in the run's log, by stage. */
async function completions(runId: string): Promise<Record<string, number>> {
  const { rows } = await t.db.pool.query<{ stage: string; n: string }>(
    `SELECT payload->>'stage' AS stage, count(*) AS n FROM sg_events
      WHERE run_id = $1 AND type = 'workflow.stage_changed' AND payload->>'change' = 'completed' GROUP BY 1`, [runId]);
  return Object.fromEntries(rows.map((r) => [r.stage, Number(r.n)]));
}

describe('LangGraph SDK against stagegraph serve processes', () => {
  it('a restart between creating a thread and reading its history loses nothing', async () => {
    const a = await serve();
    const idle = await a.sdk.threads.create({ metadata: { note: 'made before the restart' } });
    const ran = await a.sdk.threads.create();
    await a.sdk.runs.wait(ran.thread_id, 'h2-tank', { input: { request: DEMO } });
    const before = await a.sdk.threads.getHistory(ran.thread_id, { limit: 100 });
    await stop(a.proc, 'SIGTERM');

    const b = await serve();
    expect((await b.sdk.threads.get(idle.thread_id)).metadata).toMatchObject({ note: 'made before the restart' });
    const after = await b.sdk.threads.getHistory(ran.thread_id, { limit: 100 });
    expect(after.map((s) => s.checkpoint.checkpoint_id)).toEqual(before.map((s) => s.checkpoint.checkpoint_id));
    expect(after.length).toBeGreaterThan(10);
    expect(Object.keys((after[0]!.values as { outputs: object }).outputs)).toContain('export-package');
    const runs = await b.sdk.runs.list(ran.thread_id);
    expect(runs.map((r) => r.status)).toEqual(['success']);
    // The idle thread still takes its first run after the restart.
    const values = (await b.sdk.runs.wait(idle.thread_id, 'h2-tank', { input: { request: DEMO } })) as { decisions: Record<string, unknown> };
    expect(Object.keys(values.decisions)).toContain('design-choice');
    await stop(b.proc, 'SIGTERM');
  });

  it('a server killed mid-run: the next one takes the run over and the SDK joins it to the end', async () => {
    const a = await serve();
    const thread = await a.sdk.threads.create();
    const run = await a.sdk.runs.create(thread.thread_id, 'h2-tank', { input: { request: DEMO } });
    // Killed once a stage has completed (its output durable) and before the run finished.
    for (;;) {
      const c = await completions(thread.thread_id);
      if (Object.keys(c).length >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop(a.proc, 'SIGKILL');
    const { rows: [killed] } = await t.db.pool.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [thread.thread_id]);
    expect(killed!.status).toBe('running');

    const b = await serve();
    const values = (await b.sdk.runs.join(thread.thread_id, run.run_id)) as { outputs: object };
    expect(Object.keys(values.outputs)).toContain('export-package');
    expect((await b.sdk.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
    const counts = await completions(thread.thread_id);
    expect(Object.values(counts).every((n) => n === 1), JSON.stringify(counts)).toBe(true);
    const { rows } = await t.db.pool.query<{ payload: { from: string } }>(`SELECT payload FROM sg_events WHERE run_id = $1 AND type = 'workflow.resumed'`, [thread.thread_id]);
    expect(rows.map((r) => r.payload.from)).toContain('crash');
    await stop(b.proc, 'SIGTERM');
  });

  it('an API-only server streams a run that executes on a worker, across a worker redeployed mid-run', async () => {
    const api = await serve(['--workers', '0']);
    const worker = (name: string) => {
      const p = stagegraph(['worker', '--concurrency', '2'], { ...t.childEnv, STAGEGRAPH_DB_POOL: '6' });
      procs.push(p);
      return p.line(/taking runs of/).then(() => p, (e: unknown) => Promise.reject(new Error(`${name}: ${String(e)}`)));
    };
    const first = await worker('first');
    const thread = await api.sdk.threads.create();
    const chunks: { event: string; data: any }[] = [];
    const streamed = (async () => {
      for await (const c of api.sdk.runs.stream(thread.thread_id, 'h2-tank', { input: { request: DEMO }, streamMode: ['values', 'custom'] })) chunks.push(c);
    })();
    // SIGTERM (a redeploy) once a stage completed: the worker drains the run to a checkpoint
    // (`paused`, reason shutdown), and the stream goes on when the next worker continues it.
    for (;;) {
      if (Object.keys(await completions(thread.thread_id)).length >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop(first, 'SIGTERM');
    await worker('second');
    await streamed;
    const last = chunks.filter((c) => c.event === 'values').at(-1)!.data;
    expect(Object.keys(last.outputs)).toContain('export-package');
    const { rows } = await t.db.pool.query<{ seq: number; type: string; payload: { reason?: string } }>('SELECT seq, type, payload FROM sg_events WHERE run_id = $1 ORDER BY seq', [thread.thread_id]);
    expect(chunks.filter((c) => c.event === 'custom').map((c) => c.data.seq)).toEqual(rows.map((r) => r.seq));
    // SIGTERM came two stages into a run of a dozen: the drain caught it in flight, and the stream went on past it.
    expect(rows.filter((r) => r.type === 'workflow.paused').map((r) => r.payload.reason)).toEqual(['shutdown']);
    expect(rows.at(-1)!.type).toBe('workflow.completed');
    const [run] = await api.sdk.runs.list(thread.thread_id);
    expect(run!.status).toBe('success');
    // The API-only server executes nothing: the workers ran it.
    const { rows: [ran] } = await t.db.pool.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [thread.thread_id]);
    expect(ran!.status).toBe('completed');
    await stop(api.proc, 'SIGTERM');
  });
});
