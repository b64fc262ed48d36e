/**
 * Build-time validation of workflow definitions (exact codes and messages), the
 * compiled graph's behaviour with and without a checkpointer, bounded loops and the
 * decision engine (records, conflict policy).
 */
import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildWorkflow } from '../graph/compile.ts';
import { DEFAULT_CONFIDENCE, decide } from '../graph/decisions/decide.ts';
import { evaluateRules } from '../graph/decisions/evaluate.ts';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import type { WorkflowStateValue } from '../graph/state.ts';
import { END, START, defineWorkflow, type Edge, type WorkflowDefinition } from '../graph/workflow.ts';
import { StagegraphError } from '../nodes/errors.ts';
import type { AnyStagePlugin } from '../nodes/types.ts';
import { stage } from './fixtures/stages.ts';
import { endlessWorkflow, sequence, shapesWorkflow } from './fixtures/workflows.ts';

function wf(stages: AnyStagePlugin[], edges: Edge[], extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
  return defineWorkflow({ id: 'bad', description: 'a bad workflow', stages, edges, ...extra });
}

/** The StagegraphError `buildWorkflow` throws for `def`. */
function rejection(def: WorkflowDefinition): StagegraphError {
  try {
    buildWorkflow(def);
  } catch (e) {
    expect(e).toBeInstanceOf(StagegraphError);
    return e as StagegraphError;
  }
  throw new Error(`workflow '${def.id}' was accepted`);
}

const gate = (options: string[] = ['again', 'done']): DecisionPoint => ({
  name: 'gate', description: 'a gate', options, inputs: () => ({}), rules: [], default: options[options.length - 1]!,
});

