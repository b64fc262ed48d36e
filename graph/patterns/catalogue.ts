/**
 * The pattern catalogue: each pattern as data for templates. A template's pattern block
 * is JSON (`block`, a zod schema, published as JSON Schema by `GET /api/patterns`) that
 * names registered stages, decision points and workflows by name; `expand()` resolves
 * them and returns the workflow parts the code-level builder makes. `describePattern()`
 * is a pattern as `GET /api/patterns` shows it.
 *
 * Wiring a block into a template: edges INTO a block go to its entry (`entryOf(pattern, block)`:
 * the first stage, the supervisor's decision point, the voters, ...); a block leads OUT
 * by itself to its `then` (a node name or `__end__`): the edge from its exit is among
 * the parts `expand()` returns, so a template never draws one.
 */
import { z } from 'zod';
import { buildWorkflow } from '../compile.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { Edge, WorkflowDefinition } from '../workflow.ts';
import { hierarchicalExample, handoffExample, parallelExample, sequentialExample, supervisorExample, swarmExample } from './examples/index.ts';
import { handoff, type Gate } from './handoff.ts';
import { subWorkflow } from './hierarchical.ts';
import { invalidPattern, type PatternParts } from './parts.ts';
import { parallel, sequential } from './sequential.ts';
import { SUPERVISOR_DONE, supervisor } from './supervisor.ts';
import { CONSENSUS_METHODS, swarm, variants } from './swarm.ts';
import { gateRule, GateRuleBlock, read } from './template-gates.ts';

export type PatternId = 'sequential' | 'parallel' | 'supervisor' | 'hierarchical' | 'handoff' | 'swarm';

/** How `expand()` finds what a block names. */
export interface PatternLookup {
  stage(name: string): AnyStagePlugin | undefined;
  decisionPoint(id: string): DecisionPoint | undefined;
  workflow(id: string): WorkflowDefinition | undefined;
}

export interface PatternSpec<B = unknown> {
  id: PatternId;
  description: string;
  whenToUse: string;
  /** The JSON shape of the pattern block in a template (stage names as strings). */
  block: z.ZodType<B>;
  /**
   * Expands a validated block into workflow parts, resolving names against the registry.
   * @throws StagegraphError `invalid_pattern` with details `{ pattern, field, name }` for a name the lookup does not know.
   */
  expand(block: B, lookup: PatternLookup): { stages: AnyStagePlugin[]; decisions: DecisionPoint[]; edges: Edge[]; inputs?: WorkflowDefinition['inputs'] };
  /** The example workflow used for the diagram and docs. */
  example(): WorkflowDefinition;
}

const name = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'kebab-case');
const then = z.string().min(1).describe('Where the block leads when it is done: a node name, or `__end__`.');
const base = { name: name.describe('The block\'s name (kebab-case).'), then };

const stageOf = (pattern: PatternId, field: string, lookup: PatternLookup) => (n: string): AnyStagePlugin =>
  lookup.stage(n) ?? invalidPattern(pattern, field, n, `${pattern} block: unknown stage '${n}' in '${field}'`);

/** The parts without the entry (a template finds it with `entryOf`). */
const parts = (_block: object, p: PatternParts) => {
  const { entry: _entry, ...rest } = p;
  return rest;
};

