/**
 * Templates compile against the registry, and every refusal names its place in the
 * template (`details.path`) with a stable reason; no database here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registerPacks } from '../graph/packs/registry.ts';
import { PATTERNS } from '../graph/patterns/catalogue.ts';
import { compileTemplate, templateJsonSchema, type TemplateContext } from '../graph/templates/index.ts';
import { StagegraphError } from '../nodes/errors.ts';
import type { StageContext } from '../nodes/types.ts';
import { TEMPLATE_SCHEMA_FILE, templateSchemaText } from '../scripts/template-schema.ts';
import { templateKit } from './fixtures/template-pack.ts';

const ctx: TemplateContext = { registry: registerPacks([templateKit]), patterns: PATTERNS };

const base = (over: Record<string, unknown> = {}) => ({
  id: 'tpl', description: 'a template',
  steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 2 } }],
  edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'scale' }, { from: 'scale', to: 'END' }],
  ...over,
});

function refusal(body: unknown): { path: string; reason: string; message: string } {
  try {
    compileTemplate(body, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(StagegraphError);
    const err = e as StagegraphError;
    expect(err.code).toBe('invalid_template');
    return { path: err.details.path as string, reason: err.details.reason as string, message: err.message };
  }
  throw new Error('the template was accepted');
}

describe('compileTemplate', () => {
  it('compiles steps, parameters and edges into a checked workflow', async () => {
    const { built, template } = compileTemplate(base(), ctx);
    expect(built.id).toBe('tpl');
    expect(built.plan.order).toEqual(['count', 'scale']);
    expect(template.decisions).toEqual([]);
    // The parameter is fixed: the stage no longer asks it of `count`, and it is merged at run time.
    const scale = built.plan.stages.get('scale')!;
    expect(scale.input.safeParse({ n: 3 }).success).toBe(true);
    expect(await scale.run({ n: 3 }, {} as StageContext)).toEqual({ n: 6 });
  });

  it('uses a stage twice under step ids, and routes after a decision point with a bounded loop', () => {
    const { built } = compileTemplate({
      id: 'loop', description: 'counts until enough',
      steps: [{ id: 'first', stage: 'count' }, { id: 'again', stage: 'count', input: 'blackboard' }, { stage: 'label' }],
      decisions: [{ point: 'enough' }],
      edges: [
        { from: 'START', to: 'first' }, { from: 'first', to: 'enough' }, { from: 'again', to: 'enough' },
        { from: 'enough', routes: { again: 'again', done: 'label' }, loop: { maxIterations: 5, onExhausted: 'label' } },
        { from: 'label', to: 'END' },
      ],
    }, ctx);
    expect([...built.plan.stages.keys()]).toEqual(['first', 'again', 'label']);
    expect(built.plan.loopRoutes.get('enough')).toEqual(new Set(['again']));
  });

  it('expands a pattern block; an edge to the block goes to its entry', () => {
    const { built } = compileTemplate({
      id: 'piped', description: 'a sequential block',
      patterns: [{ pattern: 'sequential', name: 'pipe', stages: ['count', 'label'], then: 'END' }],
      edges: [{ from: 'START', to: 'pipe' }],
    }, ctx);
    expect(built.plan.order).toEqual(['count', 'label']);
  });

  it.each([
    ['a missing field', { steps: [{ stag: 'count' }] }, 'steps[0].stage', 'invalid_format'],
    ['an unknown stage', { steps: [{ stage: 'count' }, { stage: 'nope' }] }, 'steps[1].stage', 'unknown_stage'],
    ['an unknown parameter', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 2, speed: 1 } }] }, 'steps[1].parameters.speed', 'invalid_parameter'],
    ['a parameter of the wrong type', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 'two' } }] }, 'steps[1].parameters.factor', 'invalid_parameter'],
    ['a parameter out of range', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 1000 } }] }, 'steps[1].parameters.factor', 'invalid_parameter'],
    ['a missing parameter (schema mismatch)', { steps: [{ stage: 'count' }, { stage: 'scale' }] }, 'steps[1].stage', 'workflow_schema_mismatch'],
    ['a stage whose input does not fit', { steps: [{ stage: 'count' }, { id: 'scale', stage: 'shout' }] }, 'steps[1].id', 'workflow_schema_mismatch'],
    ['a stage used twice without an id', { steps: [{ stage: 'count' }, { stage: 'count' }] }, 'steps[1].stage', 'duplicate_name'],
    ['an edge to an unknown node', { edges: [{ from: 'START', to: 'count' }, { from: 'count', to: ['scale', 'sclae'] }, { from: 'scale', to: 'END' }] }, 'edges[1].to[1]', 'unknown_node'],
    ['a node no edge reaches', { steps: [{ stage: 'count' }, { stage: 'scale', parameters: { factor: 2 } }, { stage: 'label' }], edges: [...base().edges, { from: 'label', to: 'END' }] }, 'steps[2].stage', 'workflow_unreachable_node'],
    ['a loop of plain edges', { edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'scale' }, { from: 'scale', to: 'count' }] }, 'edges[2]', 'workflow_unbounded_loop'],
    ['the id of a coded workflow', { id: 'count-once' }, 'id', 'workflow_exists'],
  ])('refuses %s at its path', (_, over, path, reason) => {
    expect(refusal(base(over))).toMatchObject({ path, reason });
  });

  it('refuses an unknown decision point, a route from a stage and a loop without a bound', () => {
    expect(refusal(base({ decisions: [{ point: 'enuogh' }] }))).toMatchObject({ path: 'decisions[0].point', reason: 'unknown_decision_point' });
    expect(refusal(base({ edges: [{ from: 'START', to: 'count' }, { from: 'count', routes: { a: 'scale' } }, { from: 'scale', to: 'END' }] })))
      .toMatchObject({ path: 'edges[1].from', reason: 'not_a_decision_point' });
    const unbounded = refusal({
      id: 'spin', description: 'never ends', steps: [{ stage: 'count' }], decisions: [{ point: 'enough' }],
      edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'enough' }, { from: 'enough', routes: { again: 'count', done: 'END' } }],
    });
    expect(unbounded).toMatchObject({ path: 'edges[2].loop', reason: 'workflow_unbounded_loop' });
    expect(unbounded.message).toContain("template 'spin': edges[2].loop: loop without a bound");
    const missing = refusal({
      id: 'half', description: 'a route missing', steps: [{ stage: 'count' }], decisions: [{ point: 'enough' }],
      edges: [{ from: 'START', to: 'count' }, { from: 'count', to: 'enough' }, { from: 'enough', routes: { done: 'END' } }],
    });
    expect(missing).toMatchObject({ path: 'edges[2].routes', reason: 'workflow_invalid_route' });
  });

  it('refuses an unknown pattern, and a block naming an unknown stage at its place', () => {
    expect(refusal(base({ patterns: [{ pattern: 'relay', name: 'r', then: 'END' }] }))).toMatchObject({ path: 'patterns[0].pattern', reason: 'unknown_pattern' });
    expect(refusal({
      id: 'piped', description: 'a sequential block',
      patterns: [{ pattern: 'sequential', name: 'pipe', stages: ['count', 'lable'], then: 'END' }],
      edges: [{ from: 'START', to: 'pipe' }],
    })).toMatchObject({ path: 'patterns[0].stages[1]', reason: 'invalid_pattern_block' });
    expect(refusal({
      id: 'piped', description: 'a sequential block',
      patterns: [{ pattern: 'sequential', name: 'pipe', stages: ['count'], then: 'nowhere' }],
      edges: [{ from: 'START', to: 'pipe' }],
    })).toMatchObject({ path: 'patterns[0].then', reason: 'workflow_unknown_node' });
  });
});

describe('templateJsonSchema', () => {
  it('publishes the format with each pattern block', () => {
    const schema = templateJsonSchema(PATTERNS) as { required: string[]; properties: Record<string, { items?: { anyOf?: { properties: { pattern: { const: string } } }[] } }> };
    expect(schema.required).toEqual(['id', 'description', 'edges']);
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'id', 'description', 'steps', 'decisions', 'patterns', 'edges']);
    expect(schema.properties.patterns!.items!.anyOf!.map((b) => b.properties.pattern.const)).toEqual(PATTERNS.map((p) => p.id));
  });

  it('is committed as docs/template.schema.json, as the server serves it', () => {
    expect(readFileSync(TEMPLATE_SCHEMA_FILE, 'utf8'), 'stale: run npx tsx scripts/template-schema.ts').toBe(templateSchemaText());
  });
});