describe('build-time rejections', () => {
  it('an unknown stage in an edge', () => {
    const e = rejection(wf([stage('a')], [{ from: START, to: 'a' }, { from: 'a', to: 'b' }]));
    expect(e.code).toBe('workflow_unknown_node');
    expect(e.message).toBe("unknown stage 'b' in edge 'a' -> 'b'");
    expect(e.details).toMatchObject({ node: 'b' });
  });

  it('an unknown stage as an edge source', () => {
    const e = rejection(wf([stage('a')], [{ from: START, to: 'a' }, { from: 'ghost', to: END }, { from: 'a', to: END }]));
    expect(e.code).toBe('workflow_unknown_node');
    expect(e.message).toBe("unknown stage 'ghost' in edge 'ghost' -> '__end__'");
  });

  it('a duplicate stage name', () => {
    const e = rejection(wf([stage('a'), stage('a')], [{ from: START, to: 'a' }, { from: 'a', to: END }]));
    expect(e.code).toBe('workflow_duplicate_name');
    expect(e.message).toBe("duplicate name 'a' in workflow 'bad'");
  });

  it('a decision point named like a stage', () => {
    const e = rejection(wf([stage('gate')], [{ from: START, to: 'gate' }, { from: 'gate', to: END }], { decisions: [gate()] }));
    expect(e.code).toBe('workflow_duplicate_name');
    expect(e.message).toBe("duplicate name 'gate' in workflow 'bad'");
  });

  it('an output field whose type does not fit the next input', () => {
    const a = stage('a', { output: z.object({ n: z.string() }), run: async () => ({ n: 'one' }) });
    const e = rejection(sequence('bad', [a, stage('b')]));
    expect(e.code).toBe('workflow_schema_mismatch');
    expect(e.message).toBe("schema mismatch between 'a' and 'b': field 'n' is string in the output but number in the input");
    expect(e.details).toMatchObject({ from: ['a'], to: 'b' });
  });

  it('a required input field the stage before does not produce', () => {
    const a = stage('a', { output: z.object({ m: z.number() }), run: async () => ({ m: 1 }) });
    const e = rejection(sequence('bad', [a, stage('b')]));
    expect(e.code).toBe('workflow_schema_mismatch');
    expect(e.message).toBe("schema mismatch between 'a' and 'b': input field 'n' is required but not produced");
  });

  it('a fan-in whose merged outputs miss a required field', () => {
    const b = stage('b', { output: z.object({ x: z.number() }), run: async () => ({ x: 1 }) });
    const c = stage('c', { output: z.object({ y: z.number() }), run: async () => ({ y: 1 }) });
    const d = stage('d', { input: z.object({ x: z.number(), y: z.number(), z: z.number() }) });
    const e = rejection(wf([stage('a'), b, c, d], [
      { from: START, to: 'a' }, { from: 'a', to: ['b', 'c'] }, { from: ['b', 'c'], to: 'd' }, { from: 'd', to: END },
    ]));
    expect(e.code).toBe('workflow_schema_mismatch');
    expect(e.message).toBe("schema mismatch between 'b' + 'c' and 'd': input field 'z' is required but not produced");
  });

  it('an optional input field of another type is a mismatch too', () => {
    const a = stage('a', { output: z.object({ n: z.number(), tag: z.number() }), run: async ({ n }) => ({ n, tag: 1 }) });
    const b = stage('b', { input: z.object({ n: z.number(), tag: z.string().optional() }) });
    const e = rejection(sequence('bad', [a, b]));
    expect(e.code).toBe('workflow_schema_mismatch');
    expect(e.message).toBe("schema mismatch between 'a' and 'b': field 'tag' is number in the output but string in the input");
  });

  it('an unreachable node', () => {
    const e = rejection(wf([stage('a'), stage('x')], [{ from: START, to: 'a' }, { from: 'a', to: END }, { from: 'x', to: END }]));
    expect(e.code).toBe('workflow_unreachable_node');
    expect(e.message).toBe("node 'x' is unreachable from START");
  });

  it('a route edge back without a loop bound', () => {
    const e = rejection(wf([stage('a')], [
      { from: START, to: 'a' }, { from: 'a', to: 'gate' }, { from: 'gate', routes: { again: 'a', done: END } },
    ], { decisions: [gate()] }));
    expect(e.code).toBe('workflow_unbounded_loop');
    expect(e.message).toBe("loop without a bound: route 'gate' -> 'a' leads back to 'gate'; give the route edge loop.maxIterations");
  });

  it('a loop bound below 1', () => {
    const e = rejection(wf([stage('a')], [
      { from: START, to: 'a' }, { from: 'a', to: 'gate' }, { from: 'gate', routes: { again: 'a', done: END }, loop: { maxIterations: 0, onExhausted: 'fail' } },
    ], { decisions: [gate()] }));
    expect(e.code).toBe('workflow_unbounded_loop');
    expect(e.message).toBe("loop after 'gate' needs maxIterations >= 1");
  });

  it('a static cycle', () => {
    const e = rejection(wf([stage('a'), stage('b'), stage('c')], [
      { from: START, to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: ['a', 'c'] }, { from: 'c', to: END },
    ]));
    expect(e.code).toBe('workflow_unbounded_loop');
    expect(e.message).toBe("loop without a bound through 'a', 'b': only a decision point's route edge with loop.maxIterations may go back");
    expect(e.details).toMatchObject({ nodes: ['a', 'b'] });
  });

  it('a route to an option the decision point does not have', () => {
    const e = rejection(wf([stage('a'), stage('b')], [
      { from: START, to: 'gate' }, { from: 'gate', routes: { yes: 'a', maybe: 'b' } }, { from: 'a', to: END }, { from: 'b', to: END },
    ], { decisions: [gate(['yes', 'no'])] }));
    expect(e.code).toBe('workflow_invalid_route');
    expect(e.message).toBe("route 'maybe' of decision point 'gate' is not one of its options");
    expect(e.details).toMatchObject({ node: 'gate', option: 'maybe' });
  });

  it('an option without a route', () => {
    const e = rejection(wf([stage('a')], [
      { from: START, to: 'gate' }, { from: 'gate', routes: { yes: 'a' } }, { from: 'a', to: END },
    ], { decisions: [gate(['yes', 'no'])] }));
    expect(e.code).toBe('workflow_invalid_route');
    expect(e.message).toBe("decision point 'gate' has no route for option 'no'");
  });

  it('a stage without an outgoing edge', () => {
    const e = rejection(wf([stage('a')], [{ from: START, to: 'a' }]));
    expect(e.code).toBe('workflow_dead_end');
    expect(e.message).toBe("node 'a' has no outgoing edge (route it to END to finish there)");
  });
});

