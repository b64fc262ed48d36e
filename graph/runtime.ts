/**
 * `createStagegraph()`: wires one Postgres (server or embedded), the LangGraph
 * PostgresSaver, the event log and the decision ledger to a set of workflows, and
 * returns the runs API. Parts are passed in; nothing reaches for globals.
 */
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { buildWorkflow, type BuiltWorkflow } from './compile.ts';
import type { GraphRuntimeDeps } from './deps.ts';
import { PgDecisionLedger } from './decisions/pg-ledger.ts';
import { EventBus } from './events/bus.ts';
import { EventLog } from './events/log.ts';
import { RunExecutor, type RegisteredWorkflow } from './runs/executor.ts';
import { Runs } from './runs/service.ts';
import { RunStore } from './runs/store.ts';
import { openDatabase, type Database, type OpenDatabaseOptions } from './store/database.ts';
import type { WorkflowDefinition } from './workflow.ts';

export interface StagegraphOptions {
  workflows: (WorkflowDefinition | BuiltWorkflow)[];
  /** An open database; otherwise one is opened (DATABASE_URL or embedded). */
  database?: Database;
  databaseOptions?: OpenDatabaseOptions;
  /** LLM, seed and logging for stages and decisions. */
  deps?: Omit<GraphRuntimeDeps, 'ledger' | 'branch'>;
  /** Resume runs a dead process left `running`. @default true */
  recover?: boolean;
}

export interface Stagegraph {
  runs: Runs;
  db: Database;
  saver: PostgresSaver;
  bus: EventBus;
  ledger: PgDecisionLedger;
  workflows: Map<string, RegisteredWorkflow>;
  /** Drains executing runs to a checkpoint, then closes the database (if opened here). */
  close(): Promise<void>;
}

export async function createStagegraph(options: StagegraphOptions): Promise<Stagegraph> {
  const db = options.database ?? (await openDatabase(options.databaseOptions));
  const saver = new PostgresSaver(db.pool);
  await saver.setup();
  const workflows = new Map<string, RegisteredWorkflow>();
  for (const w of options.workflows) {
    const built = 'plan' in w ? w : buildWorkflow(w);
    workflows.set(built.id, { built, graph: built.compile(saver) });
  }
  const bus = new EventBus();
  const events = new EventLog(db.pool, bus);
  const store = new RunStore(db.pool);
  const ledger = new PgDecisionLedger(db.pool);
  const executor = new RunExecutor(db.pool, store, events, workflows, { ...options.deps, ledger });
  const runs = new Runs(store, events, executor);
  if (options.recover ?? true) await runs.recover();
  return {
    runs, db, saver, bus, ledger, workflows,
    close: async () => {
      await runs.drain();
      if (!options.database) await db.close();
    },
  };
}
