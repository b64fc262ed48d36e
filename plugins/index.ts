/** The stage plugin packs that ship with stagegraph, and their workflows. */
import type { Pack } from '../graph/packs/index.ts';
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { h2TankPack, h2TankWorkflow } from './h2-tank/index.ts';

export { h2TankPack, h2TankWorkflow } from './h2-tank/index.ts';

/** Every pack that ships with stagegraph (`createStagegraph({ packs: builtinPacks() })`). */
export function builtinPacks(): Pack[] {
  return [h2TankPack];
}

/** Every workflow that ships with stagegraph, outside their packs (`createStagegraph({ workflows })`). */
export function builtinWorkflows(): WorkflowDefinition[] {
  return [h2TankWorkflow];
}
