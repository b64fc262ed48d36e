/**
 * The Studio acceptance (`npm run check:studio`): LangGraph's own dev server, run with npx
 * outside the project's dependencies as `stagegraph studio` runs it, serves our graphs:
 *   1. the repository's `langgraph.json` (graph `h2-tank`): the graph is listed
 *      (`POST /assistants/search`), its schemas show the text input `{ request: string }`
 *      and every state channel of `graph/state.ts`, and a run with
 *      `@langchain/langgraph-sdk` finishes the flagship (export package, design choice);
 *   2. a project scaffolded from the packed tarball (`stagegraph init`, `npm install`,
 *      `stagegraph studio --no-start`): its `triage` graph has the same input schema and a
 *      run escalates the sample outage ticket. `--demo <dir>` takes the project
 *      `check:package` already scaffolded and installed (CI), instead of packing again.
 * The SDK is installed into a temporary directory, not into the project. Each dev server
 * runs in its own process group and is killed at the end, failed or not. The repository's
 * server runs from a temporary directory, so the flagship's `out/` lands there; the state
 * it keeps next to `langgraph.json` (`.langgraph_api/`) is put back as it was.
 * Prints how long each step took; `--cold` gives npx an empty npm cache, to time the
 * first fetch of the CLI as a fresh CI machine sees it. `--keep` keeps the temp directory.
 * Exits 1 at the first failure, with the failing command's or server's output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LANGGRAPH_CLI, STUDIO_MODULE } from '../bin/studio.ts';
import { WorkflowStateSchema } from '../graph/index.ts';

/** The SDK the check drives the server with: the version LangGraph 1.7 and the CLI resolve. */
const SDK = '@langchain/langgraph-sdk@1.15.0';
const FLAGSHIP_REQUEST = 'I need a 70 MPa hydrogen tank for automotive use, 5 kg capacity';
const TICKET = 'Checkout is down for all our customers since 9:00, error 503 on payment';
const CHANNELS = Object.keys(WorkflowStateSchema.fields);

const repo = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const cold = process.argv.includes('--cold');
/** `--demo <dir>`: an init project already installed from the tarball (`STAGEGRAPH_CHECK_HOME=<h> npm run check:package` leaves `<h>/consumer/demo`). */
const demoAt = process.argv.indexOf('--demo');
const givenDemo = demoAt > 0 ? resolve(process.argv[demoAt + 1] ?? '') : undefined;
const timings: [string, number][] = [];
const servers = new Set<DevServer>();
/** Run at the end, failed or not, after the servers have stopped. */
const cleanups: (() => Promise<void>)[] = [];

class CheckFailed extends Error {}

/** Runs `fn` as a named step and records how long it took. */
async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    const ms = Math.round(performance.now() - t0);
    timings.push([name, ms]);
    console.log(`${String(ms).padStart(7)} ms  ${name}`);
  }
}

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new CheckFailed(`exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${cmd} ${args.join(' ')}  [in ${cwd}]\n${r.stdout}\n${r.stderr}`);
  }
  return String(r.stdout);
}

function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new CheckFailed(message);
}

/** Snapshots a directory's files; the returned function puts them back (or removes the directory it did not find). */
async function saveDir(dir: string): Promise<() => Promise<void>> {
  const names = await readdir(dir).catch(() => undefined);
  if (!names) return () => rm(dir, { recursive: true, force: true });
  const saved = new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
  return async () => {
    for (const n of await readdir(dir)) if (!saved.has(n)) await rm(join(dir, n), { recursive: true, force: true });
    for (const [n, content] of saved) await writeFile(join(dir, n), content);
  };
}

/** A port nobody listens on now (2024 may be someone else's dev server). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done, fail) => probe.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

/** `langgraphjs dev` started with npx in its own process group. */
class DevServer {
  output = '';
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(readonly name: string, cwd: string, config: string, port: number, env: NodeJS.ProcessEnv) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn('npx', ['-y', LANGGRAPH_CLI, 'dev', '--port', String(port), '--host', '127.0.0.1', '--no-browser', '--no-reload', '--config', config], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = new Promise((done) => this.child.once('close', () => done()));
    for (const s of [this.child.stdout!, this.child.stderr!]) s.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    servers.add(this);
  }

