/**
 * The package as a user gets it (`npm run check:package`, run by `.ci/run`): packs the
 * tarball, installs it into a fresh directory outside the repository, and there
 *   1. imports every entry point from plain Node ESM JavaScript,
 *   2. type-checks a TypeScript consumer with `tsc --noEmit`,
 *   3. runs `npx stagegraph init demo`, then in `demo/` the two commands of its README
 *      (install and run: the workflow completes on the embedded default; test: passes),
 *   4. serves the demo's pack with `stagegraph serve` from its directory: the workflow is
 *      listed, runs over REST and streams over the WebSocket (with the package's own
 *      client), through the LangGraph API (`/langgraph`: the assistant listed, a run waited
 *      for, which is a stagegraph run), and in the dashboard (headless Chromium) a run
 *      started there completes.
 * Prints the tarball's size. Exits 1 at the first failure, with the command's output.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium } from '../test/support/browser.ts';

const repo = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');

function sh(cmd: string, args: string[], options: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}): string {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options, env: { ...process.env, ...options.env } });
  const ms = Math.round(performance.now() - t0);
  const shown = `${cmd} ${args.join(' ')}`.slice(0, 160);
  if (r.status !== 0) {
    console.error(`FAIL (${ms} ms, exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${shown}  [in ${options.cwd ?? process.cwd()}]\n${r.stdout}\n${r.stderr}`);
    process.exit(1);
  }
  console.log(`ok (${ms} ms): ${shown}`);
  return String(r.stdout);
}

/** A fresh directory outside the repository, reachable by the embedded PostgreSQL's user. */
// STAGEGRAPH_CHECK_HOME: work there and leave it (the installed demo) for `check:studio --demo`; CI removes it.
const given = process.env.STAGEGRAPH_CHECK_HOME;
const home = given ? (await mkdir(given, { recursive: true }), given) : await mkdtemp(join(tmpdir(), 'sg-package-'));
console.log(`package check in ${home}`);
try {
  // The tarball, as `npm publish` would make it (the build first, so that its output is not in pack's JSON).
  sh('npm', ['run', 'build'], { cwd: repo });
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', home], { cwd: repo })) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  const tarball = join(home, packed[0]!.filename);
  console.log(`tarball ${packed[0]!.filename}: ${(packed[0]!.size / 1024).toFixed(0)} kB packed, ${(packed[0]!.unpackedSize / 1024).toFixed(0)} kB unpacked, ${packed[0]!.entryCount} files`);

  // 1. A consumer project: plain ESM JavaScript imports every entry point.
  const consumer = join(home, 'consumer');
  sh('mkdir', ['-p', consumer]);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const ours = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  sh('npm', ['install', '--no-audit', '--no-fund', tarball, `typescript@${ours.devDependencies.typescript}`, `@types/node@${ours.devDependencies['@types/node']}`], { cwd: consumer });
  await writeFile(join(consumer, 'imports.mjs'), `
import assert from 'node:assert/strict';
const main = await import('stagegraph');
for (const name of ['defineWorkflow', 'definePack', 'defineConfig', 'createStagegraph', 'StagegraphError', 'registerPacks', 'studioGraph', 'START', 'END']) assert.ok(main[name], 'stagegraph exports ' + name);
const server = await import('stagegraph/server');
for (const name of ['createServer', 'serve', 'dashboard']) assert.equal(typeof server[name], 'function', 'stagegraph/server exports ' + name);
const client = await import('stagegraph/client');
assert.equal(typeof client.createClient, 'function');
const testing = await import('stagegraph/testing');
for (const name of ['stageContract', 'runWorkflow', 'testStagegraph', 'startOpenAIStub', 'runStage']) assert.equal(typeof testing[name], 'function', 'stagegraph/testing exports ' + name);
const h2 = await import('stagegraph/packs/h2-tank');
assert.equal(h2.h2TankPack.id, 'h2-tank');
const registry = main.registerPacks([h2.h2TankPack]);
assert.ok(registry.byCapability('optimization').length > 0);
console.log('every entry point imports');
`);
  sh('node', ['imports.mjs'], { cwd: consumer });

  // 2. A TypeScript consumer type-checks against the shipped declarations.
  await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] }, include: ['consumer.ts'] }));
  await writeFile(join(consumer, 'consumer.ts'), `
import { z } from 'zod';
import { createStagegraph, defineConfig, definePack, defineWorkflow, START, END, type StagePlugin, type DecisionPoint } from 'stagegraph';
import { createServer, type StagegraphServer } from 'stagegraph/server';
import { createClient, type RunDetail } from 'stagegraph/client';
import { runWorkflow, stageContract, type WorkflowResult } from 'stagegraph/testing';
import { h2TankPack } from 'stagegraph/packs/h2-tank';

const Text = z.object({ text: z.string() });
const upper: StagePlugin<typeof Text, typeof Text> = {
  name: 'upper', version: '1.0.0', description: 'Upper-cases text', capabilities: ['text'],
  input: Text, output: Text, policy: { estimateMs: 5, timeoutMs: 100 },
  async run({ text }) { return { text: text.toUpperCase() }; },
};
const loud: DecisionPoint<{ text: string }> = {
  name: 'loud', description: 'Loud or not', options: ['yes', 'no'],
  inputs: (s) => s.outputs.upper as { text: string },
  rules: [{ id: 'long', when: (i) => i.text.length > 3, choose: 'yes', because: 'long', confidence: 0.9 }],
  default: 'no',
};
const shout = defineWorkflow({ id: 'shout', description: 'Shouts', stages: [upper], decisions: [loud],
  edges: [{ from: START, to: 'upper' }, { from: 'upper', to: 'loud' }, { from: 'loud', routes: { yes: END, no: END } }] });
const pack = definePack({ id: 'shout', version: '1.0.0', stagegraph: '^0.1', workflows: [shout] });
export default defineConfig({ packs: [pack, h2TankPack], server: { port: 8080 } });
export async function main(): Promise<[RunDetail | undefined, WorkflowResult, StagegraphServer]> {
  const sg = await createStagegraph({ packs: [pack] });
  const server = createServer({ stagegraph: sg, auth: { mode: 'none' } });
  const api = createClient({ baseUrl: 'http://127.0.0.1:8080' });
  const checks = stageContract(upper, { input: { text: 'hi' } });
  void checks, api;
  return [undefined, await runWorkflow({ packs: [pack], request: { text: 'hi' } }), server];
}
`);
  sh('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: consumer });

  // 3. The scaffold, and its README's two commands, verbatim.
  sh('npx', ['stagegraph', 'init', 'demo', '--stagegraph', `file:${tarball}`], { cwd: consumer });
  const demo = join(consumer, 'demo');
  const readme = await readFile(join(demo, 'README.md'), 'utf8');
  const commands = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split('\n');
  if (commands.length !== 2) throw new Error(`the scaffold's README gives ${commands.length} commands, not 2`);
  // The run on the embedded default (no DATABASE_URL), as on a fresh machine; the tests on whichever database CI gives.
  const run = sh('bash', ['-c', commands[0]!], { cwd: demo, env: { DATABASE_URL: '' } });
  if (!/status: completed/.test(run)) throw new Error(`the scaffold's run did not complete:\n${run}`);
  sh('bash', ['-c', commands[1]!], { cwd: demo });

  // 4. `stagegraph serve` from the demo's directory serves its pack.
  await serveCheck(demo);
  console.log('package check passed');
} finally {
  if (keep) console.log(`kept ${home}`);
  else {
    // As root, the demo's embedded data lives outside it (.stagegraph/pg links there): remove that too.
    const link = join(home, 'consumer', 'demo', '.stagegraph', 'pg');
    const data = await realpath(link).catch(() => undefined);
    if (data && data !== link) await rm(dirname(data), { recursive: true, force: true });
    if (given) console.log(`left ${home} (STAGEGRAPH_CHECK_HOME)`);
    else await rm(home, { recursive: true, force: true });
  }
}

