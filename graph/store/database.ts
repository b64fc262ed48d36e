/**
 * One Postgres for everything: `DATABASE_URL` selects a server; without it the
 * embedded PostgreSQL starts. Migrations run on open.
 */
import pg from 'pg';
import { startEmbedded } from './embedded.ts';
import { migrate } from './migrations.ts';

export interface Database {
  pool: pg.Pool;
  url: string;
  /** `server` when DATABASE_URL was given, `embedded` otherwise. */
  kind: 'server' | 'embedded';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection string. @default process.env.DATABASE_URL */
  url?: string;
  /** Where the embedded server keeps its data. @default "./.stagegraph" */
  home?: string;
  /** Pool size. @default 10 */
  max?: number;
}

/**
 * Opens the database and brings stagegraph's tables up to date.
 * @example const db = await openDatabase(); ... await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  // An empty DATABASE_URL is unset (as `DATABASE_URL= cmd` in a shell means).
  const given = options.url || process.env.DATABASE_URL || undefined;
  const embedded = given ? undefined : await startEmbedded(options.home ?? process.env.STAGEGRAPH_HOME ?? '.stagegraph');
  const url = given ?? embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (e) {
    await pool.end();
    await embedded?.stop();
    throw e;
  }
  let closed = false;
  return {
    pool,
    url,
    kind: embedded ? 'embedded' : 'server',
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
      await embedded?.stop();
    },
  };
}
