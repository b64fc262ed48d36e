/**
 * Where the embedded cluster lives and which OS account runs it.
 *
 * A normal user: data in `<home>/pg`, the binaries where npm installed them.
 *
 * Root: PostgreSQL refuses to run as root, so it runs as the `postgres` account
 * (created when missing), which must be able to enter every folder above its binaries
 * and its data. A clone in a private (0700) folder (`/root/app`, a `mktemp -d`) lets it
 * into neither, so, only where it cannot reach them:
 * - the binaries are staged once per version in `<base>/bin/<platform>-<version>` (hard
 *   links, or copies across file systems);
 * - the data lives in `<base>/data/<project>-<hash of the home's real path>/pg`, and
 *   `<home>/pg` is a symbolic link to it: the same home finds the same data again, a
 *   second process finds `postmaster.pid` through the link, a person finds the data by
 *   following it, and a moved project keeps its data.
 *
 * `<base>` is `/var/lib/stagegraph` (else `<tmpdir>/stagegraph`): root's own, not
 * writable by others, traversable by all. An existing `<home>/pg` (a directory, or a
 * link to one) is used where it is.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { StagegraphError } from '../../nodes/errors.ts';
import { canRun, installedBinaries, type Account, type Binaries, type Cluster } from './postmaster.ts';

const run = promisify(execFile);

export interface PlacementOptions {
  /**
   * The OS account PostgreSQL runs as when stagegraph runs as root. `postgres` is
   * created when missing; another name must exist.
   * @default "postgres"
   */
  osUser?: string;
}

const HINT = 'Set DATABASE_URL to use a PostgreSQL server, or run stagegraph as a non-root user.';

/**
 * The cluster of `home`: its data directory, binaries and (as root) account. Creates
 * `home`, and as root the folders and link described above; does not create the cluster.
 */
export async function placeCluster(home: string, options: PlacementOptions = {}): Promise<Cluster> {
  const root = resolve(home);
  await mkdir(root, { recursive: true });
  const installed = await installedBinaries();
  if (process.getuid?.() !== 0) return { dir: join(root, 'pg'), binaries: installed };

  const account = await osAccount(options.osUser ?? 'postgres');
  let shared: Promise<string> | undefined;
  const base = () => (shared ??= sharedBase(account, options.osUser ?? 'postgres'));
  const binaries = (await canRun(installed, account)) ? installed : await stageBinaries(installed, account, await base());
  return { dir: await dataDir(root, account, base), binaries, account };
}

async function lookup(name: string): Promise<Account | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/** The ids of OS user `name`; `postgres` is created (a system user, no home) when missing. */
async function osAccount(name: string): Promise<Account> {
  let found = await lookup(name);
  if (!found && name === 'postgres') {
    await run('groupadd', ['--system', '--force', 'postgres'])
      .then(() => run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']))
      .catch(() => undefined); // no useradd here, or not allowed: the lookup below says so
    found = await lookup(name);
  }
  if (found) return found;
  throw new StagegraphError(
    'embedded_postgres_no_user',
    `running as root, and there is no OS user "${name}" to run the embedded PostgreSQL as (PostgreSQL refuses to run as root)`,
    { class: 'fatal', details: { user: name }, hint: HINT },
  );
}

/** Whether `account` can enter `dir`: it and every folder above it let the account through. */
async function canEnter(dir: string, account: Account): Promise<boolean> {
  return run('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...account, cwd: '/' }).then(
    () => true,
    () => false,
  );
}

/** Makes (or keeps) `dir` as a real directory of root's with `mode`; false when it is anything else (a link, someone else's, writable by others). */
async function rootDir(dir: string, mode: number): Promise<boolean> {
  await mkdir(dir, { mode }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const st = await lstat(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
  if ((st.mode & 0o777) !== mode) await chmod(dir, mode);
  return true;
}

/** The first base folder root owns and `account` can enter. */
async function sharedBase(account: Account, user: string): Promise<string> {
  const candidates = [...(existsSync('/var/lib') ? ['/var/lib/stagegraph'] : []), join(tmpdir(), 'stagegraph')];
  for (const dir of candidates) {
    if ((await rootDir(dir, 0o755).catch(() => false)) && (await canEnter(dir, account))) return dir;
  }
  throw new StagegraphError(
    'embedded_postgres_unreachable',
    `running as root, and no folder for the embedded PostgreSQL that the OS user "${user}" can enter (tried ${candidates.join(', ')})`,
    { class: 'fatal', details: { user, tried: candidates }, hint: HINT },
  );
}

/** A hard link where the file is already readable (and, when executable, runnable) by all; otherwise, or across file systems, a copy made so. */
async function linkFile(from: string, to: string): Promise<void> {
  const mode = (await stat(from)).mode & 0o777;
  const shared = mode | 0o444 | (mode & 0o100 ? 0o111 : 0);
  if (shared === mode) {
    try {
      await link(from, to);
      return;
    } catch {
      // another file system, or links not allowed: copy
    }
  }
  await copyFile(from, to);
  await chmod(to, shared);
}

async function linkTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(target);
      await chmod(target, 0o755);
      await linkTree(source, target);
    } else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await linkFile(source, target);
  }
}

