/**
 * `registerPacks()`: checks packs as a unit and answers what they offer — stages by
 * name and capability, workflows by id, and which pack each came from. Registration is
 * all or nothing: the first problem throws and no registry is returned.
 */
import { isStagegraphError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import { buildWorkflow, type BuiltWorkflow } from '../compile.ts';
import type { WorkflowDefinition } from '../workflow.ts';
import { hookProblem, type PackHook } from '../hooks/types.ts';
import { packLabel, resolvePack, type Pack, type PackDefinition, type PackRef } from './define.ts';
import { checkIdentity, refuse } from './refuse.ts';
import { stagegraphVersion } from './version.ts';

/** A stage plugin as registered: the plugin, the pack that offers it and the workflows that use it. */
export interface RegisteredStage {
  name: string;
  version: string;
  /** The plugin's description and the pack that offers it, e.g. `Sizes the tank (pack h2-tank@1.0.0)`. */
  description: string;
  capabilities: readonly string[];
  plugin: AnyStagePlugin;
  /** `null` for a stage of a workflow registered outside any pack. */
  pack: PackRef | null;
  /** Ids of the registered workflows that use this plugin. */
  workflows: string[];
}

/** A pack's code hook as registered: its key (`<pack id>/<name>`) and the workflows whose runs it hears. */
export interface RegisteredHook {
  key: string;
  pack: PackRef;
  hook: PackHook;
  workflows: string[];
}

/** What registered packs offer. */
export interface PackRegistry {
  /** In registration order. */
  packs: readonly Pack[];
  /** Every registered workflow, built and checked, by id. */
  workflows: ReadonlyMap<string, BuiltWorkflow>;
  /** Every pack's code hooks, in registration order. */
  hooks: readonly RegisteredHook[];
  /** Every registered stage plugin, packs' first, in registration order. */
  stages: readonly RegisteredStage[];
  /** The stage named `name` (a pack's before one outside any pack). */
  stage(name: string): RegisteredStage | undefined;
  /** The stages that declare capability `cap`. */
  byCapability(cap: string): RegisteredStage[];
  /** The pack that offers a stage (looked up first) or a workflow, by name or id. */
  packOf(stageNameOrWorkflowId: string): Pack | undefined;
}

export interface RegisterPacksOptions {
  /** The stagegraph version pack ranges are checked against. @default the version in stagegraph's package.json */
  stagegraphVersion?: string;
  /**
   * Workflows registered outside any pack (`createStagegraph({ workflows })`): checked by
   * `buildWorkflow()` only, as before packs, and listed with `pack: null` unless they use
   * a pack's plugin. Their ids must not clash with a pack's workflow. @default []
   */
  workflows?: readonly (WorkflowDefinition | BuiltWorkflow)[];
}

/**
 * Checks `packs` in order and registers them as a unit.
 * @throws StagegraphError `invalid_pack` naming the pack and the stage or workflow at
 *   fault, with `details.reason` one of `PACK_REFUSALS`; nothing is registered.
 * @example
 * const registry = registerPacks([h2TankPack]);
 * registry.byCapability('optimization').map((s) => s.name); // ['optimize']
 */
export function registerPacks(packs: readonly PackDefinition[], options: RegisterPacksOptions = {}): PackRegistry {
  const registered: Pack[] = [];
  const stages: RegisteredStage[] = [];
  const byName = new Map<string, RegisteredStage>();
  const workflows = new Map<string, BuiltWorkflow>();
  const packOfWorkflow = new Map<string, Pack>();
  const packOfStage = new Map<string, Pack>();
  const hooks: RegisteredHook[] = [];

  for (const definition of packs) {
    const pack = resolvePack(definition);
    checkIdentity(pack, options.stagegraphVersion ?? stagegraphVersion());
    const twin = registered.find((p) => p.id === pack.id);
    if (twin) refuse(pack, 'duplicate_pack', `pack id '${pack.id}' is already registered (${packLabel(twin)})`);
    const offered = offeredStages(pack, byName);
    const ids = new Set<string>();
    for (const def of pack.workflows) {
      if (ids.has(def.id)) refuse(pack, 'duplicate_workflow', `workflow '${def.id}' is listed twice`, { workflow: def.id });
      const owner = packOfWorkflow.get(def.id);
      if (owner) refuse(pack, 'duplicate_workflow', `workflow '${def.id}' is already registered by pack '${packLabel(owner)}'`, { workflow: def.id });
      ids.add(def.id);
      for (const s of def.stages) {
        const known = offered.get(s.name) ?? byName.get(s.name)?.plugin;
        if (!known) refuse(pack, 'stage_not_offered', `workflow '${def.id}' uses stage '${s.name}', which neither this pack nor an earlier one offers`, { workflow: def.id, stage: s.name });
        if (known !== s) refuse(pack, 'duplicate_stage', `workflow '${def.id}' uses a plugin named '${s.name}' other than the one registered under that name`, { workflow: def.id, stage: s.name });
      }
      try {
        workflows.set(def.id, buildWorkflow(def));
      } catch (e) {
        if (!isStagegraphError(e)) throw e;
        refuse(pack, 'invalid_workflow', `workflow '${def.id}': ${e.message}`, { workflow: def.id, code: e.code }, e);
      }
      packOfWorkflow.set(def.id, pack);
    }
    const ref = { id: pack.id, version: pack.version };
    for (const plugin of offered.values()) {
      const entry = { name: plugin.name, version: plugin.version, description: `${plugin.description} (pack ${packLabel(ref)})`, capabilities: plugin.capabilities, plugin, pack: ref, workflows: [] };
      stages.push(entry);
      byName.set(plugin.name, entry);
      packOfStage.set(plugin.name, pack);
    }
    for (const def of pack.workflows) for (const s of def.stages) addUse(byName.get(s.name)!, def.id);
    hooks.push(...packHooks(pack, ref));
    registered.push(pack);
  }

  for (const w of options.workflows ?? []) {
    const owner = packOfWorkflow.get(w.id);
    if (owner) refuse(owner, 'duplicate_workflow', `workflow '${w.id}' is given outside the pack too`, { workflow: w.id });
    const built = 'plan' in w ? w : buildWorkflow(w);
    workflows.set(built.id, built);
    for (const plugin of built.plan.stages.values()) addUse(looseEntry(plugin, stages), built.id);
  }

  return {
    packs: registered,
    workflows,
    hooks,
    stages,
    stage: (name) => stages.find((s) => s.name === name),
    byCapability: (cap) => stages.filter((s) => s.capabilities.includes(cap)),
    packOf: (name) => packOfStage.get(name) ?? packOfWorkflow.get(name),
  };
}

/** The pack's code hooks, checked: kebab-case names unique in the pack, known events, blocking only before a stage. */
function packHooks(pack: Pack, ref: PackRef): RegisteredHook[] {
  const names = new Set<string>();
  return (pack.hooks ?? []).map((hook) => {
    const problem = hookProblem(hook);
    if (problem) refuse(pack, 'invalid_hook', `hook '${hook.name}': ${problem.message}`, { hook: hook.name, field: problem.field });
    if (typeof hook.run !== 'function') refuse(pack, 'invalid_hook', `hook '${hook.name}': run: must be a function`, { hook: hook.name, field: 'run' });
    if (names.has(hook.name)) refuse(pack, 'invalid_hook', `hook '${hook.name}' is declared twice`, { hook: hook.name, field: 'name' });
    names.add(hook.name);
    return { key: `${pack.id}/${hook.name}`, pack: ref, hook, workflows: [...(hook.workflows ?? pack.workflows.map((w) => w.id))] };
  });
}

/**
 * The stages `pack` newly offers, by name: two plugins under one name, in the pack or
 * against an earlier pack, are refused; a plugin an earlier pack offers stays that pack's.
 */
function offeredStages(pack: Pack, earlier: ReadonlyMap<string, RegisteredStage>): Map<string, AnyStagePlugin> {
  const offered = new Map<string, AnyStagePlugin>();
  for (const plugin of pack.stages) {
    const mine = offered.get(plugin.name);
    if (mine && mine !== plugin) refuse(pack, 'duplicate_stage', `stage '${plugin.name}' is offered twice (two plugins named '${plugin.name}')`, { stage: plugin.name });
    const before = earlier.get(plugin.name);
    if (before && before.plugin !== plugin) {
      refuse(pack, 'duplicate_stage', `stage '${plugin.name}' is already offered by pack '${packLabel(before.pack!)}' (two plugins named '${plugin.name}')`, { stage: plugin.name });
    }
    if (!before) offered.set(plugin.name, plugin);
  }
  return offered;
}

/** The entry a plugin of a workflow outside any pack is listed under: its own, or one of the same name and version (as the catalog listed them before packs). */
function looseEntry(plugin: AnyStagePlugin, stages: RegisteredStage[]): RegisteredStage {
  const same = stages.find((s) => s.plugin === plugin) ?? stages.find((s) => s.pack === null && s.name === plugin.name && s.version === plugin.version);
  if (same) return same;
  const entry: RegisteredStage = { name: plugin.name, version: plugin.version, description: plugin.description, capabilities: plugin.capabilities, plugin, pack: null, workflows: [] };
  stages.push(entry);
  return entry;
}

function addUse(entry: RegisteredStage, workflowId: string): void {
  if (!entry.workflows.includes(workflowId)) entry.workflows.push(workflowId);
}
