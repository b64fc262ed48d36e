/**
 * Real OS processes for tests: the `stagegraph` command (bin/stagegraph.js) and child
 * scripts, with their output collected line by line and waits on what they print.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first line (stdout or stderr) matching, already printed or to come. */
  line(match: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<Exit>;
}

/**
 * The environment of a child: this process's, without `DATABASE_URL` and
 * `STAGEGRAPH_HOME` unless `env` sets them (a test names the database explicitly).
 */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.DATABASE_URL;
  delete base.STAGEGRAPH_HOME;
  delete base.STAGEGRAPH_WORKFLOWS;
  delete base.STAGEGRAPH_CONFIG;
  delete base.STAGEGRAPH_DB_POOL;
  return { ...base, ...env };
}

/**
 * Starts `node <args>` in the project directory. `group`: in a process group of its own
 * (as a shell starts a foreground job), so that `process.kill(-pid, 'SIGINT')` is Ctrl-C.
 */
export function start(args: string[], env: Record<string, string | undefined>, options: { group?: boolean; cwd?: string } = {}): Proc {
  const child = spawn(process.execPath, args, { cwd: options.cwd ?? process.cwd(), env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: options.group ?? false });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out += d), changed()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((err += d), changed()));
  const exited = new Promise<Exit>((done) => child.on('close', (code, signal) => (changed(), done({ code, signal, stdout: out, stderr: err }))));
  let over = false;
  void exited.then(() => (over = true));
  const line = (match: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((done, fail) => {
      const check = () => {
        const hit = `${out}\n${err}`.split('\n').find((l) => match.test(l));
        if (hit !== undefined) return finish(() => done(hit));
        if (over) finish(() => fail(new Error(`process exited without printing ${match}\nstdout:\n${out}\nstderr:\n${err}`)));
      };
      const timer = setTimeout(() => finish(() => fail(new Error(`no line matching ${match} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`))), timeoutMs);
      const finish = (f: () => void) => (clearTimeout(timer), waiters.delete(check), f());
      waiters.add(check);
      check();
    });
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, line, exited };
}

const BIN = fileURLToPath(new URL('../../bin/stagegraph.js', import.meta.url));

/** `stagegraph <args>` as a user runs it (from the sources), in the project directory or `cwd`. */
export function stagegraph(args: string[], env: Record<string, string | undefined>, options: { group?: boolean; cwd?: string } = {}): Proc {
  return start([BIN, ...args], env, options);
}

/** Runs `stagegraph <args>` to its end. */
export function stagegraphDone(args: string[], env: Record<string, string | undefined>, options: { cwd?: string } = {}): Promise<Exit> {
  return stagegraph(args, env, options).exited;
}

/** Kills what is still running (test cleanup). */
export function killAll(procs: Proc[]): void {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}
