/**
 * LangGraph's official checkpointer conformance suite against stagegraph's own
 * checkpointer exactly as `createStagegraph()` configures it (`new StepSaver(db.pool)`
 * on the pool `openDatabase()` returns, whose migrations created the tables): on the
 * embedded PostgreSQL, and on the server given by DATABASE_URL when it is set. Its CLI
 * breaks with zod 4, so `validate()` runs here.
 */
import { StepSaver } from '../graph/record/saver.ts';
import { validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { describe } from 'vitest';
import type { TestDatabase } from './support/db.ts';
import { embeddedTestDatabase, testDatabase } from './support/db.ts';

function initializer(name: string, open: () => Promise<TestDatabase>): CheckpointSaverTestInitializer<StepSaver> {
  let t: TestDatabase | undefined;
  return {
    checkpointerName: name,
    beforeAllTimeout: 60_000,
    async beforeAll() {
      t = await open();
    },
    async afterAll() {
      await t?.drop();
    },
    async createCheckpointer() {
      return new StepSaver(t!.db.pool);
    },
    // One database per suite: each checkpointer starts from empty tables (the pool is the database's, so no saver.end()).
    async destroyCheckpointer() {
      await t!.db.pool.query('DELETE FROM checkpoint_writes; DELETE FROM checkpoint_blobs; DELETE FROM checkpoints');
    },
  };
}

describe('embedded PostgreSQL', () => {
  validate(initializer('StepSaver on embedded PostgreSQL', () => embeddedTestDatabase()));
});

if (process.env.DATABASE_URL) {
  describe('PostgreSQL server (DATABASE_URL)', () => {
    validate(initializer('StepSaver on DATABASE_URL', () => testDatabase()));
  });
}
