/**
 * The pattern examples as a pack (`patternsPack`): one workflow per pattern, each small
 * and deterministic, registerable like any pack so a server runs them
 * (`createStagegraph({ packs: [patternsPack] })`). `patternsExamplePack(options)` makes
 * the same pack with journaling and stage delays (what the crash tests use).
 */
import { definePack, type Pack } from '../../packs/define.ts';
import type { WorkflowDefinition } from '../../workflow.ts';
import { parallelExample, sequentialExample } from './basic.ts';
import { handoffExample } from './handoff.ts';
import { hierarchicalExample } from './hierarchical.ts';
import type { ExampleOptions } from './kit.ts';
import { supervisorExample } from './supervisor.ts';
import { swarmExample } from './swarm.ts';

export { supervisorExample } from './supervisor.ts';
export { swarmExample } from './swarm.ts';
export { handoffExample } from './handoff.ts';
export { hierarchicalExample, researchTeam } from './hierarchical.ts';
export { sequentialExample, parallelExample } from './basic.ts';
export type { ExampleOptions } from './kit.ts';

/** Every pattern's example workflow, in catalogue order. */
export function patternExamples(options: ExampleOptions = {}): WorkflowDefinition[] {
  return [sequentialExample(options), parallelExample(options), supervisorExample(options), hierarchicalExample(options), handoffExample(options), swarmExample(options)];
}

/** The examples pack, with `options` (journal, delays) for tests. */
export function patternsExamplePack(options: ExampleOptions = {}): Pack {
  return definePack({
    id: 'patterns',
    version: '1.0.0',
    stagegraph: '^0.1',
    description: 'One example workflow per coordination pattern',
    workflows: patternExamples(options),
  });
}

/** The examples pack as it ships. */
export const patternsPack: Pack = patternsExamplePack();
