/**
 * Real `stagegraph` processes for crash tests: spawn `bin/stagegraph.js` with its own
 * Postgres `application_name` (node-postgres reads `PGAPPNAME`), wait for lines it
 * prints, read the CPU time it has used (a clock of its own progress that a loaded
 * machine does not skew), SIGKILL it, and wait until Postgres has ended every session it
 * had, so the run locks it held are free when the next process starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { until } from './runs.ts';

/** The `stagegraph` command, run through tsx like a user runs it. */
export const STAGEGRAPH_BIN = fileURLToPath(new URL('../../bin/stagegraph.js', import.meta.url));

let spawned = 0;

export interface StagegraphChild {
  proc: ChildProcess;
  /** The `application_name` of every Postgres session the process opens. */
  appName: string;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Resolves with the first match of `re` in stdout (printed already or still to come); rejects if the process exits first. */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export interface SpawnOptions {
  /** Variables over `process.env` (e.g. `TestDatabase.childEnv`). `DATABASE_URL` is dropped when absent here and `STAGEGRAPH_HOME` is set. */
  env: Record<string, string>;
  cwd: string;
  /** Prefix of the application name. @default "sg-child" */
  tag?: string;
}

/** Spawns `node bin/stagegraph.js ...args`. */
export function spawnStagegraph(args: string[], options: SpawnOptions): StagegraphChild {
  const appName = `${options.tag ?? 'sg-child'}-${process.pid}-${++spawned}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PGAPPNAME: appName, NO_COLOR: '1' };
  if (options.env.STAGEGRAPH_HOME && !options.env.DATABASE_URL) delete env.DATABASE_URL;
  const proc = spawn(process.execPath, [STAGEGRAPH_BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    proc.once('exit', (code, signal) => done({ code, signal }));
    proc.once('error', () => done({ code: -1, signal: null }));
  });
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const line = (re: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((done, fail) => {
      const check = () => {
        const m = out.match(re);
        if (m) finish(m);
      };
      const finish = (m?: RegExpMatchArray, e?: Error) => {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        if (m) done(m);
        else fail(e);
      };
      const timer = setTimeout(() => finish(undefined, new Error(`no line matching ${re} within ${timeoutMs} ms; stdout: ${out.slice(-500)} stderr: ${err.slice(-1500)}`)), timeoutMs);
      proc.stdout!.on('data', check);
      void exited.then(({ code, signal }) => {
        const m = out.match(re);
        if (m) finish(m);
        else finish(undefined, new Error(`exited (${code ?? signal}) before printing ${re}; stdout: ${out.slice(-500)} stderr: ${err.slice(-1500)}`));
      });
      check();
    });
  return { proc, appName, stdout: () => out, stderr: () => err, exited, alive, line };
}

/** How many Postgres sessions `appName` has open on the server of `pool`. */
export async function sessionsOf(pool: pg.Pool, appName: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
  return rows[0]!.n;
}

/**
 * SIGKILLs `child` (if it still runs), waits for it to exit and for Postgres to end
 * every session it had (a dead client's advisory locks go with its session).
 */
export async function killChild(child: StagegraphChild, pool: pg.Pool, timeoutMs = 20_000): Promise<void> {
  if (child.alive()) child.proc.kill('SIGKILL');
  await child.exited;
  await until(async () => ((await sessionsOf(pool, child.appName)) === 0 ? true : undefined), timeoutMs, `the sessions of ${child.appName} to end`);
}

/** Linux clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat times. */
const CLK_TCK = 100;

/** CPU time (user + system, all threads) `child` has used so far, in ms; undefined once it has exited. Linux only. */
export function cpuTimeMs(child: StagegraphChild): number | undefined {
  if (!child.alive() || child.proc.pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${child.proc.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * Resolves true once `child` has used `ms` more CPU time than `from`, false if it exits
 * first. Polls every millisecond or two.
 */
export async function cpuTimeReached(child: StagegraphChild, from: number, ms: number): Promise<boolean> {
  for (;;) {
    const now = cpuTimeMs(child);
    if (now === undefined) return false;
    if (now - from >= ms) return true;
    await new Promise((r) => setTimeout(r, 1));
  }
}
