/**
 * The stage contract: one suite that every stage plugin of the h2-tank pack passes
 * (STYLE.md point 12, after Hono's `router/common.case.test.ts`). The stages come from
 * the workflow definition, so a stage added to it is covered without touching this
 * file; their fixtures come from walking the 70 MPa / 5 kg automotive request through
 * the workflow's own wiring once (contract-fixtures.ts).
 *
 * Each stage passes the contract every pack author runs (`stageContract` from
 * `stagegraph/testing`: (a) metadata and policy, (b) schemas round-trip, (c) an aborted
 * signal is honoured, (d) deterministic for a seed, (e) a bad input fails its schema),
 * and what this pack asks beyond it: longer descriptions and sane retry specs, an
 * abort during a long or stepped stage, and outputs equal to the traced walk's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStagegraphError } from '../../nodes/errors.ts';
import { normalizePolicy } from '../../nodes/policy.ts';
import { isContinue, type AnyStagePlugin } from '../../nodes/types.ts';
import { h2TankWorkflow } from '../../plugins/h2-tank/workflow.ts';
import { stageContract } from '../../testing/index.ts';
import { FLAGSHIP_REQUEST, traceWorkflow, type WorkflowTrace } from './contract-fixtures.ts';
import { fakeContext, runToEnd } from './stage-harness.ts';

const STAGES: AnyStagePlugin[] = h2TankWorkflow.stages;
/** A stage this slow (by its own estimate) or stepped must also stop when aborted mid-run. */
const LONG_STAGE_MS = 100;

let tmp: string;
let trace: WorkflowTrace;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sg-contract-'));
  trace = await traceWorkflow(h2TankWorkflow, FLAGSHIP_REQUEST, { outRoot: tmp });
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function fixtureOf(plugin: AnyStagePlugin): unknown {
  if (!trace.inputs.has(plugin.name)) {
    throw new Error(`no fixture for stage '${plugin.name}': the flagship request does not reach it; extend contract-fixtures.ts`);
  }
  return trace.inputs.get(plugin.name);
}

const jsonRoundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** What a promise settles with: `{ error }` or `{ value }`. */
async function settle(p: Promise<unknown>) {
  try {
    return { value: await p, error: undefined as unknown };
  } catch (error) {
    return { value: undefined, error };
  }
}

/** The abort contract: the rejection is the signal's reason, or a StagegraphError `aborted`. */
function expectAbortRejection(error: unknown, reason: unknown): void {
  expect(error, 'run() resolved although its signal was aborted').toBeDefined();
  if (error !== reason) expect(isStagegraphError(error, 'aborted'), `rejected with ${String(error)} instead of the abort reason`).toBe(true);
}

it('covers every stage of the workflow, each with a traced fixture', () => {
  expect(STAGES.length).toBeGreaterThan(0);
  expect(new Set(STAGES.map((s) => s.name)).size).toBe(STAGES.length);
  expect([...trace.inputs.keys()].sort()).toEqual(STAGES.map((s) => s.name).sort());
});