describe('a valid workflow: sequence, fan-out/fan-in, routed decision, bounded loop', () => {
  const built = buildWorkflow(shapesWorkflow());

  async function runOnce(request: { n: number }, withSaver: boolean): Promise<WorkflowStateValue> {
    if (!withSaver) return built.compile().invoke({ request });
    const graph = built.compile(new MemorySaver());
    const config = { configurable: { thread_id: `t-${request.n}` } };
    await graph.invoke({ request }, config);
    const snap = await graph.getState(config);
    expect(snap.next).toEqual([]);
    return snap.values;
  }

  it('has a topological order with the loop cut', () => {
    expect(built.plan.order.indexOf('a')).toBeLessThan(built.plan.order.indexOf('d'));
    expect(built.plan.feeders.get('d')).toEqual(['b', 'c']);
    expect([...built.plan.loopRoutes.get('enough')!]).toEqual(['grow']);
  });

  for (const withSaver of [false, true]) {
    const label = withSaver ? 'with MemorySaver' : 'without a checkpointer';

    it(`takes the even route and loops until n = 30 (${label})`, async () => {
      const s = await runOnce({ n: 1 }, withSaver);
      expect(s.outputs).toEqual({ a: { n: 2 }, b: { x: 4 }, c: { y: 6 }, d: { n: 10 }, grow: { n: 30 } });
      expect(s.completed[0]).toBe('a');
      expect(new Set(s.completed.slice(1, 3))).toEqual(new Set(['b', 'c']));
      expect(s.completed.slice(3)).toEqual(['d', 'grow', 'grow', 'grow', 'grow', 'grow']);
      expect(s.decisions.parity!.chosen).toBe('even');
      expect(s.decisionLog.map((d) => `${d.point}:${d.iteration}:${d.chosen}`)).toEqual([
        'parity:0:even', 'enough:0:again', 'enough:1:again', 'enough:2:again', 'enough:3:again', 'enough:4:done',
      ]);
      expect(s.iterations).toEqual({ enough: 4 });
      expect(s.skipped).toEqual([]);
    });

    it(`takes the odd route and never enters the loop (${label})`, async () => {
      const s = await runOnce({ n: 2 }, withSaver);
      expect(s.outputs).toEqual({ a: { n: 3 }, b: { x: 6 }, c: { y: 9 }, d: { n: 15 }, negate: { n: -15 } });
      expect(s.decisions.parity!.chosen).toBe('odd');
      expect(s.decisions.enough).toBeUndefined();
    });
  }

  it('a loop that keeps looping fails with loop_exhausted after exactly maxIterations loops', async () => {
    let grown = 0;
    const graph = buildWorkflow(endlessWorkflow(3, () => grown++)).compile(new MemorySaver());
    const config = { configurable: { thread_id: 'endless' } };
    const err = await graph.invoke({ request: { n: 0 } }, config).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StagegraphError);
    expect((err as StagegraphError).code).toBe('loop_exhausted');
    expect((err as StagegraphError).message).toBe("a bounded loop was exhausted: 'forever' taken 3 times");
    // The first pass plus three loops.
    expect(grown).toBe(4);
    const s = (await graph.getState(config)).values as WorkflowStateValue;
    expect(s.outputs).toEqual({ grow: { n: 4 } });
    expect(s.decisionLog).toHaveLength(4);
  });
});

