/** Plugin packs: declared with `definePack()`, checked and registered as a unit by `registerPacks()`. */
export { definePack, packLabel } from './define.ts';
export type { Pack, PackDefinition, PackRef } from './define.ts';
export { registerPacks } from './registry.ts';
export type { PackRegistry, RegisteredStage, RegisteredHook, RegisterPacksOptions } from './registry.ts';
export { PACK_REFUSALS } from './refuse.ts';
export type { PackRefusal } from './refuse.ts';
export { stagegraphPackage, stagegraphVersion } from './version.ts';
export type { StagegraphPackage, StagegraphManifest } from './version.ts';
