/**
 * Which workflows a command knows: the built-in ones, plus those of a module named by
 * `--workflows <file>` (or `STAGEGRAPH_WORKFLOWS`). The module's default export is an
 * array of workflow definitions, or a function returning one (or a promise of one).
 *
 * @example
 * // my-workflows.ts
 * export default [defineWorkflow({ id: 'review', ... })];
 * // stagegraph --workflows ./my-workflows.ts serve
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkflowDefinition } from '../graph/index.ts';
import { StagegraphError } from '../nodes/index.ts';
import { builtinWorkflows } from '../plugins/index.ts';

function invalid(file: string, why: string): StagegraphError {
  return new StagegraphError('invalid_workflows_module', `--workflows ${file}: ${why}`, {
    class: 'validation',
    details: { file },
    hint: 'export default an array of defineWorkflow(...) definitions, or a function returning one',
  });
}

async function load(file: string): Promise<WorkflowDefinition[]> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
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

/** The built-in workflows, then the module's; two workflows with one id are refused. */
export async function commandWorkflows(file = process.env.STAGEGRAPH_WORKFLOWS): Promise<WorkflowDefinition[]> {
  const all = [...builtinWorkflows(), ...(file ? await load(file) : [])];
  const seen = new Set<string>();
  for (const w of all) {
    if (seen.has(w.id)) throw invalid(file ?? '', `workflow id '${w.id}' is defined twice (built-in ids: ${builtinWorkflows().map((b) => b.id).join(', ')})`);
    seen.add(w.id);
  }
  return all;
}
