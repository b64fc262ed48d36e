/**
 * A workflow template as data: the JSON a user posts to `POST /api/workflows`. It names
 * registered stage plugins (with fixed parameters), registered decision points, the edges
 * between them and pattern blocks; `compileTemplate()` turns it into a
 * `WorkflowDefinition` checked by `buildWorkflow()`. Published as JSON Schema
 * (`templateJsonSchema()`, served at `GET /api/workflows/template.schema.json`).
 */
import { z } from 'zod';
import type { PatternSpec } from './patterns.ts';

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const TemplateId = z.string().max(100).regex(KEBAB, 'a kebab-case id');

/** `START` and `END` name the workflow's entry and exit; every other name is a step, a decision point or a pattern block's node. */
export const TEMPLATE_START = 'START';
export const TEMPLATE_END = 'END';

const NodeRef = z.string().min(1).max(100).describe("A step id, a decision point, a pattern block's node, or START / END");
const NodeRefs = z.union([NodeRef, z.array(NodeRef).min(1).max(100)]);

export const TemplateStep = z.strictObject({
  id: TemplateId.optional().describe("The node's name in the workflow; defaults to the stage name. Give one to use a stage twice."),
  stage: z.string().min(1).max(100).describe('A registered stage plugin, by name (GET /api/plugins).'),
  parameters: z.record(z.string(), z.unknown()).optional()
    .describe("Fixed values merged over the stage's input at every run (they win over what the stage before it produced); each is validated against the stage's input schema when the template is created, and the stage no longer needs that field from upstream."),
  input: z.enum(['upstream', 'blackboard']).optional()
    .describe("What the stage takes: 'upstream' (default): the output of the stage(s) before it (merged at a fan-in), or the request for a first stage, checked against its input schema when the template is created; 'blackboard': the request's fields and every completed stage's output merged, the latest winning (for a stage a loop goes back to), checked only when it runs."),
});

export const TemplateDecision = z.strictObject({
  point: z.string().min(1).max(100).describe('A decision point offered by a registered pack, by name; the node has that name.'),
});

/** `a -> b`, fan-out `a -> [b, c]` (parallel), fan-in `[b, c] -> d` (waits for all). */
export const TemplateStaticEdge = z.strictObject({ from: NodeRefs, to: NodeRefs });

/** After a decision point: the chosen option picks the target; a route back is a loop and needs `loop`. */
export const TemplateRouteEdge = z.strictObject({
  from: NodeRef.describe('A decision point of this template.'),
  routes: z.record(z.string(), NodeRef).describe('Option -> target node.'),
  loop: z.strictObject({
    maxIterations: z.int().min(1).max(1000).describe('How often the loop may be taken in a run.'),
    onExhausted: NodeRef.describe("Where to go once the bound is reached, or 'fail' to fail the run with its partial results."),
  }).optional(),
});

export const TemplateEdge = z.union([TemplateRouteEdge, TemplateStaticEdge]);

/** A pattern block: `pattern` names a pattern (`GET /api/patterns`); the rest is that pattern's block. */
export const TemplatePatternBlock = z.looseObject({ pattern: z.string().min(1).max(100) });

const templateShape = {
  $schema: z.string().optional(),
  id: TemplateId.describe('The workflow id runs name; a new body under an existing id is its next version.'),
  description: z.string().min(1).max(2000),
  steps: z.array(TemplateStep).max(200).default([]),
  decisions: z.array(TemplateDecision).max(100).default([]),
  patterns: z.array(TemplatePatternBlock).max(50).default([]),
  edges: z.array(TemplateEdge).min(1).max(1000),
};

export const WorkflowTemplateSchema = z.strictObject(templateShape);

export type WorkflowTemplate = z.output<typeof WorkflowTemplateSchema>;
export type TemplateStep = z.output<typeof TemplateStep>;
export type TemplateEdgeValue = z.output<typeof TemplateEdge>;
export type TemplateRouteEdgeValue = z.output<typeof TemplateRouteEdge>;

/**
 * The template's JSON Schema (draft 2020-12), with each known pattern's block schema
 * in `patterns` (a pattern whose block has no JSON form is described as any object).
 * @example templateJsonSchema(PATTERNS).properties.steps
 */
export function templateJsonSchema(patterns: readonly PatternSpec[] = []): Record<string, unknown> {
  const blocks = patterns.flatMap((p) => {
    const block = p.block as z.ZodType;
    if (!(block instanceof z.ZodObject)) return [];
    return [block.extend({ pattern: z.literal(p.id) }).describe(`${p.id}: ${p.description}`)];
  });
  const PatternBlock = blocks.length >= 2
    ? z.union(blocks as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
    : blocks.length === 1 ? blocks[0]! : TemplatePatternBlock;
  const schema = z.strictObject({ ...templateShape, patterns: z.array(PatternBlock).max(50).optional() })
    .describe('A stagegraph workflow template: registered stages with parameters, decision points, pattern blocks and the edges between them.');
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline', cycles: 'ref' }) as Record<string, unknown>;
}