describe('decisions', () => {
  type Inputs = { pressureMPa: number; budget: 'low' | 'high' };
  const tankType = (rules: DecisionPoint<Inputs>['rules']): DecisionPoint<Inputs> => ({
    name: 'tank-type',
    description: 'Type III or IV',
    options: ['III', 'IV'],
    inputs: () => ({ pressureMPa: 70, budget: 'low' }),
    rules,
    default: 'III',
    whyNot: (i, option) => (option === 'III' ? `a Type III is too heavy at ${i.pressureMPa} MPa` : undefined),
  });
  const pressure = {
    id: 'pressure-70', when: (i: Inputs) => i.pressureMPa >= 70, choose: 'IV',
    because: (i: Inputs) => `at ${i.pressureMPa} MPa only a Type IV meets the mass target`,
    evidence: (i: Inputs) => ({ dataPoint: `pressureMPa = ${i.pressureMPa}`, clause: 'GTR 13 §5.1.1.1' }), confidence: 0.9,
  };
  const cheap = {
    id: 'budget-low', when: (i: Inputs) => i.budget === 'low', choose: 'III',
    because: 'a Type III is cheaper', evidence: { source: 'cost table' }, confidence: 0.9,
  };
  const inputs: Inputs = { pressureMPa: 70, budget: 'low' };

  it('a record holds chosen, alternatives with reasons, explanation, evidence, confidence, method and inputs', async () => {
    const r = await decide(tankType([pressure]), inputs, { iteration: 2, now: () => new Date('2025-01-01T00:00:00Z') });
    expect(r).toMatchObject({
      point: 'tank-type', iteration: 2, chosen: 'IV', method: 'rule', confidence: 0.9, inputs, options: ['III', 'IV'],
      decidedAt: '2025-01-01T00:00:00.000Z',
      alternatives: [{ option: 'III', reason: 'a Type III is too heavy at 70 MPa' }],
      evidence: [{ ruleId: 'pressure-70', dataPoint: 'pressureMPa = 70', clause: 'GTR 13 §5.1.1.1' }],
      explanation: 'Chose IV: at 70 MPa only a Type IV meets the mass target.',
    });
    expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a conflict is settled by priority before confidence', async () => {
    const point = tankType([{ ...pressure, priority: 1, confidence: 0.6 }, { ...cheap, confidence: 0.99 }]);
    const verdict = evaluateRules(point, inputs);
    expect(verdict).toMatchObject({ kind: 'decided', chosen: 'IV', policy: 'higher priority' });
    const r = await decide(point, inputs);
    expect(r.chosen).toBe('IV');
    expect(r.method).toBe('rule');
    expect(r.confidence).toBe(0.6);
    expect(r.alternatives).toEqual([{
      option: 'III', ruleIds: ['budget-low'],
      reason: "rule 'budget-low' (priority 0, confidence 0.99) argued for it but lost: higher priority",
    }]);
    expect(r.evidence.map((e) => e.ruleId)).toEqual(['pressure-70', 'budget-low']);
    expect(r.explanation).toBe("Chose IV: at 70 MPa only a Type IV meets the mass target. Rules 'budget-low' disagreed; settled by higher priority.");
  });

  it('among equal priorities the higher confidence wins', async () => {
    const point = tankType([{ ...pressure, confidence: 0.8 }, { ...cheap, confidence: 0.85 }]);
    expect(evaluateRules(point, inputs)).toMatchObject({ kind: 'decided', chosen: 'III', policy: 'higher confidence' });
    const r = await decide(point, inputs);
    expect(r.chosen).toBe('III');
    expect(r.alternatives[0]).toMatchObject({ option: 'IV', ruleIds: ['pressure-70'] });
  });

  it('a tie on priority and confidence is a conflict: the default, flagged as such, without an LLM', async () => {
    const point = tankType([pressure, cheap]);
    expect(evaluateRules(point, inputs).kind).toBe('conflict');
    const r = await decide(point, inputs);
    expect(r.method).toBe('default');
    expect(r.chosen).toBe('III');
    expect(r.confidence).toBe(DEFAULT_CONFIDENCE);
    expect(r.notes).toEqual(["rules 'pressure-70' (IV), 'budget-low' (III) conflict with equal priority and confidence", 'no LLM configured']);
    expect(r.alternatives).toEqual([{ option: 'IV', ruleIds: ['pressure-70'], reason: "rule 'pressure-70' (priority 0, confidence 0.9) argued for it but lost: unresolved conflict, default applied" }]);
  });

  it('a conflict goes to the fallback when one is given', async () => {
    const r = await decide(tankType([pressure, cheap]), inputs, {
      fallback: async (_p, _i, options, conflict) => {
        expect(options).toEqual(['III', 'IV']);
        expect(conflict.map((c) => c.id)).toEqual(['pressure-70', 'budget-low']);
        return { chosen: 'IV', confidence: 0.7, reasoning: 'mass matters more', alternatives: [{ option: 'III', reason: 'too heavy' }] };
      },
    });
    expect(r).toMatchObject({ method: 'llm', chosen: 'IV', confidence: 0.7, alternatives: [{ option: 'III', reason: 'too heavy' }] });
  });

  it('a failing fallback gives the default and says why', async () => {
    const r = await decide(tankType([]), inputs, { fallback: async () => ({ failed: 'timed out after 2000 ms' }) });
    expect(r.method).toBe('default');
    expect(r.notes).toEqual(['no rule applied', 'LLM fallback failed: timed out after 2000 ms']);
  });

  it('a rule that chooses an option the point does not have is rejected', async () => {
    const e = await decide(tankType([{ ...pressure, choose: 'V' }]), inputs).then(() => undefined, (x: unknown) => x);
    expect((e as StagegraphError).code).toBe('decision_invalid_option');
  });
});

describe('a decision point that only sets a parameter', () => {
  it('may lead on by a plain edge: every option goes the same way, and the decision is recorded', async () => {
    const wf = defineWorkflow({
      id: 'param', description: 'a level chosen, then used', stages: [stage('a'), stage('b')],
      decisions: [{
        name: 'level', description: 'sets a level for b', options: ['low', 'high'],
        inputs: (s) => s.outputs.a as { n: number },
        rules: [{ id: 'big', when: (i: { n: number }) => i.n > 1, choose: 'high', because: 'n is above 1', confidence: 0.9 }],
        default: 'low',
      }],
      edges: [{ from: START, to: 'a' }, { from: 'a', to: 'level' }, { from: 'level', to: 'b' }, { from: 'b', to: END }],
    });
    const out = await buildWorkflow(wf).compile().invoke({ request: { n: 5 }, run: { id: 'r', workflowId: 'param', owner: 'o', outRoot: '/tmp/sg-param', seed: 1 } });
    expect(out.decisions.level).toMatchObject({ chosen: 'high', method: 'rule' });
    expect(out.outputs.b).toEqual({ n: 7 });
  });
});