const SequentialBlock = z.object({ ...base, stages: z.array(name).min(1) }).strict();
const ParallelBlock = z.object({ ...base, stages: z.array(name).min(2) }).strict();
const SupervisorBlock = z.object({
  ...base,
  decision: name.describe(`A registered decision point whose options are the workers' names and '${SUPERVISOR_DONE}'; its name is the block's entry.`),
  workers: z.array(name).min(1),
  maxIterations: z.number().int().min(1),
  onExhausted: z.string().optional().describe('Where to go once maxIterations dispatches are used up; `fail` by default.'),
}).strict();
const HierarchicalBlock = z.object({ ...base, workflow: z.string().min(1).describe('A registered workflow, run as the sub-workflow stage `name`.') }).strict();
const GateBlock = z.object({ schema: z.record(z.string(), z.unknown()).optional().describe('JSON Schema the output must match.'), rules: z.array(GateRuleBlock).optional() }).strict();
const HandoffBlock = z.object({
  ...base,
  stages: z.array(name).min(1),
  gates: z.record(name, GateBlock),
  retries: z.number().int().min(1).optional(),
  onExhausted: z.enum(['ask', 'fail']).optional(),
}).strict();
const VariantsBlock = z.object({ stage: name, variants: z.array(z.object({ name, params: z.record(z.string(), z.unknown()).optional() }).strict()).min(2) }).strict();
const SwarmBlock = z.object({
  ...base,
  voters: z.union([z.array(name).min(2), VariantsBlock]).describe('Voter stages, or one stage run as named variants with fixed input fields.'),
  voteField: z.string().min(1).describe("The field of a voter's output that is its vote (dot path), e.g. `label`."),
  method: z.enum(CONSENSUS_METHODS as [string, ...string[]]).optional(),
  weights: z.record(z.string(), z.number().min(0)).optional(),
  quorum: z.number().positive().optional(),
}).strict();

type Block<S extends z.ZodType> = z.output<S>;

function define<S extends z.ZodType>(spec: Omit<PatternSpec<Block<S>>, 'block'> & { block: S }): PatternSpec<Block<S>> {
  return spec as unknown as PatternSpec<Block<S>>;
}

const specs = [
  define({
    id: 'sequential', block: SequentialBlock, example: () => sequentialExample(),
    description: 'Stages one after another, each taking the previous output.',
    whenToUse: 'Steps that depend on each other in a fixed order.',
    expand: (b, lookup) => parts(b, sequential({ name: b.name, stages: b.stages.map(stageOf('sequential', 'stages', lookup)), then: b.then })),
  }),
  define({
    id: 'parallel', block: ParallelBlock, example: () => parallelExample(),
    description: 'Independent stages at once (fan-out), joined before `then` (fan-in).',
    whenToUse: 'Independent work on the same input whose results are combined.',
    expand: (b, lookup) => parts(b, parallel({ name: b.name, stages: b.stages.map(stageOf('parallel', 'stages', lookup)), then: b.then })),
  }),
  define({
    id: 'supervisor', block: SupervisorBlock, example: () => supervisorExample(),
    description: 'A decision point that dispatches to worker stages, one at a time, until it decides done; bounded, each dispatch a recorded decision.',
    whenToUse: 'The next step depends on what the previous ones produced (research until enough, revise until approved).',
    expand: (b, lookup) => {
      const point = lookup.decisionPoint(b.decision) ?? invalidPattern('supervisor', 'decision', b.decision, `supervisor block: unknown decision point '${b.decision}'`);
      const workers = b.workers.map(stageOf('supervisor', 'workers', lookup));
      const want = [...b.workers, SUPERVISOR_DONE].sort().join(',');
      if (Array.isArray(point.options) && [...point.options].sort().join(',') !== want) {
        invalidPattern('supervisor', 'decision', b.decision, `supervisor block: decision point '${b.decision}' has options ${point.options.join(', ')}; a supervisor needs ${want}`);
      }
      return parts(b, supervisor({
        name: point.name, description: point.description, workers, rules: point.rules, default: point.default,
        inputs: (_view, state) => point.inputs(state), maxIterations: b.maxIterations, then: b.then, onExhausted: b.onExhausted,
        ...(point.prompt ? { prompt: point.prompt } : {}),
      }));
    },
  }),
  define({
    id: 'hierarchical', block: HierarchicalBlock, example: () => hierarchicalExample(),
    description: 'A whole workflow as one stage: a LangGraph subgraph with its own checkpoint namespace; its questions and failures surface to the parent.',
    whenToUse: 'A team of stages that is reusable on its own, or a part owned by someone else, delegated to as one step.',
    expand: (b, lookup) => {
      const workflow = lookup.workflow(b.workflow) ?? invalidPattern('hierarchical', 'workflow', b.workflow, `hierarchical block: unknown workflow '${b.workflow}'`);
      return parts(b, sequential({ name: b.name, stages: [subWorkflow({ name: b.name, workflow })], then: b.then }));
    },
  }),
  define({
    id: 'handoff', block: HandoffBlock, example: () => handoffExample(),
    description: "Stages in sequence, each output checked by a quality gate (schema + rules) before the next starts; a failed gate reruns the stage from the last good output, then asks a person or fails.",
    whenToUse: 'Outputs that can be checked mechanically and must be right before anyone builds on them.',
    expand: (b, lookup) => {
      const stages = b.stages.map(stageOf('handoff', 'stages', lookup));
      const gates: Record<string, Gate> = {};
      for (const [stage, g] of Object.entries(b.gates)) {
        gates[stage] = { ...(g.schema ? { schema: z.fromJSONSchema(g.schema) } : {}), rules: (g.rules ?? []).map(gateRule) };
      }
      return parts(b, handoff({ name: b.name, stages, gates, retries: b.retries, onExhausted: b.onExhausted, then: b.then }));
    },
  }),
  define({
    id: 'swarm', block: SwarmBlock, example: () => swarmExample(),
    description: 'N voters in parallel (different stages, or one stage with different parameters), combined by a consensus decision (majority, weighted, quorum); dissent is recorded as alternatives.',
    whenToUse: 'A judgement that several independent opinions make more reliable than one.',
    expand: (b, lookup) => {
      const voters = Array.isArray(b.voters)
        ? b.voters.map(stageOf('swarm', 'voters', lookup))
        : variants(stageOf('swarm', 'voters', lookup)(b.voters.stage), b.voters.variants);
      const vote = (o: unknown) => {
        const v = read(o, b.voteField);
        return v === undefined || v === null ? undefined : String(v);
      };
      return parts(b, swarm({ name: b.name, voters, vote, method: b.method as (typeof CONSENSUS_METHODS)[number] | undefined, weights: b.weights, quorum: b.quorum, then: b.then }));
    },
  }),
];

