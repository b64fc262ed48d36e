/**
 * The embedded default wherever a user clones: the home is `<private>/app/.stagegraph`
 * in a fresh 0700 folder, as `/root/app` or a `mktemp -d` clone is. Run as root (CI
 * and the dev machine), PostgreSQL runs as the `postgres` account, which cannot enter
 * that folder: the data lives in a keyed folder it can reach, `.stagegraph/pg` links
 * there, and the binaries are staged where it can run them when it cannot run them
 * from node_modules. Run as a normal user, the data is in `.stagegraph/pg` itself. Both
 * ways: created on first use, shared with a second process, found again after a reopen.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../graph/store/database.ts';
import { startEmbedded } from '../graph/store/embedded.ts';
import { placeCluster, stageBinaries } from '../graph/store/placement.ts';
import { canRun, installedBinaries, type Account } from '../graph/store/postmaster.ts';
import { start } from './support/processes.ts';

const asRoot = process.getuid?.() === 0;

function postgresAccount(): Account {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/** Stops a server a failed test may have left running in `dir`. */
function stopLeftover(dir: string): void {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
  } catch {
    // not running
  }
}

describe('embedded PostgreSQL with its home in a private (0700) folder', () => {
  const saved = { url: process.env.DATABASE_URL, home: process.env.STAGEGRAPH_HOME };
  const open: Database[] = [];
  const cleanup: string[] = [];
  let home: string;
  let firstUrl: string;
  /** Where the data really lives. */
  let dataDir: string;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    delete process.env.STAGEGRAPH_HOME;
    const folder = await mkdtemp(join(tmpdir(), 'sg-private-'));
    await chmod(folder, 0o700);
    cleanup.push(folder);
    home = join(folder, 'app', '.stagegraph');
  });

  afterAll(async () => {
    for (const db of open.reverse()) await db.close();
    if (dataDir) stopLeftover(dataDir);
    // As root, the keyed folder the data lives in, outside the private folder.
    if (dataDir && dirname(dataDir) !== home) cleanup.push(dirname(dataDir));
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    if (saved.home !== undefined) process.env.STAGEGRAPH_HOME = saved.home;
  });

  it('starts on first use; .stagegraph/pg is the data, or (as root) links to where the postgres account can reach it', async () => {
    const db = await openDatabase({ home, max: 2 });
    open.push(db);
    firstUrl = db.url;
    expect(db.kind).toBe('embedded');
    await db.pool.query('CREATE TABLE kept (note text)');
    await db.pool.query("INSERT INTO kept VALUES ('first open')");

    const pointer = join(home, 'pg');
    if (asRoot) {
      expect(lstatSync(pointer).isSymbolicLink()).toBe(true);
      dataDir = readlinkSync(pointer);
      expect(dataDir).toMatch(/\/stagegraph\/data\/app-[0-9a-f]{12}\/pg$/);
      const account = postgresAccount();
      expect(statSync(dataDir)).toMatchObject({ uid: account.uid, gid: account.gid });
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      // A person (or a cleanup) finds the project a data folder belongs to.
      expect(readFileSync(join(dirname(dataDir), 'home'), 'utf8')).toBe(`${realpathSync(home)}\n`);
    } else {
      expect(lstatSync(pointer).isDirectory()).toBe(true);
      dataDir = pointer;
    }
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(pointer, 'postmaster.pid'))).toBe(true);
  });

  it('a second process finds the running server through .stagegraph/pg and shares it', async () => {
    const child = await start(['--import', 'tsx', 'test/support/open-child.ts', 'SELECT note FROM kept'], { STAGEGRAPH_HOME: home }).exited;
    expect(child.code, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ kind: 'embedded', url: firstUrl, rows: [{ note: 'first open' }] });
    // The joiner's close left the server running.
    const { rows } = await open[0]!.pool.query('SELECT count(*)::int AS n FROM kept');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('close stops the server; a reopen of the same home finds its data again, in the same place', async () => {
    await open.pop()!.close();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    const db = await openDatabase({ home, max: 2 });
    open.push(db);
    const { rows } = await db.pool.query('SELECT note FROM kept');
    expect(rows).toEqual([{ note: 'first open' }]);
    expect(asRoot ? readlinkSync(join(home, 'pg')) : join(home, 'pg')).toBe(dataDir);
    await db.close();
    open.pop();
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('binaries the postgres account cannot run from node_modules are staged, once per version, where it can', async () => {
    const installed = await installedBinaries();
    if (!asRoot) {
      // A normal user runs them where npm put them, as itself.
      const cluster = await placeCluster(home);
      expect(cluster).toEqual({ dir: join(home, 'pg'), binaries: installed });
      return;
    }
    const account = postgresAccount();
    // The installed binaries, hard-linked into a private folder as a root clone's node_modules is.
    const folder = await mkdtemp(join(tmpdir(), 'sg-private-'));
    cleanup.push(folder);
    await chmod(folder, 0o700);
    const hidden = { native: join(folder, 'node_modules', 'native'), key: `test-${process.pid}` };
    await mkdir(dirname(hidden.native), { recursive: true });
    execFileSync('cp', ['-al', installed.native, hidden.native]);
    expect(await canRun(hidden, account)).toBe(false);

    const base = await mkdtemp(join(tmpdir(), 'sg-base-'));
    cleanup.push(base);
    await chmod(base, 0o755);
    const staged = await stageBinaries(hidden, account, base);
    expect(staged).toEqual({ native: join(base, 'bin', hidden.key), key: hidden.key });
    expect(await canRun(staged, account)).toBe(true);
    // Hard links on the same file system: no second copy of the binaries.
    expect(statSync(join(staged.native, 'bin', 'postgres')).ino).toBe(statSync(join(installed.native, 'bin', 'postgres')).ino);
    const before = statSync(staged.native).ino;
    expect(await stageBinaries(hidden, account, base)).toEqual(staged);
    expect(statSync(staged.native).ino).toBe(before);
  });

  it('as root with no OS user to run PostgreSQL as: one StagegraphError with a hint, nothing started', async () => {
    const other = join(dirname(home), 'other', '.stagegraph');
    if (!asRoot) {
      // A normal user runs PostgreSQL as itself: no OS user is looked up.
      const cluster = await placeCluster(other, { osUser: 'sg-no-such-user' });
      expect(cluster.dir).toBe(join(other, 'pg'));
      expect(cluster.account).toBeUndefined();
      return;
    }
    await expect(startEmbedded(other, { osUser: 'sg-no-such-user' })).rejects.toMatchObject({
      name: 'StagegraphError',
      code: 'embedded_postgres_no_user',
      details: { user: 'sg-no-such-user' },
      hint: 'Set DATABASE_URL to use a PostgreSQL server, or run stagegraph as a non-root user.',
    });
    expect(existsSync(join(other, 'pg'))).toBe(false);
  });
});
