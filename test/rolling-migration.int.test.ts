/**
 * A process keeps running its runs across a migration another process applies (a
 * rolling deploy): after `ALTER TABLE sg_runs ADD COLUMN`, the step statement, prepared
 * on this process's connections before, still executes. (Returning `*`, it failed every
 * time with 0A000 "cached plan must not change result type".)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import { stage } from './fixtures/stages.ts';
import { sequence } from './fixtures/workflows.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';

let t: TestDatabase;
let sg: Stagegraph;
beforeAll(async () => {
  t = await testDatabase({ max: 2 });
  sg = await createStagegraph({ database: t.db, workflows: [sequence('three', [stage('a'), stage('b'), stage('c')])], recover: false });
});
afterAll(async () => {
  await sg?.close();
  await t?.drop();
});

describe('a migration under a running process', () => {
  it('runs go on completing after a column is added to sg_runs', async () => {
    // Every pool connection prepares the step statements.
    const before = await Promise.all([1, 2, 3, 4].map((n) => sg.runs.start({ workflowId: 'three', request: { n } })));
    for (const r of before) expect((await sg.runs.wait(r.id)).status).toBe('completed');
    await t.db.pool.query('ALTER TABLE sg_runs ADD COLUMN added_by_a_later_version integer');
    const after = await Promise.all([1, 2, 3, 4].map((n) => sg.runs.start({ workflowId: 'three', request: { n } })));
    for (const r of after) {
      const row = await sg.runs.wait(r.id);
      expect(row.error).toBeNull();
      expect(row.status).toBe('completed');
    }
  });
});
