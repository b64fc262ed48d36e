/**
 * Postgres fails for a moment while runs execute: (a) an administrator terminates
 * every backend of the database (`pg_terminate_backend`), (b) the network between
 * stagegraph and Postgres drops every connection for a few hundred milliseconds (a TCP
 * proxy). Every run must still end with its true status: completed (the stages
 * succeed), or, if a failed statement failed the run, a `failed` row with its
 * `workflow.failed` event. The process must not see an unhandled rejection or an
 * uncaught exception (vitest fails the file on either). Never a `running` row with a terminal event, never a
 * terminal row without its terminal event; exactly one terminal event, last; seqs
 * 1..n; no outcome (stage completion, decision) logged or recorded twice.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import { EVENT_STATUS, type RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { END, START, defineWorkflow } from '../graph/workflow.ts';
import { stage } from './fixtures/stages.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { outcomes } from './support/outcomes.ts';
import { TERMINAL_EVENTS, until } from './support/runs.ts';

const STAGE_MS = 60;
const RUNS = 6;

const gate: DecisionPoint<{ n: number }> = {
  name: 'gate',
  description: 'go on while n is small',
  options: ['go', 'stop'],
  inputs: (s) => ({ n: (s.outputs['c'] as { n: number }).n }),
  rules: [{ id: 'small', when: (i) => i.n < 100, choose: 'go', because: 'n is small', confidence: 1 }],
  default: 'stop',
};

/** `a -> b -> c -> gate(go) -> d -> e -> f`, each stage adding 1 after STAGE_MS. */
const faultWorkflow = defineWorkflow({
  id: 'fault',
  description: 'six stages and a decision, slow enough to fail under',
  stages: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => stage(name, { ms: STAGE_MS, policy: { estimateMs: STAGE_MS } })),
  decisions: [gate],
  edges: [
    { from: START, to: 'a' },
    { from: 'a', to: 'b' },
    { from: 'b', to: 'c' },
    { from: 'c', to: 'gate' },
    { from: 'gate', routes: { go: 'd', stop: END } },
    { from: 'd', to: 'e' },
    { from: 'e', to: 'f' },
    { from: 'f', to: END },
  ],
});

/** What a run of `faultWorkflow` logs as outcomes, whatever happened to the database. */
const EXPECTED_OUTCOMES = ['completed a', 'completed b', 'completed c', 'completed d', 'completed e', 'completed f', 'decision gate#0 -> go'];

/**
 * Waits until each run has settled (no longer executing in `sg`, a terminal row and a
 * terminal event, or nothing changes any more), then lists what is wrong with each.
 */
async function verdicts(sg: Stagegraph, admin: pg.Pool, runIds: string[]): Promise<{ found: string[]; completed: string[]; failed: string[] }> {
  const found: string[] = [];
  const completed: string[] = [];
  const failed: string[] = [];
  for (const id of runIds) {
    const settled = await until(async () => {
      try {
        await sg.runs.wait(id);
        const { rows: [row] } = await admin.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [id]);
        const events = await sg.runs.eventsSince(id);
        const terminal = events.some((e) => TERMINAL_EVENTS.has(e.type));
        return row && row.status !== 'running' && terminal ? { status: row.status, events } : undefined;
      } catch {
        return undefined; // a read the fault broke: read again
      }
    }, 20_000, `run ${id} to end with a terminal row and event`).catch(() => undefined);
    const { rows: [row] } = await admin.query<{ status: string }>('SELECT status FROM sg_runs WHERE id = $1', [id]);
    const events = settled?.events ?? (await sg.runs.eventsSince(id));
    const terminal = events.filter((e) => TERMINAL_EVENTS.has(e.type));
    const p: string[] = [];
    if (row?.status === 'completed') completed.push(id);
    if (!row) p.push('no run row');
    // A statement that failed may fail the run, if it says so in its row and its log.
    else if (row.status === 'failed' && terminal.some((e) => e.type === 'workflow.failed')) failed.push(id);
    else if (row.status !== 'completed') p.push(`row ${row.status} with terminal events [${terminal.map((e) => e.type).join(', ')}]`);
    if (row && terminal.length === 1 && EVENT_STATUS[terminal[0]!.type] !== row.status) p.push(`row ${row.status} but terminal event ${terminal[0]!.type}`);
    if (terminal.length !== 1) p.push(`${terminal.length} terminal events`);
    else if (events.at(-1) !== terminal[0]) p.push(`terminal event is not last (${events.at(-1)!.type} after it)`);
    if (!events.every((e, i) => e.seq === i + 1)) p.push(`seqs not 1..n: ${events.map((e) => e.seq).join(',')}`);
    const got = outcomes(events);
    const twice = got.filter((k, i) => got.indexOf(k) !== i);
    if (twice.length) p.push(`outcomes logged twice: ${twice.join(', ')}`);
    if (row?.status === 'completed') {
      const lost = EXPECTED_OUTCOMES.filter((k) => !got.includes(k));
      if (lost.length) p.push(`completed without outcomes: ${lost.join(', ')}`);
    }
    const { rows: dup } = await admin.query<{ point: string; n: number }>(
      'SELECT point, iteration, count(*)::int AS n FROM sg_decisions WHERE run_id = $1 GROUP BY point, iteration HAVING count(*) > 1', [id]);
    if (dup.length) p.push(`decisions recorded twice: ${dup.map((d) => `${d.point} x${d.n}`).join(', ')}`);
    found.push(...p.map((x) => `${id}: ${x}`));
  }
  return { found, completed, failed };
}

