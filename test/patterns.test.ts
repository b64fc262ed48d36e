/**
 * The patterns as building blocks without a database: bad blocks refused with
 * `invalid_pattern` naming pattern, field and name; consensus by majority, weight and
 * quorum; the catalogue's blocks expanded against a registry lookup into workflows
 * that `buildWorkflow()` accepts; and templates' gate rules.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildWorkflow, END, START, type DecisionPoint, type WorkflowDefinition } from '../graph/index.ts';
import {
  PATTERNS, assemble, consensus, entryOf, gateRule, handoff, parallel, patternOf, patternsPack, supervisor, swarm, type PatternLookup, type Tally,
} from '../graph/patterns/index.ts';
import { StagegraphError } from '../nodes/errors.ts';
import { stage } from './fixtures/stages.ts';

function refusal(fn: () => unknown): StagegraphError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StagegraphError);
    return e as StagegraphError;
  }
  throw new Error('expected a refusal');
}

const a = stage('a');
const b = stage('b');
const c = stage('c');

describe('pattern blocks refuse bad options', () => {
  it('names the pattern, field and name', () => {
    expect(refusal(() => supervisor({ name: 'boss', workers: [], rules: [], maxIterations: 3, then: END }))).toMatchObject({ code: 'invalid_pattern', details: { pattern: 'supervisor', field: 'workers', name: 'boss' } });
    expect(refusal(() => supervisor({ name: 'boss', workers: [a], rules: [], maxIterations: 0, then: END })).details).toEqual({ pattern: 'supervisor', field: 'maxIterations', name: 'boss' });
    expect(refusal(() => supervisor({ name: 'boss', workers: [stage('done')], rules: [], maxIterations: 2, then: END })).details).toEqual({ pattern: 'supervisor', field: 'workers', name: 'done' });
    expect(refusal(() => swarm({ name: 'vote', voters: [a], vote: () => 'x', then: END })).details).toEqual({ pattern: 'swarm', field: 'voters', name: 'vote' });
    expect(refusal(() => swarm({ name: 'vote', voters: [a, b], vote: () => 'x', method: 'quorum', then: END })).details).toEqual({ pattern: 'swarm', field: 'quorum', name: 'vote' });
    expect(refusal(() => swarm({ name: 'vote', voters: [a, b], vote: () => 'x', weights: { z: 1 }, then: END })).details).toEqual({ pattern: 'swarm', field: 'weights', name: 'z' });
    expect(refusal(() => handoff({ name: 'h', stages: [a, b], gates: { c: {} }, then: END })).details).toEqual({ pattern: 'handoff', field: 'gates', name: 'c' });
    expect(refusal(() => handoff({ name: 'h', stages: [a], gates: {}, retries: 0, then: END })).details).toEqual({ pattern: 'handoff', field: 'retries', name: 'h' });
    expect(refusal(() => parallel({ name: 'p', stages: [a], then: END })).details).toEqual({ pattern: 'parallel', field: 'stages', name: 'p' });
  });

  it('a handoff between stages whose schemas do not fit fails at build time', () => {
    const text = stage('t', { input: z.object({ text: z.string() }) });
    expect(refusal(() => handoff({ name: 'h', stages: [a, text], gates: {}, then: END }))).toMatchObject({ code: 'workflow_schema_mismatch', details: { from: ['a'], to: 't' } });
  });

  it('a supervisor block builds: its loop is bounded by construction', () => {
    const boss = supervisor({ name: 'boss', workers: [a, b], rules: [], maxIterations: 3, then: END });
    const built = buildWorkflow(assemble({ id: 'sup', description: 'd', blocks: [boss], edges: [{ from: START, to: boss.entry }] }));
    expect([...built.plan.loopRoutes.get('boss')!].sort()).toEqual(['a', 'b']);
  });
});

describe('consensus', () => {
  const tally = (votes: Record<string, string | null>, extra: Partial<Tally> = {}): Tally => ({
    method: 'majority', votes, weights: Object.fromEntries(Object.keys(votes).map((v) => [v, 1])), ...extra,
  });
  it('majority needs more than half of the votes cast', () => {
    expect(consensus(tally({ x: 'A', y: 'A', z: 'B' }))).toMatchObject({ winner: { option: 'A', weight: 2, voters: ['x', 'y'] } });
    expect(consensus(tally({ x: 'A', y: 'B', z: 'C' }))).toEqual({ none: '1 of 3 votes (x) is no majority' });
    expect(consensus(tally({ x: 'A', y: null, z: null }))).toMatchObject({ winner: { option: 'A' } });
    expect(consensus(tally({ x: null }))).toEqual({ none: 'no voter voted' });
  });
  it('weighted: the most weight wins; a tie is no consensus', () => {
    expect(consensus(tally({ x: 'A', y: 'B', z: 'B' }, { method: 'weighted', weights: { x: 3, y: 1, z: 1 } }))).toMatchObject({ winner: { option: 'A', weight: 3 } });
    expect(consensus(tally({ x: 'A', y: 'B' }, { method: 'weighted' }))).toEqual({ none: 'A and B tie at weight 1' });
  });
  it('quorum: the leader needs at least the quorum', () => {
    expect(consensus(tally({ x: 'A', y: 'A', z: 'B' }, { method: 'quorum', quorum: 2 }))).toMatchObject({ winner: { option: 'A' } });
    expect(consensus(tally({ x: 'A', y: 'A', z: 'B' }, { method: 'quorum', quorum: 3 }))).toEqual({ none: '2 of 3 votes (x, y) is short of the quorum of 3' });
  });
});

describe('the catalogue', () => {
  const stages = new Map([a, b, c, stage('judge', { output: z.object({ n: z.number(), label: z.string() }) })].map((s) => [s.name, s]));
  const editor: DecisionPoint = { name: 'editor', description: 'd', options: ['a', 'b', 'done'], inputs: () => ({}), rules: [], default: 'done' };
  const child: WorkflowDefinition = { id: 'child', description: 'c', stages: [c], edges: [{ from: START, to: 'c' }, { from: 'c', to: END }] };
  const lookup: PatternLookup = { stage: (n) => stages.get(n), decisionPoint: (id) => (id === 'editor' ? editor : undefined), workflow: (id) => (id === 'child' ? child : undefined) };

  const blocks: Record<string, Record<string, unknown>> = {
    sequential: { name: 'seq', stages: ['a', 'b'], then: END },
    parallel: { name: 'par', stages: ['a', 'b'], then: END },
    supervisor: { name: 'sup', decision: 'editor', workers: ['a', 'b'], maxIterations: 4, then: END },
    hierarchical: { name: 'team', workflow: 'child', then: END },
    handoff: { name: 'ho', stages: ['a', 'b'], gates: { a: { schema: { type: 'object', required: ['n'] }, rules: [{ id: 'positive', field: 'n', check: 'min', value: 1 }] } }, then: END },
    swarm: { name: 'vote', voters: { stage: 'judge', variants: [{ name: 'x', params: { n: 1 } }, { name: 'y' }] }, voteField: 'label', then: END },
  };

  it('every pattern expands its block into a workflow buildWorkflow() accepts', () => {
    expect(PATTERNS.map((p) => p.id)).toEqual(['sequential', 'parallel', 'supervisor', 'hierarchical', 'handoff', 'swarm']);
    for (const spec of PATTERNS) {
      const block = spec.block.parse(blocks[spec.id]);
      const parts = spec.expand(block, lookup);
      const entry = entryOf(spec.id, blocks[spec.id]!);
      const def: WorkflowDefinition = { id: `t-${spec.id}`, description: 'd', ...parts, edges: [{ from: START, to: entry }, ...parts.edges] };
      expect(() => buildWorkflow(def), spec.id).not.toThrow();
      expect(() => buildWorkflow(spec.example()), spec.id).not.toThrow();
    }
    expect(entryOf('swarm', blocks.swarm!)).toEqual(['judge-x', 'judge-y']);
    expect(entryOf('supervisor', blocks.supervisor!)).toBe('editor');
  });

  it('an unknown name is refused with invalid_pattern naming pattern, field and name', () => {
    const sup = patternOf('supervisor')!;
    expect(refusal(() => sup.expand(sup.block.parse({ ...blocks.supervisor, workers: ['a', 'ghost'] }), lookup))).toMatchObject({ code: 'invalid_pattern', details: { pattern: 'supervisor', field: 'workers', name: 'ghost' } });
    expect(refusal(() => sup.expand(sup.block.parse({ ...blocks.supervisor, decision: 'boss' }), lookup)).details).toEqual({ pattern: 'supervisor', field: 'decision', name: 'boss' });
    expect(refusal(() => sup.expand(sup.block.parse({ ...blocks.supervisor, workers: ['a'] }), lookup)).details).toEqual({ pattern: 'supervisor', field: 'decision', name: 'editor' });
    const h = patternOf('hierarchical')!;
    expect(refusal(() => h.expand(h.block.parse({ ...blocks.hierarchical, workflow: 'nope' }), lookup)).details).toEqual({ pattern: 'hierarchical', field: 'workflow', name: 'nope' });
    const s = patternOf('swarm')!;
    expect(refusal(() => s.expand(s.block.parse({ ...blocks.swarm, voters: ['a', 'nobody'] }), lookup)).details).toEqual({ pattern: 'swarm', field: 'voters', name: 'nobody' });
  });

  it('a block with an unknown field or a gate rule without its value is refused by its schema', () => {
    expect(patternOf('sequential')!.block.safeParse({ ...blocks.sequential, extra: 1 }).success).toBe(false);
    const bad = patternOf('handoff')!.block.safeParse({ ...blocks.handoff, gates: { a: { rules: [{ id: 'r', field: 'n', check: 'min' }] } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['gates', 'a', 'rules', 0, 'value'], message: "check 'min' needs a value" });
  });

  it('gate rules as data check a field of the output', () => {
    const rule = gateRule({ id: 'short', field: 'meta.summary', check: 'minLength', value: 5 });
    expect(rule.check({ meta: { summary: 'long enough' } })).toBe(true);
    expect(rule.check({ meta: { summary: 'no' } })).toBe(false);
    expect(rule.message).toBe("'meta.summary' fails minLength 5");
  });

  it('the examples pack registers every example', () => {
    expect(patternsPack.workflows.map((w) => w.id)).toEqual(PATTERNS.map((p) => `patterns-${p.id}`));
  });
});
