/** Workflow templates as data: a zod-checked JSON format, compiled against the pack registry, stored per version in Postgres. */
export { WorkflowTemplateSchema, TemplateStep, TemplateDecision, TemplateEdge, TemplatePatternBlock, templateJsonSchema, TEMPLATE_START, TEMPLATE_END } from './schema.ts';
export type { WorkflowTemplate, TemplateEdgeValue, TemplateRouteEdgeValue } from './schema.ts';
export { compileTemplate, registeredPoints } from './compile.ts';
export type { CompiledTemplate, TemplateContext } from './compile.ts';
export { TEMPLATE_REFUSALS } from './refuse.ts';
export type { TemplateRefusal } from './refuse.ts';
export { TemplateStore } from './store.ts';
export type { TemplateRecord } from './store.ts';
export { Templates } from './templates.ts';
export type { TemplateEntry, TemplatesOptions } from './templates.ts';