/** How many of `ids` are still executing (their row says `running`). */
async function executing(admin: pg.Pool, ids: string[]): Promise<number> {
  const { rows } = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM sg_runs WHERE id = ANY($1) AND status = 'running'", [ids]);
  return rows[0]!.n;
}

async function startRuns(sg: Stagegraph): Promise<string[]> {
  const rows = await Promise.all(Array.from({ length: RUNS }, (_, n) => sg.runs.start({ workflowId: 'fault', request: { n } })));
  return rows.map((r) => r.id);
}

const started = (stage: string) => (e: RunEvent) => e.type === 'workflow.stage_changed' && e.payload.stage === stage && e.payload.change === 'started';

/**
 * Resolves when `runId` starts `stage`, or after `timeoutMs` if a fault stopped it
 * before (the verdict will tell). Like `waitForEvent`, but a read of the log that the
 * fault breaks is retried instead of left unhandled.
 */
function reaching(sg: Stagegraph, runId: string, stage: string, timeoutMs = 10_000): Promise<void> {
  const match = started(stage);
  return new Promise((done) => {
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      off();
      done();
    };
    const timer = setTimeout(finish, timeoutMs);
    const off = sg.bus.subscribe(runId, (e) => {
      if (match(e)) finish();
    });
    const read = (): void => {
      if (over) return;
      sg.runs.eventsSince(runId).then((events) => {
        if (events.some(match)) finish();
      }, () => setTimeout(read, 20));
    };
    read();
  });
}

async function closeWithin(sg: Stagegraph | undefined, ms = 15_000): Promise<void> {
  if (!sg) return;
  await Promise.race([sg.close(), new Promise((r) => setTimeout(r, ms))]);
}

describe('a database fault mid-run', () => {
  let t: TestDatabase;
  let admin: pg.Pool;

  beforeAll(async () => {
    t = await testDatabase();
    admin = new pg.Pool({ connectionString: t.url, max: 2 });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await admin?.end();
    await t?.drop();
  });

  it('backends terminated by an administrator: every run ends with its true status and terminal event, nothing lost or duplicated', async () => {
    const sg = await createStagegraph({ workflows: [faultWorkflow], databaseOptions: { url: t.url, max: 8 }, recoverEveryMs: 250 });
    try {
      const ids = await startRuns(sg);
      const terminate = async () => {
        const client = await admin.connect();
        try {
          const { rows } = await client.query<{ ok: boolean }>(
            'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
          return rows.filter((r) => r.ok).length;
        } finally {
          client.release();
        }
      };
      await reaching(sg, ids[0]!, 'b');
      // The fault hits runs mid-run.
      expect(await executing(admin, ids)).toBe(RUNS);
      const first = await terminate();
      await reaching(sg, ids[0]!, 'e');
      const second = await terminate();
      // The faults hit live sessions: the lock connection and the pool's at least.
      expect(first).toBeGreaterThanOrEqual(1);
      const { found, completed, failed } = await verdicts(sg, admin, ids);
      console.log(`db-fault (terminate): ${first} + ${second} backends terminated; ${completed.length} runs completed, ${failed.length} failed with their event; ${found.length} problems\n${found.join('\n')}`);
      expect(found).toEqual([]);
    } finally {
      await closeWithin(sg);
    }
  }, 120_000);

  it('every connection dropped for 200-500 ms by the network: every run ends with its true status and terminal event, nothing lost or duplicated', async () => {
    const u = new URL(t.url);
    const proxy: TcpProxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    let sg: Stagegraph | undefined;
    try {
      sg = await createStagegraph({ workflows: [faultWorkflow], databaseOptions: { url: proxy.urlFor(t.url), max: 8 }, recoverEveryMs: 250 });
      const ids = await startRuns(sg);
      await reaching(sg, ids[0]!, 'b');
      expect(await executing(admin, ids)).toBe(RUNS);
      await proxy.outage(300);
      await reaching(sg, ids[0]!, 'd');
      await proxy.outage(200);
      await reaching(sg, ids[0]!, 'f');
      await proxy.outage(500);
      expect(proxy.dropped).toBeGreaterThanOrEqual(1);
      const { found, completed, failed } = await verdicts(sg, admin, ids);
      console.log(`db-fault (proxy): ${proxy.connections} connections, ${proxy.dropped} dropped; ${completed.length} runs completed, ${failed.length} failed with their event; ${found.length} problems\n${found.join('\n')}`);
      expect(found).toEqual([]);
    } finally {
      await closeWithin(sg);
      await proxy.close();
    }
  }, 120_000);
});
