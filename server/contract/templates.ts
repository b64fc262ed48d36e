/**
 * Workflow templates on the wire: creating one (`POST /api/workflows`), its versions and
 * the template format as JSON Schema. The body is any JSON object here: the server checks
 * it against the template format and the registry, and refuses it with 422
 * `invalid_template` naming the place at fault (`details.path`, e.g. `steps[2].stage`).
 */
import { z } from 'zod';
import { WorkflowId, WorkflowInfo } from './schemas.ts';

export const CreateWorkflowBody = z.record(z.string(), z.unknown())
  .describe('A workflow template: see GET /api/workflows/template.schema.json and docs/templates.md.');

export const TemplateVersionInfo = z.object({
  id: z.string(),
  version: z.int(),
  owner: z.string(),
  createdAt: z.string(),
});

export const CreateWorkflowResponse = TemplateVersionInfo.extend({
  /** The workflow as compiled: nodes, edges and decision points (as in GET /api/workflows). */
  workflow: WorkflowInfo,
});

export const WorkflowParams = z.strictObject({ id: WorkflowId });

export const WorkflowVersionsResponse = z.object({
  id: z.string(),
  source: z.enum(['code', 'template']),
  /** Oldest first, each with the template as stored; none for a workflow registered in code. */
  versions: z.array(TemplateVersionInfo.extend({ template: z.record(z.string(), z.unknown()) })),
});

export const TemplateJsonSchema = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12).');