  /** Resolves once the server says it runs and answers `/ok`. */
  async ready(timeoutMs: number): Promise<void> {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new CheckFailed(`${this.name}: the dev server did not start within ${timeoutMs / 1000} s`)), timeoutMs);
      const seen = () => /Server running at/.test(this.output) && (clearTimeout(timer), done());
      this.child.stdout!.on('data', seen);
      this.child.stderr!.on('data', seen);
      void this.exited.then(() => (clearTimeout(timer), fail(new CheckFailed(`${this.name}: the dev server exited (${this.child.exitCode ?? this.child.signalCode})`))));
      seen();
    });
    const ok = await fetch(`${this.url}/ok`);
    check(ok.status === 200, `${this.name}: GET /ok answered ${ok.status}`);
  }

  /** Ends the whole process group (npx, the CLI and the API server it spawned). */
  async stop(): Promise<void> {
    servers.delete(this);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    group('SIGTERM');
    const killed = setTimeout(() => group('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killed);
    group('SIGKILL'); // a straggler that outlived the leader
  }
}

/** The slice of `@langchain/langgraph-sdk`'s client this check uses. */
interface SdkClient {
  runs: { wait(thread: null, assistant: string, payload: { input: unknown; signal?: AbortSignal }): Promise<Record<string, unknown>> };
}
type SdkModule = { Client: new (config: { apiUrl: string }) => SdkClient };

async function installSdk(dir: string): Promise<SdkModule> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'studio-check-sdk', private: true, type: 'module' }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', SDK], dir);
  return (await import(createRequire(join(dir, 'package.json')).resolve('@langchain/langgraph-sdk'))) as SdkModule;
}

async function json(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  check(res.status === 200, `${what} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** The graph is listed and its schemas show the text input and every state channel. */
async function checkSchemas(server: DevServer, graphId: string): Promise<void> {
  const search = await fetch(`${server.url}/assistants/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ graph_id: graphId }) });
  const assistants = (await json(search, 'POST /assistants/search')) as { assistant_id: string; graph_id: string }[];
  const assistant = assistants.find((a) => a.graph_id === graphId);
  check(assistant, `POST /assistants/search lists no assistant of graph '${graphId}': ${JSON.stringify(assistants)}`);
  const res = await fetch(`${server.url}/assistants/${assistant.assistant_id}/schemas`);
  const schemas = (await json(res, 'GET /assistants/{id}/schemas')) as { input_schema?: { properties?: Record<string, { type?: string }> }; state_schema?: { properties?: Record<string, unknown> } };
  check(schemas.input_schema?.properties?.request?.type === 'string', `'${graphId}': input_schema.properties.request is not a string: ${JSON.stringify(schemas.input_schema)}`);
  const inputs = Object.keys(schemas.input_schema?.properties ?? {});
  check(inputs.length === 1, `'${graphId}': the input schema should be { request } alone, has ${inputs.join(', ')}`);
  const state = Object.keys(schemas.state_schema?.properties ?? {});
  const missing = CHANNELS.filter((c) => !state.includes(c));
  const extra = state.filter((c) => !CHANNELS.includes(c));
  check(missing.length === 0 && extra.length === 0, `'${graphId}': state_schema.properties are ${state.join(', ')}; graph/state.ts has ${CHANNELS.join(', ')}`);
}

async function run(sdk: SdkModule, server: DevServer, graphId: string, request: string): Promise<Record<string, unknown>> {
  const client = new sdk.Client({ apiUrl: server.url });
  const values = await client.runs.wait(null, graphId, { input: { request }, signal: AbortSignal.timeout(300_000) });
  check(!('__error__' in values), `'${graphId}': the run failed: ${JSON.stringify(values.__error__)}`);
  return values;
}

/** The environment of a dev server: no telemetry, no tracing, no LLM (rules and defaults decide). */
const serverEnv = (npmCache: string | undefined): NodeJS.ProcessEnv => ({
  LANGGRAPH_CLI_NO_ANALYTICS: '1',
  LANGSMITH_TRACING: 'false',
  LANGCHAIN_TRACING_V2: 'false',
  OPENAI_API_KEY: '',
  BROWSER: 'none',
  ...(npmCache ? { npm_config_cache: npmCache } : {}),
});

