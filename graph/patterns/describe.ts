/**
 * A pattern as `GET /api/patterns` shows it: what it is, when to use it, its template
 * block as JSON Schema (the parameters), and a diagram of its example workflow drawn
 * by LangGraph from the compiled graph (`getGraph().drawMermaid()`).
 */
import { z } from 'zod';
import { buildWorkflow } from '../compile.ts';
import type { PatternSpec } from './catalogue.ts';

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
