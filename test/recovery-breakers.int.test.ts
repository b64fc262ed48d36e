/**
 * Circuit breakers through the runs API on real Postgres, with the half-open delay
 * scaled down to 800 ms: 5 consecutive failures open a plugin's breaker, runs then
 * fail fast with `circuit_open` without calling the plugin, the breaker half-opens
 * after the delay and closes after a successful probe (a failed probe opens it
 * again). A dependency guarded with `ctx.guard` has its own breaker. State changes
 * are events on the runs that caused them and show in `breakers.snapshot()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../graph/events/types.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { Breakers, type BreakerSnapshot } from '../nodes/breakers.ts';
import { Service, dependencyBreakerWorkflow, pluginBreakerWorkflow } from './fixtures/recovery.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { until } from './support/runs.ts';

/** Scaled down from 60 s; long enough that a loaded machine still runs the next run before it passes. */
const HALF_OPEN_MS = 800;

/** The `circuit.state_changed` events of a run as `from>to`. */
function circuitChanges(events: RunEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'workflow.custom' && e.payload.name === 'circuit.state_changed' ? [`${String(e.payload.data.breaker)}:${String(e.payload.data.from)}>${String(e.payload.data.to)}`] : []);
}

describe('circuit breakers', () => {
  let t: TestDatabase;
  let sg: Stagegraph;
  const service = new Service();
  const pricing = new Service();
  const quote = { calls: 0 };

  beforeAll(async () => {
    t = await testDatabase();
    sg = await createStagegraph({
      workflows: [pluginBreakerWorkflow(service), dependencyBreakerWorkflow(pricing, quote)],
      database: t.db,
      breakers: { halfOpenAfterMs: HALF_OPEN_MS },
    });
  });

  afterAll(async () => {
    await sg?.close();
    await t?.drop();
  });

  async function run(workflowId: string) {
    const row = await sg.runs.start({ workflowId, request: { n: 0 } });
    const end = await sg.runs.wait(row.id);
    return { row: end, events: await sg.runs.eventsSince(row.id) };
  }

  const snapshot = (name: string): BreakerSnapshot | undefined => sg.breakers.snapshot().find((b) => b.name === name);

  /** Waits until the open breaker `name` lets a probe through (its `halfOpenAt` has passed). */
  const halfOpenDue = (name: string) => {
    const at = Date.parse(snapshot(name)?.halfOpenAt ?? 'no halfOpenAt');
    expect(at).not.toBeNaN();
    return until(async () => (Date.now() >= at ? true : undefined), 10_000, `breaker ${name} to be due to half-open`);
  };

  it('opens after 5 consecutive failures, fails fast while open, half-opens after the delay and closes after a success', async () => {
    service.fail = true;
    const failures = [];
    for (let i = 0; i < 5; i++) failures.push(await run('plugin-breaker'));
    expect(failures.map((f) => f.row.error?.code)).toEqual(['ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'ECONNRESET', 'ECONNRESET']);
    expect(service.calls).toBe(5);
    // The change is an event on the run whose call opened it, and only there.
    expect(failures.map((f) => circuitChanges(f.events))).toEqual([[], [], [], [], ['flaky:closed>open']]);
    const opened = failures[4]!.events.find((e) => e.type === 'workflow.custom')!;
    expect(opened.payload).toMatchObject({ stage: 'flaky', data: { breaker: 'flaky', kind: 'plugin', from: 'closed', to: 'open', failures: 5 } });
    expect(snapshot('flaky')).toMatchObject({ kind: 'plugin', state: 'open', failures: 5, totalFailures: 5, rejected: 0 });

    // While open: runs fail fast, the plugin is not called, even once the service is back.
    service.fail = false;
    const fast = await run('plugin-breaker');
    expect(fast.row.status).toBe('failed');
    expect(fast.row.error).toMatchObject({ code: 'circuit_open', class: 'transient', details: { breaker: 'flaky', kind: 'plugin' } });
    expect(service.calls).toBe(5);
    const errors = fast.events.filter((e) => e.type === 'workflow.error');
    expect(errors.map((e) => (e.payload as { error: { code: string } }).error.code)).toEqual(['circuit_open']);
    expect(snapshot('flaky')).toMatchObject({ state: 'open', rejected: 1 });
    expect(Date.parse(snapshot('flaky')!.halfOpenAt!)).toBeGreaterThan(Date.now());

    // After the delay a probe goes through; it succeeds and the breaker closes.
    await halfOpenDue('flaky');
    const probe = await run('plugin-breaker');
    expect(probe.row.status).toBe('completed');
    expect(service.calls).toBe(6);
    expect(circuitChanges(probe.events)).toEqual(['flaky:open>half_open', 'flaky:half_open>closed']);
    expect(snapshot('flaky')).toMatchObject({ state: 'closed', failures: 0 });
    expect(snapshot('flaky')!.halfOpenAt).toBeUndefined();
  });

  it('a failed probe opens the breaker again; failures in between successes do not add up', async () => {
    service.fail = true;
    for (let i = 0; i < 4; i++) await run('plugin-breaker');
    service.fail = false;
    await run('plugin-breaker');
    service.fail = true;
    for (let i = 0; i < 4; i++) await run('plugin-breaker');
    expect(snapshot('flaky')).toMatchObject({ state: 'closed', failures: 4 });
    const fifth = await run('plugin-breaker');
    expect(circuitChanges(fifth.events)).toEqual(['flaky:closed>open']);

    await halfOpenDue('flaky');
    const calls = service.calls;
    const probe = await run('plugin-breaker');
    expect(service.calls).toBe(calls + 1);
    expect(probe.row.error?.code).toBe('ECONNRESET');
    expect(circuitChanges(probe.events)).toEqual(['flaky:open>half_open', 'flaky:half_open>open']);
    expect((await run('plugin-breaker')).row.error?.code).toBe('circuit_open');
    expect(service.calls).toBe(calls + 1);
  });

  it('a dependency guarded with ctx.guard has its own breaker: the plugin still runs, its call to the dependency fails fast', async () => {
    pricing.fail = true;
    const failed = [];
    for (let i = 0; i < 5; i++) failed.push(await run('dependency-breaker'));
    expect(circuitChanges(failed[4]!.events)).toEqual(['pricing-api:closed>open']);
    expect(snapshot('pricing-api')).toMatchObject({ kind: 'dependency', state: 'open', failures: 5 });
    // The dependency's failures are its breaker's, not the plugin's.
    expect(snapshot('quote')).toMatchObject({ kind: 'plugin', state: 'closed', failures: 0 });

    const fast = await run('dependency-breaker');
    expect(fast.row.error).toMatchObject({ code: 'circuit_open', details: { breaker: 'pricing-api', kind: 'dependency' } });
    expect(quote.calls).toBe(6);
    expect(pricing.calls).toBe(5);

    pricing.fail = false;
    await halfOpenDue('pricing-api');
    const probe = await run('dependency-breaker');
    expect(probe.row.status).toBe('completed');
    expect(circuitChanges(probe.events)).toEqual(['pricing-api:open>half_open', 'pricing-api:half_open>closed']);
  });

  it('one Breakers is shared by every run of the process and may be passed to several instances; bad options are rejected', async () => {
    const shared = new Breakers({ threshold: 2 });
    const other = await createStagegraph({ workflows: [pluginBreakerWorkflow(service)], database: t.db, breakers: shared, recover: false });
    try {
      expect(other.breakers).toBe(shared);
    } finally {
      await other.close();
    }
    expect(() => new Breakers({ threshold: 0 })).toThrow('breakers: threshold must be an integer >= 1, got 0');
    expect(() => new Breakers({ overrides: { 'plugin:x': { halfOpenAfterMs: -1 } } })).toThrow("breakers 'plugin:x': halfOpenAfterMs must be >= 0, got -1");
  });
});
