/**
 * Processes started at the same moment on a brand-new, empty database all come up:
 * our migrations and LangGraph's checkpointer migrations run under one advisory lock.
 * Real OS processes, released together by a signal once each has loaded its code.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../graph/store/migrations.ts';
import { createServerDatabase, testDatabase, type TestDatabase } from './support/db.ts';
import { killAll, start, type Proc } from './support/processes.ts';

const TRIALS = 5;

async function schemaOf(url: string): Promise<{ ours: number[]; checkpointer: number[]; tables: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ours = await client.query<{ version: number }>('SELECT version FROM sg_migrations ORDER BY version');
    const cp = await client.query<{ v: number }>('SELECT v FROM checkpoint_migrations ORDER BY v');
    const tables = await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    return { ours: ours.rows.map((r) => r.version), checkpointer: cp.rows.map((r) => r.v), tables: tables.rows.map((r) => r.t) };
  } finally {
    await client.end();
  }
}

describe('processes starting together on an empty database', () => {
  let base: TestDatabase;
  beforeAll(async () => {
    base = await testDatabase();
  });
  afterAll(async () => {
    await base.drop();
  });

  for (const n of [2, 3]) {
    it(`${n} processes all start, ${TRIALS} times out of ${TRIALS}, and the schema is complete`, async () => {
      for (let trial = 1; trial <= TRIALS; trial++) {
        const fresh = await createServerDatabase(base.url);
        const procs: Proc[] = [];
        try {
          for (let i = 0; i < n; i++) procs.push(start(['--import', 'tsx', 'test/support/start-child.ts'], { DATABASE_URL: fresh.url }));
          await Promise.all(procs.map((p) => p.line(/^ready$/)));
          for (const p of procs) p.child.kill('SIGUSR2');
          const exits = await Promise.all(procs.map((p) => p.exited));
          for (const e of exits) expect({ trial, code: e.code, up: e.stdout.includes('up\n') }, e.stderr).toEqual({ trial, code: 0, up: true });
          const schema = await schemaOf(fresh.url);
          expect(schema.ours).toEqual(MIGRATIONS.map((m) => m.version));
          expect(schema.checkpointer).toEqual([0, 1, 2, 3, 4]);
          expect(schema.tables).toEqual(expect.arrayContaining(['checkpoints', 'checkpoint_blobs', 'checkpoint_writes', 'checkpoint_migrations', 'sg_runs', 'sg_events', 'sg_api_keys']));
        } finally {
          killAll(procs);
          await fresh.drop();
        }
      }
    });
  }
});
