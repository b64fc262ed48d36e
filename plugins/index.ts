/** The stage plugin packs that ship with stagegraph, and their workflows. */
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { h2TankWorkflow } from './h2-tank/index.ts';

export { h2TankWorkflow } from './h2-tank/index.ts';

/** Every workflow that ships with stagegraph (the CLI and the server register these). */
export function builtinWorkflows(): WorkflowDefinition[] {
  return [h2TankWorkflow];
}