describe.each(STAGES.map((s) => [s.name, s] as const))('stage %s', (_name, plugin) => {
  const policy = normalizePolicy(plugin.policy);
  const isLong = policy.stepped || policy.estimateMs >= LONG_STAGE_MS;

  describe('the stage contract (stagegraph/testing)', () => {
    for (const check of stageContract(plugin, { input: () => fixtureOf(plugin) })) it(check.name, check.run);
  });

  describe('beyond the contract', () => {
    it('a description of a sentence (20 characters at least) and sane retry specs', () => {
      expect(plugin.description.trim().length).toBeGreaterThanOrEqual(20);
      for (const spec of Object.values(policy.retry)) {
        expect(Number.isInteger(spec.maxAttempts) && spec.maxAttempts >= 1).toBe(true);
        expect(spec.maxIntervalMs).toBeGreaterThanOrEqual(spec.initialIntervalMs);
      }
    });

    it('the traced output again, in as many steps, for the same input and seed', async () => {
      const again = await runToEnd(plugin, fixtureOf(plugin));
      expect(again.output).toStrictEqual(trace.outputs.get(plugin.name));
      expect(again.steps).toBe(trace.steps.get(plugin.name));
    });
  });

  if (isLong || policy.stepped) describe('(c) signal honoured, during a run', () => {
    if (isLong) it('stops when aborted mid-run: the step in flight is the last one that runs', async () => {
      const input = plugin.input.parse(fixtureOf(plugin));
      const c = new AbortController();
      const reason = new Error(`aborted during ${plugin.name}`);
      let pctAtAbort: number | undefined;
      let stepsAfterAbort = 0;
      // The first progress report strictly between start and end aborts the run.
      const onProgress = (pct: number) => {
        if (c.signal.aborted || pct <= 0 || pct >= 100) return;
        pctAtAbort = pct;
        c.abort(reason);
      };
      // Driven step by step like the runtime, scratch through JSON; a step that ends after the abort must not finish the stage.
      const drive = async () => {
        let resume: unknown;
        for (let step = 0; step < 1000; step++) {
          if (c.signal.aborted) stepsAfterAbort++;
          const result = await plugin.run(input, { ...fakeContext(c.signal, [], resume), progress: onProgress });
          if (!isContinue(result)) return result;
          resume = jsonRoundTrip(result.scratch);
          await new Promise((r) => setImmediate(r)); // a checkpoint write lies between steps
        }
        throw new Error('did not finish');
      };
      const r = await settle(drive());
      expect(pctAtAbort, `${plugin.name} reports no progress between 0 and 100 %, so it cannot be aborted mid-run here`).toBeDefined();
      expectAbortRejection(r.error, reason);
      // At most one more call (it rejects at once, the signal being aborted); how fast is a benchmark's claim.
      expect(stepsAfterAbort).toBeLessThanOrEqual(1);
    });

    if (policy.stepped) it('returns between steps, so an abort from the event loop lands between two of them', async () => {
      const input = plugin.input.parse(fixtureOf(plugin));
      let steps = 0;
      let resume: unknown;
      for (;;) {
        const result = await plugin.run(input, fakeContext(new AbortController().signal, [], resume));
        steps++;
        if (!isContinue(result) || steps === 1000) break;
        resume = jsonRoundTrip(result.scratch);
      }
      expect(steps).toBeGreaterThan(1);
      expect(steps).toBeLessThan(1000);
    });
  });
});

describe('stage-specific contract cases', () => {
  it('optimize: another seed gives another front (the seed is used, not ignored)', async () => {
    const optimize = STAGES.find((s) => s.name === 'optimize')!;
    const basis = fixtureOf(optimize) as { seed: number };
    const other = await runToEnd<{ front: { id: string }[]; seed: number }>(optimize, { ...basis, seed: basis.seed + 1 });
    const base = trace.outputs.get('optimize') as { front: { id: string }[] };
    expect(other.output.seed).toBe(basis.seed + 1);
    expect(other.output.front.map((d) => d.id)).not.toEqual(base.front.map((d) => d.id));
  });

  it('export-package: the files carry no wall-clock or path, so another directory gives the same hashes', async () => {
    const exporter = STAGES.find((s) => s.name === 'export-package')!;
    const fixture = fixtureOf(exporter) as { outDir: string; decisions: { decidedAt: string }[] };
    const first = trace.outputs.get('export-package') as { files: { name: string; sha256: string; path: string }[] };
    const elsewhere = await runToEnd<typeof first>(exporter, { ...fixture, outDir: join(tmp, 'elsewhere') });
    expect(elsewhere.output.files.map((f) => [f.name, f.sha256])).toEqual(first.files.map((f) => [f.name, f.sha256]));
    // The time stamp comes from the decision log (the latest decidedAt), not from the clock.
    const stamp = fixture.decisions.map((d) => d.decidedAt).sort().at(-1)!;
    const json = JSON.parse(await readFile(first.files.find((f) => f.name === 'design.json')!.path, 'utf8')) as { provenance: { createdAt: string } };
    expect(json.provenance.createdAt).toBe(stamp);
  });
});