/** Every pattern, in the order they build on each other. */
export const PATTERNS: readonly PatternSpec[] = specs as unknown as PatternSpec[];

/** The pattern of `id`. */
export function patternOf(id: string): PatternSpec | undefined {
  return PATTERNS.find((p) => p.id === id);
}

/**
 * Where edges into a block go: its first stage (sequential, handoff), its stages
 * (parallel), its voters (swarm), its decision point (supervisor), its one stage
 * (hierarchical). `block` is a block its pattern's `block` schema accepted.
 * @example entryOf('supervisor', { name: 'desk', decision: 'editor', ... }) // 'editor'
 */
export function entryOf(pattern: PatternId, block: Record<string, unknown>): string | string[] {
  const b = block as { name: string; stages?: string[]; decision?: string; voters?: string[] | { stage: string; variants: { name: string }[] } };
  switch (pattern) {
    case 'sequential':
    case 'handoff':
      return b.stages![0]!;
    case 'parallel':
      return b.stages!;
    case 'supervisor':
      return b.decision!;
    case 'hierarchical':
      return b.name;
    case 'swarm':
      return Array.isArray(b.voters) ? b.voters : b.voters!.variants.map((v) => `${(b.voters as { stage: string }).stage}-${v.name}`);
  }
}

// ---- GET /api/patterns: a pattern described, with a diagram of its example's compiled graph (LangGraph `drawMermaid`)

export interface PatternDescription {
  id: PatternSpec['id'];
  description: string;
  whenToUse: string;
  /** The JSON Schema of the pattern's block in a template. */
  parameters: Record<string, unknown>;
  example: { workflowId: string; description: string };
  /** Mermaid flowchart of the example's compiled graph. */
  diagram: string;
}

const cache = new WeakMap<PatternSpec, PatternDescription>();

/** Describes a pattern (once per spec: compiling the example is not free). */
export function describePattern(spec: PatternSpec): PatternDescription {
  const hit = cache.get(spec);
  if (hit) return hit;
  const example = spec.example();
  const graph = buildWorkflow(example).compile().getGraph();
  const described: PatternDescription = {
    id: spec.id,
    description: spec.description,
    whenToUse: spec.whenToUse,
    parameters: z.toJSONSchema(spec.block, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    example: { workflowId: example.id, description: example.description },
    diagram: graph.drawMermaid(),
  };
  cache.set(spec, described);
  return described;
}
