/**
 * Cold start of the `stagegraph` command: the compiled package (`dist/bin/cli.js`, what
 * `npm install stagegraph` gives) against the sources through tsx (`bin/stagegraph.js`,
 * what the command was before the package was built), measured side by side, each
 * round alternating which goes first.
 *
 * - `--help`: process start and loading every module the CLI imports, nothing else.
 * - `run <demo request>`: the README's first command as a user runs it: a new process,
 *   the embedded PostgreSQL default (in a temporary home, started by the process and
 *   stopped at its exit) and the whole flagship run, to the process's exit.
 *
 * Wall time of the whole process (spawn to exit), medians of ROUNDS rounds.
 * Run: `npm run build && npm run bench:cold-start` (ROUNDS=7 by default).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median, ms, table } from './stats.ts';

const repo = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const DEMO = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const VARIANTS = { compiled: join(repo, 'dist/bin/cli.js'), 'tsx (sources)': join(repo, 'bin/stagegraph.js') } as const;
type Variant = keyof typeof VARIANTS;

if (!existsSync(VARIANTS.compiled)) throw new Error('dist/bin/cli.js is missing: npm run build first');

function time(variant: Variant, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [VARIANTS[variant], ...args], { cwd, env, encoding: 'utf8' });
  const elapsed = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${variant} ${args[0]} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return elapsed;
}

const home = await mkdtemp(join(tmpdir(), 'sg-cold-'));
await chmod(home, 0o755);
// The embedded default, whatever the caller's environment says.
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', STAGEGRAPH_HOME: join(home, '.stagegraph') };
const samples: Record<string, Record<Variant, number[]>> = { help: { compiled: [], 'tsx (sources)': [] }, run: { compiled: [], 'tsx (sources)': [] } };
try {
  // One run each first: the embedded cluster's initdb and the OS file cache are not what is measured.
  for (const v of Object.keys(VARIANTS) as Variant[]) time(v, ['run', DEMO, '--out', join(home, 'out')], home, env);
  for (let round = 0; round < ROUNDS; round++) {
    const order = (round % 2 === 0 ? ['compiled', 'tsx (sources)'] : ['tsx (sources)', 'compiled']) as Variant[];
    for (const v of order) samples.help![v].push(time(v, ['--help'], home, env));
    for (const v of order) samples.run![v].push(time(v, ['run', DEMO, '--out', join(home, 'out')], home, env));
  }
} finally {
  await rm(home, { recursive: true, force: true });
}

const rows = [['command', 'compiled (ms)', 'tsx sources (ms)', 'compiled / tsx']];
for (const [name, s] of Object.entries(samples)) {
  const c = median(s.compiled);
  const t = median(s['tsx (sources)']);
  rows.push([name === 'help' ? 'stagegraph --help' : 'stagegraph run <demo> (embedded)', ms(c), ms(t), (c / t).toFixed(2)]);
}
console.log(`cold start of the stagegraph command, medians of ${ROUNDS} rounds (Node ${process.version})`);
console.log(table(rows));