async function main(home: string): Promise<void> {
  const npmCache = cold ? join(home, 'npm-cache') : undefined;
  const env = serverEnv(npmCache);
  await step(`npx fetches ${LANGGRAPH_CLI} (${cold ? 'cold: empty npm cache' : 'npm cache as it is'})`, () => sh('npx', ['-y', LANGGRAPH_CLI, '--version'], home, env));
  const sdk = await step(`npm install ${SDK} (temp dir)`, () => installSdk(join(home, 'sdk')));

  // 1. The repository's langgraph.json. The server runs from a temp directory, so the
  //    flagship's out/ lands there; its own state (.langgraph_api/, next to the config) is
  //    put back as it was afterwards.
  const ours = JSON.parse(await readFile(join(repo, 'langgraph.json'), 'utf8')) as { graphs: Record<string, string> };
  check(ours.graphs['h2-tank'], `langgraph.json names no 'h2-tank' graph: ${JSON.stringify(ours.graphs)}`);
  const serverDir = join(home, 'server');
  await mkdir(serverDir);
  cleanups.push(await saveDir(join(repo, '.langgraph_api')));
  const flagship = new DevServer('repository', serverDir, join(repo, 'langgraph.json'), await freePort(), env);
  await step('repository: langgraph dev starts (h2-tank registered)', () => flagship.ready(300_000));
  await step('repository: h2-tank listed, schemas { request: string } + state channels', () => checkSchemas(flagship, 'h2-tank'));
  const h2 = await step('repository: runs.wait finishes the flagship', () => run(sdk, flagship, 'h2-tank', FLAGSHIP_REQUEST));
  const outputs = Object.keys((h2.outputs ?? {}) as object);
  const decisions = Object.keys((h2.decisions ?? {}) as object);
  check(outputs.includes('export-package'), `h2-tank: outputs lack export-package: ${outputs.join(', ')}`);
  check(decisions.includes('design-choice'), `h2-tank: decisions lack design-choice: ${decisions.join(', ')}`);
  const exported = await readdir(join(serverDir, 'out', 'studio')).catch((): string[] => []);
  check(exported.includes('design.json'), `h2-tank: no design.json in the server's out/studio/ (${exported.join(', ')})`);
  console.log(`           h2-tank: ${outputs.length} outputs, decisions ${decisions.join(', ')}, exported ${exported.join(', ')}`);
  await flagship.stop();

  // 2. A project scaffolded from the packed tarball: the one `check:package` installed
  //    (`--demo <dir>`, as CI runs it), or one made here.
  let demo: string;
  if (givenDemo) demo = givenDemo;
  else {
    await step('npm run build', () => sh('npm', ['run', 'build'], repo));
    const packed = await step('npm pack --ignore-scripts', () => JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', home], repo)) as { filename: string }[]);
    const tarball = join(home, packed[0]!.filename);
    const consumer = join(home, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await step('npm install <tarball>', () => sh('npm', ['install', '--no-audit', '--no-fund', tarball], consumer));
    await step('npx stagegraph init demo', () => sh('npx', ['stagegraph', 'init', 'demo', '--stagegraph', `file:${tarball}`], consumer));
    demo = join(consumer, 'demo');
    await step('demo: npm install', () => sh('npm', ['install', '--no-audit', '--no-fund'], demo));
  }
  const generated = [await readFile(join(demo, 'langgraph.json'), 'utf8'), await readFile(join(demo, STUDIO_MODULE), 'utf8')];
  await step('demo: stagegraph studio --no-start', () => sh('npx', ['stagegraph', 'studio', '--no-start'], demo));
  const regenerated = [await readFile(join(demo, 'langgraph.json'), 'utf8'), await readFile(join(demo, STUDIO_MODULE), 'utf8')];
  check(generated.join() === regenerated.join(), `stagegraph studio wrote other files than init:\n${regenerated.join('\n')}`);
  const project = new DevServer('demo', demo, join(demo, 'langgraph.json'), await freePort(), env);
  await step('demo: langgraph dev starts (triage registered)', () => project.ready(300_000));
  await step('demo: triage listed, schemas { request: string } + state channels', () => checkSchemas(project, 'triage'));
  const triage = await step('demo: runs.wait triages the outage ticket', () => run(sdk, project, 'triage', TICKET));
  const handling = (triage.decisions as Record<string, { chosen?: string }> | undefined)?.handling;
  check(handling?.chosen === 'escalate', `triage: decisions.handling is ${JSON.stringify(handling)}, expected chosen 'escalate'`);
  console.log(`           triage: handling -> ${handling.chosen}`);
  await project.stop();
}

const home = await mkdtemp(join(tmpdir(), 'sg-studio-'));
console.log(`studio check in ${home}`);

/** Stops the servers, puts back what they changed, removes the temp directory; once, whoever asks first. */
let finished: Promise<void> | undefined;
function finish(): Promise<void> {
  finished ??= (async () => {
    await Promise.all([...servers].map((s) => s.stop()));
    for (const cleanup of cleanups) await cleanup();
    if (keep) console.log(`kept ${home}`);
    else await rm(home, { recursive: true, force: true });
  })();
  return finished;
}

// The servers are in process groups of their own, which a Ctrl-C does not reach.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void finish().finally(() => process.exit(1));
  });
}

let failed = false;
try {
  await main(home);
} catch (e) {
  failed = true;
  console.error(`\nFAIL: ${e instanceof CheckFailed ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  for (const s of servers) console.error(`\n--- output of the ${s.name} dev server ---\n${s.output}`);
} finally {
  await finish();
}
console.log(`\ntimings:\n${timings.map(([name, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`).join('\n')}`);
console.log(failed ? 'studio check failed' : 'studio check passed');
process.exit(failed ? 1 : 0);
