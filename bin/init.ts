/**
 * `stagegraph init <dir> [--stagegraph <spec>]`: scaffolds a working project: a
 * `package.json` depending on stagegraph, `stagegraph.config.ts`, one example pack
 * (`packs/triage/`: two stages and a decision point with rules), its tests written with
 * `stagegraph/testing`, `langgraph.json` for Studio, and a README whose two commands
 * (install and run, test) work. The files come from `templates/init/` in the package;
 * the versions from stagegraph's own package.json, so the project's zod, vitest and
 * TypeScript match the ones stagegraph is tested with.
 */
import { cp, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { stagegraphPackage } from '../graph/packs/version.ts';
import { StagegraphError } from '../nodes/index.ts';
import { exitCodeOf } from './session.ts';
import { studioFiles, STUDIO_MODULE } from './studio.ts';

/** The sample ticket `npm start` triages. */
const SAMPLE = 'Checkout is down for all our customers since 9:00, error 503 on payment';

/** A package name from a directory name: lower case, npm's allowed characters. */
function packageName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'stagegraph-project';
}

/** The scaffold's package.json; `spec` is how it depends on stagegraph (a range, a tarball, a path). */
export function projectManifest(name: string, spec: string, ours: { dependencies: Record<string, string>; devDependencies: Record<string, string>; engines: Record<string, string> }): string {
  const manifest = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: `stagegraph run ${JSON.stringify(SAMPLE)}`,
      test: 'tsc --noEmit && vitest run',
      serve: 'stagegraph serve',
      studio: 'stagegraph studio',
    },
    engines: ours.engines,
    dependencies: { stagegraph: spec, zod: ours.dependencies.zod },
    devDependencies: { '@types/node': ours.devDependencies['@types/node'], typescript: ours.devDependencies.typescript, vitest: ours.devDependencies.vitest },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export async function scaffold(dir: string, spec?: string): Promise<string[]> {
  const target = resolve(dir);
  const existing = await readdir(target).catch(() => []);
  if (existing.length > 0) {
    throw new StagegraphError('init_dir_not_empty', `${dir} is not empty: stagegraph init writes a new project into an empty or new directory`, {
      class: 'validation',
      details: { dir: target, entries: existing.slice(0, 5) },
    });
  }
  const { root, manifest } = stagegraphPackage();
  const name = packageName(target);
  await mkdir(target, { recursive: true });
  // Only the template's own files: never a local cache a checkout may hold (node_modules/.vite of a
  // test run). Relative to the template: the package itself lives under node_modules.
  const template = join(root, 'templates', 'init');
  await cp(template, target, { recursive: true, filter: (from) => !relative(template, from).split(sep).includes('node_modules') });
  await rename(join(target, 'gitignore'), join(target, '.gitignore')); // npm drops .gitignore files from packages
  const readme = join(target, 'README.md');
  await writeFile(readme, (await readFile(readme, 'utf8')).replaceAll('{{name}}', name));
  await writeFile(join(target, 'package.json'), projectManifest(name, spec ?? `^${manifest.version}`, manifest));
  const studio = studioFiles(join(target, 'stagegraph.config.ts'), ['triage']);
  await writeFile(join(target, STUDIO_MODULE), studio.module);
  await writeFile(join(target, 'langgraph.json'), studio.langgraph);
  return (await readdir(target, { recursive: true })).filter((f) => !f.includes('node_modules')).sort();
}

export function initCommand(program: Command): void {
  program
    .command('init')
    .description('scaffold a project: package.json, stagegraph.config.ts, an example pack with tests, langgraph.json')
    .argument('<dir>', 'where (an empty or new directory)')
    .option('--stagegraph <spec>', "how the project depends on stagegraph: a version range, a tarball or a path (default: ^ this version)")
    .action(async (dir: string, o: { stagegraph?: string }) => {
      try {
        const files = await scaffold(dir, o.stagegraph);
        const where = relative(process.cwd(), resolve(dir)) || '.';
        console.log(`created ${where}/: ${files.length} files`);
        console.log(`next:\n  cd ${where}\n  npm install && npm start\n  npm test`);
        process.exit(0);
      } catch (e) {
        process.exit(exitCodeOf(e));
      }
    });
}
