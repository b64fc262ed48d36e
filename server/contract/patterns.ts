/**
 * Coordination patterns on the wire (`GET /api/patterns`): each pattern with when to
 * use it, its template block as JSON Schema, and a Mermaid diagram of its example
 * workflow's compiled graph. Browser-safe: zod only. The shape is
 * graph/patterns/describe.ts's `PatternDescription`, plus whether the example runs here.
 */
import { z } from 'zod';

export const PATTERN_IDS = ['sequential', 'parallel', 'supervisor', 'hierarchical', 'handoff', 'swarm'] as const;

export const PatternInfo = z.object({
  id: z.enum(PATTERN_IDS),
  description: z.string(),
  whenToUse: z.string(),
  parameters: z.record(z.string(), z.unknown()).describe("JSON Schema of the pattern's block in a workflow template (`patterns[i]`, with `pattern: <id>`)."),
  example: z.object({
    workflowId: z.string(),
    description: z.string(),
    registered: z.boolean().describe('Whether this server runs the example (the `patterns` pack is registered).'),
  }),
  diagram: z.string().describe("Mermaid flowchart of the example workflow's compiled LangGraph graph."),
});

export const PatternsResponse = z.object({ patterns: z.array(PatternInfo) });
