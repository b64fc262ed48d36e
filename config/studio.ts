/**
 * The graphs a project shows in LangGraph Studio: each workflow of the config's packs,
 * checked as `createStagegraph` checks them (`registerPacks`) and compiled without a
 * checkpointer (LangGraph's dev server supplies its own). `stagegraph studio` writes a
 * module that calls this once per workflow, and a `langgraph.json` that names them.
 *
 * @example
 * // stagegraph.studio.ts (generated)
 * import config from './stagegraph.config.ts';
 * import { studioGraph } from 'stagegraph';
 * export const triage = studioGraph(config, 'triage');
 */
import { registerPacks } from '../graph/packs/index.ts';
import type { StagegraphConfig } from './define.ts';

export function studioGraph(config: StagegraphConfig, workflowId: string) {
  const registry = registerPacks(config.packs);
  const built = registry.workflows.get(workflowId);
  if (!built) throw new Error(`no workflow '${workflowId}' in the config's packs (${[...registry.workflows.keys()].join(', ')}): run stagegraph studio again`);
  return built.compile(undefined, { input: 'text' });
}
