/**
 * `definePack()`: a plugin pack as data — an id and version, the stagegraph versions it
 * supports, the stage plugins and decision points it offers and the workflows built
 * from them. Packs are registered as a unit by `registerPacks()`, which checks them;
 * `definePack()` only fills in the defaults.
 */
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { PackHook } from '../hooks/types.ts';
import type { WorkflowDefinition } from '../workflow.ts';

/** What a pack author writes. */
export interface PackDefinition {
  /** kebab-case, unique among registered packs, e.g. `h2-tank`. */
  id: string;
  /** The pack's own version (semver), e.g. `1.0.0`. */
  version: string;
  /** The stagegraph versions the pack works with, as a semver range, e.g. `^0.1`. */
  stagegraph: string;
  description?: string;
  /**
   * The stage plugins the pack offers, to its own workflows and to packs registered
   * after it. @default the union of its workflows' stages
   */
  stages?: AnyStagePlugin[];
  /** The decision points the pack offers. @default the union of its workflows' decision points */
  decisionPoints?: DecisionPoint[];
  workflows: WorkflowDefinition[];
  /** Code hooks on the runs of the pack's workflows (or those each names), known as `<pack id>/<name>`. @default [] */
  hooks?: PackHook[];
}

/** A pack with its defaults filled in (what `definePack()` returns). */
export interface Pack extends PackDefinition {
  stages: AnyStagePlugin[];
  decisionPoints: DecisionPoint[];
}

/** A pack's identity, as the registry and the catalog name it. */
export interface PackRef {
  id: string;
  version: string;
}

/** `id@version`, the way messages name a pack. */
export function packLabel(pack: PackRef): string {
  return `${pack.id}@${pack.version}`;
}

/** Distinct objects of `lists`, in first-seen order. */
function union<T>(lists: readonly (readonly T[] | undefined)[]): T[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

/**
 * Declares a pack. Returns it typed, with `stages` and `decisionPoints` defaulted to
 * the union of its workflows'; validation runs in `registerPacks()`.
 * @example
 * export const greetPack = definePack({ id: 'greet', version: '1.0.0', stagegraph: '^0.1',
 *   workflows: [greetWorkflow] });
 */
export function definePack(definition: PackDefinition): Pack {
  return resolvePack(definition);
}

/** Fills in a definition's defaults once; a definition that has them all comes back as it is. */
export function resolvePack(definition: PackDefinition): Pack {
  if (definition.stages && definition.decisionPoints) return definition as Pack;
  const workflows = definition.workflows ?? [];
  return {
    ...definition,
    workflows,
    stages: definition.stages ?? union(workflows.map((w) => w.stages)),
    decisionPoints: definition.decisionPoints ?? union(workflows.map((w) => w.decisions)),
  };
}