async function serveCheck(demo: string): Promise<void> {
  const child = spawn(join(demo, 'node_modules', '.bin', 'stagegraph'), ['serve', '--port', '0'], { cwd: demo, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    const printed = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve printed no URL and key within 60 s:\n${out}`)), 60_000);
      const check = () => /API key[^\n]*: (\S+)/.test(out) && /listening on (\S+)/.test(out) && (clearTimeout(timer), done(out));
      child.stdout.on('data', check);
      child.on('exit', (code) => fail(new Error(`serve exited ${code}:\n${out}`)));
    });
    const url = /listening on (\S+)/.exec(printed)![1]!;
    const token = /API key[^\n]*: (\S+)/.exec(printed)![1]!;
    const script = `
import assert from 'node:assert/strict';
import { createClient } from 'stagegraph/client';
const api = createClient({ baseUrl: ${JSON.stringify(url)}, token: ${JSON.stringify(token)} });
const { workflows } = await api.workflows();
assert.deepEqual(workflows.map((w) => w.id), ['triage']);
const { plugins } = await api.plugins({ capability: 'ticket-reading' });
assert.deepEqual(plugins.map((p) => p.name), ['read-ticket']);
const started = await api.orchestrate({ workflow: 'triage', request: 'Question: how do I download last month invoice?' });
const stream = api.events([started.sessionId], { since: 0 });
const types = [];
for await (const e of stream) { types.push(e.type); if (e.type === 'workflow.completed' || e.type === 'workflow.failed') break; }
stream.close();
assert.equal(types.at(-1), 'workflow.completed', types.join(','));
assert.ok(types.includes('workflow.decision_made') && types.includes('workflow.stage_changed'), types.join(','));
const run = await api.getRun(started.sessionId);
assert.equal(run.status, 'completed');
const page = await fetch(${JSON.stringify(url)} + '/');
const html = await page.text();
assert.equal(page.status, 200);
const bundle = /src="(\\/dashboard\\/app\\.js[^"]*)"/.exec(html);
assert.ok(bundle, 'the dashboard page refers to its bundle');
assert.equal((await fetch(${JSON.stringify(url)} + bundle[1])).status, 200);
const lg = (path, body) => fetch(${JSON.stringify(url)} + '/langgraph' + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': ${JSON.stringify(token)} }, body: JSON.stringify(body) });
const assistants = await (await lg('/assistants/search', {})).json();
assert.deepEqual(assistants.map((a) => a.assistant_id), ['triage']);
const waited = await lg('/runs/wait', { assistant_id: 'triage', input: { request: 'Question: how do I download last month invoice?' } });
assert.equal(waited.status, 200);
const values = await waited.json();
assert.ok(values.decisions && values.decisions.handling, JSON.stringify(values).slice(0, 300));
const thread = waited.headers.get('content-location').split('/')[2];
assert.equal((await api.getRun(thread)).status, 'completed');
console.log('served: triage listed, run over REST completed, ' + types.length + ' events over the WebSocket, dashboard served, LangGraph API ran triage as run ' + thread);
`;
    await writeFile(join(demo, 'serve-check.mjs'), script);
    sh('node', ['serve-check.mjs'], { cwd: demo });
    await dashboardCheck(url, token);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
}

/** The dashboard in headless Chromium: the key is taken, the demo's workflow is offered, and a run started there completes on the page. */
async function dashboardCheck(url: string, token: string): Promise<void> {
  const t0 = performance.now();
  const profile = await mkdtemp(join(tmpdir(), 'sg-package-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: ensureChromium(), headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/`);
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.getByLabel('API key').fill(token);
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    const offered = await page.locator('#start-workflow option').allTextContents();
    if (offered.join(',') !== 'triage') throw new Error(`the dashboard offers ${JSON.stringify(offered)}, not ['triage']`);
    await page.getByLabel('Request', { exact: true }).fill('Cannot log in since the password reset, urgent');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.locator('#run-view[data-status="completed"]').waitFor({ timeout: 30_000 });
    const text = await page.locator('#run-view').innerText();
    if (!text.includes('handling')) throw new Error(`the run view does not show the handling decision:\n${text.slice(0, 2000)}`);
    console.log(`ok (${Math.round(performance.now() - t0)} ms): dashboard in Chromium: triage offered, a run started there completed with its decision shown`);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
