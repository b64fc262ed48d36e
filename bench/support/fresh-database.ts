/**
 * A fresh, uniquely named database for one benchmark invocation, created on the
 * server `DATABASE_URL` names (default: postgresql://postgres@127.0.0.1:5432) and
 * dropped when the benchmark ends. Opened through `openDatabase()`, so stagegraph's
 * migrations run and the pool has stagegraph's default size. Nothing accumulated by
 * earlier invocations (checkpoints, runs, duration history) weighs on the figures.
 * `BENCH_SYNCHRONOUS_COMMIT=off` sets the database's `synchronous_commit` (a diagnostic).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../graph/index.ts';

/** The server used when `DATABASE_URL` is not set. */
export const DEFAULT_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  /** Opened with stagegraph's defaults (pool size included). */
  db: Database;
  /** Connection string of the fresh database. */
  url: string;
  /** Its name, e.g. `sg_bench_1a2b3c4d5e6f`. */
  name: string;
  /** `host:port` of the server, for the printed header. */
  server: string;
  /** Closes `db` and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates the database and opens it; the caller must `drop()` it. */
export async function freshDatabase(prefix = 'sg_bench'): Promise<FreshDatabase> {
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  // Diagnostic only (BENCH_SYNCHRONOUS_COMMIT=off): commits stop waiting for the WAL
  // flush, for every variant alike, to show how much of a run is commit latency.
  const syncCommit = process.env.BENCH_SYNCHRONOUS_COMMIT;
  if (syncCommit !== undefined) {
    if (!['on', 'off'].includes(syncCommit)) throw new Error(`BENCH_SYNCHRONOUS_COMMIT must be on or off, got ${syncCommit}`);
    await admin(serverUrl, `ALTER DATABASE ${name} SET synchronous_commit = ${syncCommit}`);
  }
  const drop = () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const url = withDatabase(serverUrl, name);
  let db: Database;
  try {
    db = await openDatabase({ url });
  } catch (e) {
    await drop();
    throw e;
  }
  const u = new URL(serverUrl);
  return {
    db, url, name, server: `${u.hostname}:${u.port || 5432}`,
    drop: async () => {
      await db.close();
      await drop();
    },
  };
}
