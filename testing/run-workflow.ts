/**
 * Runs a pack's workflows the way stagegraph runs them, on a real PostgreSQL: a fresh
 * database per `testStagegraph()` (on the `DATABASE_URL` server, or an embedded
 * PostgreSQL in a temp directory), the real runtime, checkpointer, event log and
 * decision ledger. A run is followed to where it stops (completed, failed, waiting for
 * input, paused, aborted) and returned with its events, decisions and stage outputs.
 *
 * @example
 * const result = await runWorkflow({ packs: [triagePack], request: 'Checkout is down for all EU customers' });
 * expect(result.status).toBe('completed');
 * expect(result.decisions[0]).toMatchObject({ point: 'handling', chosen: 'escalate', method: 'rule' });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphRuntimeDeps } from '../graph/deps.ts';
import type { DecisionRecord } from '../graph/decisions/types.ts';
import type { RunEvent } from '../graph/events/types.ts';
import type { Pack } from '../graph/packs/index.ts';
import { createStagegraph, type Stagegraph } from '../graph/runtime.ts';
import type { StartRunInput } from '../graph/runs/service.ts';
import type { RunView } from '../graph/runs/view.ts';
import type { WorkflowDefinition } from '../graph/workflow.ts';
import { testDatabase } from './database.ts';

export interface TestStagegraphOptions {
  packs?: Pack[];
  workflows?: WorkflowDefinition[];
  /** An LLM for stages (`ctx.llm`) and decisions' fallback, e.g. pointed at `startOpenAIStub()`. */
  deps?: Omit<GraphRuntimeDeps, 'ledger' | 'branch'>;
}

export interface WorkflowResult {
  /** The run as `GET /api/agent/runs/:id` shows it. */
  run: RunView;
  status: RunView['status'];
  /** Every event of the run, in order. */
  events: RunEvent[];
  decisions: DecisionRecord[];
  /** Each completed stage's output, by stage name. */
  outputs: Record<string, unknown>;
  /** Where the run wrote its artifacts (`<temp dir>/<run id>`). */
  outDir: string;
}

export interface RunRequest {
  /** @default the only workflow registered */
  workflowId?: string;
  request: unknown;
  options?: StartRunInput['options'];
}

export interface TestStagegraph {
  sg: Stagegraph;
  /** Starts a run and follows it to where it stops. */
  run(request: RunRequest): Promise<WorkflowResult>;
  /** Closes the stagegraph, drops its database and removes the artifacts. */
  close(): Promise<void>;
}

/** A stagegraph on a fresh database, for several runs; close it when done. */
export async function testStagegraph(options: TestStagegraphOptions): Promise<TestStagegraph> {
  const database = await testDatabase();
  const out = await mkdtemp(join(tmpdir(), 'sg-out-'));
  let sg: Stagegraph;
  try {
    sg = await createStagegraph({ database: database.db, packs: options.packs, workflows: options.workflows ?? [], deps: options.deps, recover: false });
  } catch (e) {
    await database.drop();
    await rm(out, { recursive: true, force: true });
    throw e;
  }
  const only = () => {
    const ids = [...sg.workflows.keys()];
    if (ids.length !== 1) throw new Error(`name the workflow: this stagegraph has ${ids.length} (${ids.join(', ')})`);
    return ids[0]!;
  };
  return {
    sg,
    async run({ workflowId, request, options: runOptions }) {
      const started = await sg.runs.start({ workflowId: workflowId ?? only(), request, options: { outRoot: out, ...runOptions } });
      await sg.runs.wait(started.id);
      const run = await sg.runs.get(started.id);
      const events = await sg.runs.eventsSince(run.id, 0);
      return { run, status: run.status, events, decisions: run.decisions, outputs: run.partialResults, outDir: join(String(run.options.outRoot), run.id) };
    },
    async close() {
      try {
        await sg.close();
      } finally {
        await database.drop();
        await rm(out, { recursive: true, force: true });
      }
    },
  };
}

/** One run on a fresh database, closed afterwards (its artifacts are removed with it: read them from `outputs`). */
export async function runWorkflow(options: TestStagegraphOptions & RunRequest): Promise<WorkflowResult> {
  const t = await testStagegraph(options);
  try {
    return await t.run(options);
  } finally {
    await t.close();
  }
}
