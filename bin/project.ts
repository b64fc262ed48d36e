/**
 * The project a command runs in: its config (`--config <file>`, or the
 * `stagegraph.config.*` found from the working directory; without one, the built-in
 * flagship pack), plus the workflows of a module named by `--workflows <file>` (or
 * `STAGEGRAPH_WORKFLOWS`), whose default export is an array of workflow definitions
 * or a function returning one. Loaded once per process.
 *
 * @example
 * // my-workflows.ts
 * export default [defineWorkflow({ id: 'review', ... })];
 * // stagegraph --workflows ./my-workflows.ts serve
 */
import { databaseOptions, llmDeps } from '../config/settings.ts';
import { importModule, loadConfig, type LoadedConfig } from '../config/index.ts';
import type { StagegraphOptions, WorkflowDefinition } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { builtinPacks } from '../plugins/index.ts';

export interface Project {
  loaded: LoadedConfig;
  /** Workflows from `--workflows`, registered after the packs'. */
  extra: WorkflowDefinition[];
}

function invalid(file: string, why: string): StagegraphError {
  return new StagegraphError('invalid_workflows_module', `--workflows ${file}: ${why}`, {
    class: 'validation',
    details: { file },
    hint: 'export default an array of defineWorkflow(...) definitions, or a function returning one',
  });
}

async function loadWorkflows(file: string): Promise<WorkflowDefinition[]> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (cause) {
    throw Object.assign(invalid(file, `cannot be loaded: ${(cause as Error).message ?? cause}`), { cause });
  }
  const exported = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  if (!Array.isArray(exported)) throw invalid(file, 'the default export is not an array of workflows (nor a function returning one)');
  for (const w of exported) {
    if (!w || typeof w !== 'object' || typeof (w as { id?: unknown }).id !== 'string') throw invalid(file, 'every workflow needs a string id');
  }
  return exported as WorkflowDefinition[];
}

let loading: Promise<Project> | undefined;

/** The project of this command (`STAGEGRAPH_CONFIG` / `STAGEGRAPH_WORKFLOWS` carry the flags). */
export function loadProject(env: Record<string, string | undefined> = process.env): Promise<Project> {
  return (loading ??= (async () => {
    const loaded = await loadConfig({ file: env.STAGEGRAPH_CONFIG || undefined, defaultPacks: builtinPacks });
    const extra = env.STAGEGRAPH_WORKFLOWS ? await loadWorkflows(env.STAGEGRAPH_WORKFLOWS) : [];
    return { loaded, extra };
  })());
}

/** `createStagegraph`'s options for this project: its packs and workflows, database and LLM. */
export function stagegraphOptions(project: Project, env: Record<string, string | undefined> = process.env): StagegraphOptions & { workflows: WorkflowDefinition[] } {
  return {
    packs: project.loaded.config.packs,
    workflows: project.extra,
    databaseOptions: databaseOptions(project.loaded, env),
    deps: llmDeps(project.loaded, env),
  };
}

/** Every workflow of the project: its packs', then `--workflows`'. */
export function projectWorkflows(project: Project): WorkflowDefinition[] {
  return [...project.loaded.config.packs.flatMap((p) => p.workflows), ...project.extra];
}