/**
 * The installed binaries staged in `<base>/bin/<key>`, built aside and renamed into
 * place, so a staged folder is always whole and concurrent stagings agree.
 */
export async function stageBinaries(installed: Binaries, account: Account, base: string): Promise<Binaries> {
  const folder = join(base, 'bin');
  if (!(await rootDir(folder, 0o755))) throw new Error(`${folder} is not a directory owned by root and closed to others`);
  const staged = { native: join(folder, installed.key), key: installed.key };
  if (!existsSync(staged.native)) {
    const building = await mkdtemp(join(folder, `.${installed.key}-`));
    try {
      await linkTree(installed.native, building);
      await chmod(building, 0o755);
      await rename(building, staged.native);
    } catch (e) {
      await rm(building, { recursive: true, force: true });
      if (!existsSync(staged.native)) throw e; // else another process staged it first
    }
  }
  if (await canRun(staged, account)) return staged;
  throw new StagegraphError('embedded_postgres_unreachable', `the OS user for the embedded PostgreSQL cannot run its binaries, even staged in ${staged.native}`, {
    class: 'fatal',
    details: { binaries: staged.native },
    hint: HINT,
  });
}

/** `<base>/data/<project>-<hash>`: the project's name for people, the hash of the home's real path for uniqueness. */
async function keyedDir(root: string, base: string): Promise<string> {
  const real = await realpath(root);
  const name = (basename(real) === '.stagegraph' ? basename(dirname(real)) : basename(real)).replace(/[^\w.-]/g, '_').slice(0, 40);
  const data = join(base, 'data');
  const keyed = join(data, `${name || 'home'}-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`);
  if (!(await rootDir(data, 0o755)) || !(await rootDir(keyed, 0o755))) throw new Error(`${keyed} is not a directory owned by root and closed to others`);
  await writeFile(join(keyed, 'home'), `${real}\n`);
  return keyed;
}

/** The data directory of `root` (see the file comment); as root, makes `<home>/pg` a link to it when it lives elsewhere. */
async function dataDir(root: string, account: Account, base: () => Promise<string>): Promise<string> {
  const pointer = join(root, 'pg');
  const st = await lstat(pointer).catch(() => undefined);
  if (st?.isSymbolicLink()) {
    const target = resolve(root, await readlink(pointer));
    if (existsSync(target)) return target;
    await unlink(pointer); // its data is gone: placed anew below
  } else if (st?.isDirectory()) {
    if (existsSync(join(pointer, 'PG_VERSION')) || (await canEnter(root, account))) return pointer;
    if ((await readdir(pointer)).length > 0) return pointer; // not ours to remove: starting it says what is wrong
    await rmdir(pointer); // left empty by a first start that could not reach it
  } else if (await canEnter(root, account)) return pointer;

  const dir = join(await keyedDir(root, await base()), 'pg');
  await symlink(dir, pointer).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e; // else a concurrent start made the same link
  });
  return dir;
}
