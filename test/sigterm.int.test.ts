/**
 * SIGTERM drains instead of killing: `stagegraph serve` (with DATABASE_URL and on the
 * embedded path) and `stagegraph run` are real child processes. Loading the embedded
 * database leaves no process hook behind, and a process with DATABASE_URL never loads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/index.ts';
import { journal } from './fixtures/held.ts';
import { tempHome, testDatabase, type TestDatabase } from './support/db.ts';
import { eventsOf, holdDir, stagesWith, statusOf } from './support/held-runs.ts';
import { killAll, start, stagegraph, stagegraphDone, type Proc } from './support/processes.ts';
import { until } from './support/runs.ts';

const WORKFLOWS = ['--workflows', 'test/fixtures/held.ts'];
const LISTENING = /stagegraph listening on (http:\/\/\S+)/;
const HOOKS = { SIGTERM: 0, SIGINT: 0, SIGHUP: 0, beforeExit: 0, message: 0 };

let database: TestDatabase;
const procs: Proc[] = [];
const run = (p: Proc) => (procs.push(p), p);

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  killAll(procs);
  await database.drop();
});

/** Removes an embedded home, first stopping a server a failed test may have left running in it. */
async function removeHome(home: string): Promise<void> {
  const pidFile = join(home, 'pg', 'postmaster.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      // not running
    }
  }
  await rm(home, { recursive: true, force: true });
}

/** The JSON log line of `serve` with this message, by position in stdout. */
function logIndex(stdout: string, msg: string): number {
  return stdout.split('\n').findIndex((l) => l.startsWith('{') && (JSON.parse(l) as { msg?: string }).msg === msg);
}

async function urlOf(p: Proc): Promise<string> {
  return LISTENING.exec(await p.line(LISTENING))![1]!;
}

describe('process hooks of the embedded database', () => {
  it('a process with DATABASE_URL never loads it; on the embedded path its hooks are removed', async () => {
    const server = await run(start(['--import', 'tsx', 'test/support/signal-child.ts'], { DATABASE_URL: database.url })).exited;
    expect(server.code, server.stderr).toBe(0);
    expect(JSON.parse(server.stdout)).toEqual({ kind: 'server', loaded: false, listeners: HOOKS });

    const home = await tempHome();
    try {
      const embedded = await run(start(['--import', 'tsx', 'test/support/signal-child.ts'], { STAGEGRAPH_HOME: home })).exited;
      expect(embedded.code, embedded.stderr).toBe(0);
      expect(JSON.parse(embedded.stdout)).toEqual({ kind: 'embedded', loaded: false, listeners: HOOKS });
    } finally {
      await removeHome(home);
    }
  });
});

