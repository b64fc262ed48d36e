/**
 * Progress and ETA from recorded stage durations: after two runs of a workflow with
 * controlled stage durations, a third run's ETA (reported right after its first stage)
 * is the recorded median time of the stages left, and its progress % the share of
 * estimated work done.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { sleep, stage, type NValue } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import type { StageContext } from '../nodes/types.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { expectWellFormedLog } from './support/runs.ts';

const DURATIONS: [string, number][] = [['p1', 150], ['p2', 300], ['p3', 450], ['p4', 300]];

function timedWorkflow() {
  // The prior (estimateMs) is deliberately wrong: the ETA must come from history.
  const stages = DURATIONS.map(([name, ms]) => stage(name, {
    policy: { estimateMs: 5000 },
    run: async ({ n }: NValue, ctx: StageContext) => {
      await sleep(ms, ctx.signal);
      return { n: n + 1 };
    },
  }));
  return sequence('timed', stages);
}

describe('progress and ETA', () => {
  let t: TestDatabase;
  let sg: Stagegraph;

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({ workflows: [timedWorkflow()], database: t.db });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function run(): Promise<RunEvent[]> {
    const row = await sg.runs.start({ workflowId: 'timed', request: { n: 0 } });
    expect((await sg.runs.wait(row.id)).status).toBe('completed');
    const events = await sg.runs.eventsSince(row.id);
    expectWellFormedLog(events);
    return events;
  }

  it('records stage durations of completed runs', async () => {
    await run();
    await run();
    const { rows } = await t.db.pool.query<{ stage: string; n: number; min: number; max: number }>(
      "SELECT stage, count(*)::int AS n, min(duration_ms) AS min, max(duration_ms) AS max FROM sg_stage_stats WHERE workflow_id = 'timed' AND ok GROUP BY stage ORDER BY stage",
    );
    expect(rows.map((r) => [r.stage, r.n])).toEqual(DURATIONS.map(([s]) => [s, 2]));
    for (const r of rows) {
      const ms = Object.fromEntries(DURATIONS)[r.stage]!;
      expect(r.min).toBeGreaterThanOrEqual(ms - 1);
      expect(r.max).toBeGreaterThanOrEqual(r.min);
    }
  });

  it('the ETA after the first stage is the recorded median time of the stages left, progress the share done', async () => {
    const { rows } = await t.db.pool.query<{ stage: string; median: number }>(
      "SELECT stage, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS median FROM sg_stage_stats WHERE workflow_id = 'timed' AND ok GROUP BY stage",
    );
    const estimate = new Map(rows.map((r) => [r.stage, Number(r.median)]));
    const total = [...estimate.values()].reduce((a, b) => a + b, 0);

    const events = await run();
    const firstDone = events.find((e) => e.type === 'workflow.stage_changed' && e.payload.stage === 'p1' && e.payload.change === 'completed')!;
    expect(firstDone).toBeDefined();
    const update = events.find((e): e is Extract<RunEvent, { type: 'workflow.progress_updated' }> => e.type === 'workflow.progress_updated' && e.seq > firstDone.seq)!;
    expect(update).toBeDefined();
    expect(update.payload.stage).toBe('p1');
    // How close the ETA comes to the time the run really took is a benchmark's claim; here, what it is made of.
    const { etaMs, progressPct } = update.payload;
    expect(Math.abs(etaMs - (total - estimate.get('p1')!))).toBeLessThanOrEqual(1);

    // How close the recorded durations come to the stages' sleeps (12.5 % for p1) depends on the machine's load: not asserted.
    const share = (100 * estimate.get('p1')!) / total;
    expect(Math.abs(progressPct - share)).toBeLessThanOrEqual(0.1);

    // Progress only grows and ends at 100 with no time left.
    const pcts = events.filter((e): e is Extract<RunEvent, { type: 'workflow.progress_updated' }> => e.type === 'workflow.progress_updated').map((e) => e.payload);
    expect(pcts.map((p) => p.progressPct)).toEqual([...pcts.map((p) => p.progressPct)].sort((a, b) => a - b));
    expect(pcts[pcts.length - 1]).toMatchObject({ progressPct: 100, etaMs: 0 });
  });
});
