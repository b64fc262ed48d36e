/**
 * Chaos: 200 runs of a four-stage workflow on real Postgres whose stages fail
 * transiently (ECONNRESET) with probability 0.3 per attempt, decided by a seeded
 * PRNG; retries are LangGraph's own with small intervals and no jitter, and the
 * plugin breakers run at their default threshold with a short half-open delay.
 * At least 95 % complete, none is left running, and the event log accounts for every
 * injected failure and every retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import type { RunRow } from '../graph/runs/store.ts';
import { chaosWorkflow } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

const RUNS = 200;
const WAVE = 25;
const SEED = 20240611;
const P_FAIL = 0.3;

describe('chaos: transient failures under load', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  const injected = new Map<string, number>();

  beforeAll(async () => {
    t = await testDatabase({ max: 10 });
    sg = await createStagegraph({
      workflows: [chaosWorkflow(SEED, P_FAIL, injected, { maxAttempts: 5, initialIntervalMs: 2, backoffFactor: 2, maxIntervalMs: 16, jitter: false })],
      database: t.db,
      breakers: { halfOpenAfterMs: 20 },
      recover: false,
    });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  it(`${RUNS} runs with p = ${P_FAIL} per attempt: >= 95 % complete, none left running, every failure and retry logged`, async () => {
    const ends: RunRow[] = [];
    for (let w = 0; w < RUNS; w += WAVE) {
      const rows = await Promise.all(Array.from({ length: Math.min(WAVE, RUNS - w) }, (_, i) => sg.runs.start({ workflowId: 'chaos', request: { k: w + i } })));
      ends.push(...(await Promise.all(rows.map((r) => sg.runs.wait(r.id)))));
    }
    const statuses = ends.map((r) => r.status);
    const completed = statuses.filter((s) => s === 'completed').length;
    expect(completed / RUNS).toBeGreaterThanOrEqual(0.95);
    expect(statuses.filter((s) => s !== 'completed' && s !== 'failed')).toEqual([]);
    expect((await sg.runs.list({ status: 'running', limit: 1000 })).length).toBe(0);

    let injectedTotal = 0;
    let fastFails = 0;
    let stagesDone = 0;
    for (const run of ends) {
      const events = await sg.runs.eventsSince(run.id);
      const errors = events.filter((e): e is Extract<RunEvent, { type: 'workflow.error' }> => e.type === 'workflow.error');
      const starts = events.filter((e): e is Extract<RunEvent, { type: 'workflow.stage_changed' }> => e.type === 'workflow.stage_changed' && e.payload.change === 'started');
      // Every injected failure is a workflow.error; the only other kind is a breaker's fast fail.
      const resets = errors.filter((e) => e.payload.error.code === 'ECONNRESET').length;
      expect(resets).toBe(injected.get(run.id) ?? 0);
      const others = errors.filter((e) => e.payload.error.code !== 'ECONNRESET');
      expect(others.every((e) => e.payload.error.code === 'circuit_open' && e.payload.error.class === 'transient')).toBe(true);
      // Every retry announced by an error is a stage start with attempt > 1, and the other way round.
      expect(starts.filter((e) => (e.payload.attempt ?? 1) > 1).length).toBe(errors.filter((e) => e.payload.willRetry).length);
      expect(errors.every((e) => e.payload.error.class === 'transient')).toBe(true);
      if (run.status === 'completed') {
        expect(errors.filter((e) => !e.payload.willRetry)).toEqual([]);
        expect(events[events.length - 1]!.type).toBe('workflow.completed');
      } else {
        // A failed run exhausted one stage's 5 attempts; its last error is the run's.
        const last = errors[errors.length - 1]!;
        expect(last.payload.willRetry).toBe(false);
        expect(run.error?.code).toBe(last.payload.error.code);
        expect(events[events.length - 1]!.type).toBe('workflow.failed');
      }
      injectedTotal += resets;
      fastFails += others.length;
      stagesDone += events.filter((e) => e.type === 'workflow.stage_changed' && e.payload.change === 'completed').length;
    }
    // The seeded failure rate shows through: about 0.3 of the calls that reached a plugin failed.
    const rate = injectedTotal / (injectedTotal + stagesDone);
    expect(rate).toBeGreaterThan(0.22);
    expect(rate).toBeLessThan(0.38);
    console.info(`chaos: ${completed}/${RUNS} completed, ${injectedTotal} injected failures, ${fastFails} breaker fast fails`);
  }, 55_000);
});