describe('SIGTERM to an idle stagegraph serve', () => {
  async function expectCleanExit(p: Proc): Promise<void> {
    await urlOf(p);
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect({ code: exit.code, signal: exit.signal }, exit.stderr).toEqual({ code: 0, signal: null });
    const draining = logIndex(exit.stdout, 'draining runs and shutting down');
    expect(draining).toBeGreaterThan(0);
    expect(logIndex(exit.stdout, 'shut down')).toBeGreaterThan(draining);
  }

  it('with DATABASE_URL: exits 0 after its shutdown log line', async () => {
    await expectCleanExit(run(stagegraph(['serve', '--port', '0'], { DATABASE_URL: database.url })));
  });

  it('on the embedded path (serve starts the server itself): exits 0 after its shutdown log line and stops the server', async () => {
    const home = await tempHome();
    try {
      await expectCleanExit(run(stagegraph(['serve', '--port', '0'], { STAGEGRAPH_HOME: home })));
      expect(existsSync(join(home, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await removeHome(home);
    }
  });
});

describe('SIGTERM during runs', () => {
  it('serve stops listening, the run pauses at a step boundary (shutdown), a repeated SIGTERM does not cut the drain short, exit 0; a restart resumes it to completed', async () => {
    const hold = await holdDir();
    const env = { DATABASE_URL: database.url, SG_HOLD_DIR: hold.dir };
    const first = run(stagegraph([...WORKFLOWS, 'serve', '--port', '0', '--no-auth'], env));
    const url = await urlOf(first);
    const api = createClient({ baseUrl: url });
    const { sessionId: id } = await api.orchestrate({ workflow: 'held', request: { n: 0 } });
    await until(async () => ((await api.eventsSince(id)).events.some((e) => e.type === 'workflow.stage_changed' && e.payload.stage === 'hold' && e.payload.change === 'started') || undefined), 30_000, 'hold to start');

    first.child.kill('SIGTERM');
    await first.line(/draining runs and shutting down/);
    // The HTTP server is closed before the drain: new connections are refused.
    await until(() => fetch(`${url}/healthz`).then(() => undefined, () => true), 10_000, 'the server to stop listening');
    first.child.kill('SIGTERM');
    await first.line(/already draining runs/);
    await hold.release();
    const exit = await first.exited;
    expect({ code: exit.code, signal: exit.signal }, exit.stderr).toEqual({ code: 0, signal: null });
    expect(logIndex(exit.stdout, 'shut down')).toBeGreaterThan(logIndex(exit.stdout, 'draining runs and shutting down'));

    expect(await statusOf(database.db.pool, id)).toBe('paused');
    const paused = await eventsOf(database.db.pool, id);
    expect(paused.at(-1)).toMatchObject({ type: 'workflow.paused', payload: { reason: 'shutdown', next: ['third'] } });
    expect(stagesWith(paused, 'completed')).toEqual(['first', 'hold']);
    expect(journal(hold.dir, id)).toEqual(['first', 'hold']);

    const second = run(stagegraph([...WORKFLOWS, 'serve', '--port', '0', '--no-auth'], env));
    const again = createClient({ baseUrl: await urlOf(second) });
    await until(async () => ((await again.getRun(id)).status === 'completed' || undefined), 30_000, 'the run to complete after restart');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const events = await eventsOf(database.db.pool, id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'workflow.resumed')).toMatchObject([{ payload: { from: 'paused' } }]);
    // Nothing is redone: each stage completed, and ran, exactly once.
    expect(stagesWith(events, 'completed')).toEqual(['first', 'hold', 'third', 'fourth']);
    expect(journal(hold.dir, id)).toEqual(['first', 'hold', 'third', 'fourth']);
  });

  it('stagegraph run: SIGTERM pauses the run at a step boundary, prints how to continue and exits 4; stagegraph resume completes it', async () => {
    const hold = await holdDir();
    const env = { DATABASE_URL: database.url, SG_HOLD_DIR: hold.dir };
    const cli = run(stagegraph([...WORKFLOWS, 'run', '--workflow', 'held', '--json', '{"n":0}'], env));
    const id = /run (\S+) started/.exec(await cli.line(/run \S+ started/))![1]!;
    await until(async () => (stagesWith(await eventsOf(database.db.pool, id), 'started').includes('hold') || undefined), 30_000, 'hold to start');

    cli.child.kill('SIGTERM');
    await cli.line(/pausing at the next step boundary/);
    await hold.release();
    const exit = await cli.exited;
    expect({ code: exit.code, signal: exit.signal }, exit.stderr).toEqual({ code: 4, signal: null });
    expect(exit.stdout).toContain(`continue with: stagegraph resume ${id}`);
    expect(exit.stdout).toContain('status: paused');
    expect(await statusOf(database.db.pool, id)).toBe('paused');
    expect((await eventsOf(database.db.pool, id)).at(-1)).toMatchObject({ type: 'workflow.paused', payload: { reason: 'shutdown' } });

    const resumed = await stagegraphDone([...WORKFLOWS, 'resume', id], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('status: completed');
    expect(journal(hold.dir, id)).toEqual(['first', 'hold', 'third', 'fourth']);
  });

  it('Ctrl-C on the embedded path: the SIGINT to the whole process group reaches stagegraph, not PostgreSQL; the run pauses and the server stops after', async () => {
    const hold = await holdDir();
    const home = await tempHome();
    try {
      const cli = run(stagegraph([...WORKFLOWS, 'run', '--workflow', 'held', '--json', '{"n":0}'], { STAGEGRAPH_HOME: home, SG_HOLD_DIR: hold.dir }, { group: true }));
      const id = /run (\S+) started/.exec(await cli.line(/run \S+ started/))![1]!;
      await until(async () => (journal(hold.dir, id).includes('hold') || undefined), 60_000, 'hold to start');
      process.kill(-cli.pid, 'SIGINT');
      await cli.line(/SIGINT: pausing at the next step boundary/);
      await hold.release();
      const exit = await cli.exited;
      expect({ code: exit.code, signal: exit.signal }, exit.stderr).toEqual({ code: 4, signal: null });
      expect(exit.stdout).toContain('run paused (shutdown)');
      expect(exit.stdout).toContain(`continue with: stagegraph resume ${id}`);
      expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await removeHome(home);
    }
  });
});
