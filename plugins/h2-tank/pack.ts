/**
 * The hydrogen tank designer as a pack: the flagship workflow with the stages and
 * decision points it is built from, registered as a unit (`createStagegraph({ packs })`).
 */
import { definePack } from '../../graph/packs/index.ts';
import { h2TankWorkflow } from './workflow.ts';

/** The h2-tank pack's own version (its stages carry their own). */
export const H2_TANK_PACK_VERSION = '1.0.0';

/**
 * @example
 * const sg = await createStagegraph({ packs: [h2TankPack] });
 * sg.registry.byCapability('optimization'); // the optimize stage, from pack h2-tank@1.0.0
 */
export const h2TankPack = definePack({
  id: 'h2-tank',
  version: H2_TANK_PACK_VERSION,
  stagegraph: '^0.1',
  description: 'Hydrogen pressure tank designer: requirements in, an explained, standards-checked design package out',
  workflows: [h2TankWorkflow],
});
