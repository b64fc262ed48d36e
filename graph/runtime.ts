/**
 * `createStagegraph()`: wires one Postgres (server or embedded), the LangGraph
 * PostgresSaver, the event log and the decision ledger to a set of workflows, and
 * returns the runs API. Parts are passed in; nothing reaches for globals.
 */
import type { BuiltWorkflow } from './compile.ts';
import type { GraphRuntimeDeps } from './deps.ts';
import { PgDecisionLedger } from './decisions/pg-ledger.ts';
import { PgPreferenceStore } from './decisions/pg-preferences.ts';
import { Decisions } from './decisions/service.ts';
import { EventBus } from './events/bus.ts';
import { EventLog } from './events/log.ts';
import { EventNotifier, newOrigin } from './events/notify.ts';
import { EventRelay } from './events/relay.ts';
import { RunQueue } from './queue/queue.ts';
import type { RateLimit } from './queue/queued-sql.ts';
import { RunWorker } from './queue/worker.ts';
import { RunExecutor, type RegisteredWorkflow } from './runs/executor.ts';
import { ProcessLease } from './runs/lease.ts';
import { gc } from './retention/gc.ts';
import { StepSaver } from './record/saver.ts';
import { retryHiccups, type HiccupPolicy } from './record/retry.ts';
import { DurationHistory } from './runs/progress.ts';
import { Runs } from './runs/service.ts';
import type { ControlMessage } from './runs/lease.ts';
import { RunStore } from './runs/store.ts';
import { openDatabase, type Database, type OpenDatabaseOptions } from './store/database.ts';
import type { WorkflowDefinition } from './workflow.ts';
import { PATTERNS } from './patterns/catalogue.ts';
import { Templates } from './templates/templates.ts';
import { TemplateStore } from './templates/store.ts';
import type { PatternSpec } from './templates/patterns.ts';
import { Breakers, type BreakersOptions } from '../nodes/breakers.ts';
import { registerPacks, type Pack, type PackRegistry } from './packs/index.ts';
import type { CompensationPolicy } from './recovery/saga.ts';
import { Hooks, type HooksOptions } from './hooks/service.ts';

export interface StagegraphOptions {
  /** Plugin packs (`definePack()`), checked and registered as a unit by `registerPacks()`. @default [] */
  packs?: Pack[];
  /** Workflows outside any pack, checked by `buildWorkflow()` only. @default [] */
  workflows?: (WorkflowDefinition | BuiltWorkflow)[];
  /** The coordination patterns a workflow template's `patterns` blocks may name. @default PATTERNS (graph/patterns/) */
  patterns?: readonly PatternSpec[];
  /** An open database; otherwise one is opened (DATABASE_URL or embedded). */
  database?: Database;
  databaseOptions?: OpenDatabaseOptions;
  /** LLM, seed and logging for stages and decisions. */
  deps?: Omit<GraphRuntimeDeps, 'ledger' | 'branch'>;
  /** Resume runs a dead process left `running`. @default true */
  recover?: boolean;
  /**
   * A run taken over this many times in a row after its executor died, without completing
   * a stage in between, fails with `run_dead_lettered` instead of being taken again. @default 5
   */
  deadLetterAfter?: number;
  /** How often to look for runs a dead process left behind. @default 10000 */
  recoverEveryMs?: number;
  /**
   * Circuit breakers per plugin and per named dependency, shared by every run of this
   * instance: a `Breakers` to share one across instances, or options for a new one.
   * @default { threshold: 5, halfOpenAfterMs: 60000 }
   */
  breakers?: Breakers | BreakersOptions;
  /** Retries of a failing `compensate()`. @default { attempts: 3, backoffMs: 100 } */
  compensation?: CompensationPolicy;
  /**
   * How long a run's writes ride out a database hiccup (lost connection, restart).
   * @default { maxElapsedMs: 30000, initialDelayMs: 25, maxDelayMs: 2000 }
   */
  hiccups?: HiccupPolicy;
  /**
   * Collect finished runs' checkpoint history by their workflows' retention policies
   * (`gc()`) this often; `stagegraph serve` sets it to an hour. @default undefined (never; run `stagegraph gc`)
   */
  gcEveryMs?: number;
  /**
   * Announce this process's new events to other processes (`NOTIFY sg_events`, coalesced
   * over a few ms, off the runs' critical path), so that a server delivers live the
   * events of runs executing here. @default true
   */
  notifyEvents?: boolean;
  /**
   * Deliver on this process's bus the events of runs executing in other processes (a
   * dedicated LISTEN connection; see `events/relay.ts`). `serve` turns it on. @default false
   */
  relayEvents?: boolean;
  /**
   * Start runs through the queue (pg-boss in the same database) instead of executing them
   * where they are started, and with `concurrency` > 0 execute queued runs here (a
   * worker). `concurrency: 0` is API only: this process starts and reads runs, others
   * execute them. Without `queue` everything runs in this process, as before.
   */
  queue?: QueueOptions;
  /**
   * Hooks (packs' code hooks, webhooks registered through the API): retry backoff, attempt
   * time limit, how often to poll and sweep the log, and whether this process delivers.
   * @default { backoffMs: 1000, maxBackoffMs: 300000, timeoutMs: 10000, concurrency: 8, pollMs: 1000, sweepMs: 5000, horizonMs: 86400000, deliver: true }
   */
  hooks?: HooksOptions;
  /** Told about errors no caller can receive (a run whose outcome could not be recorded). @default console.error */
  onError?: (error: unknown, context: string) => void;
}

export interface QueueOptions {
  /** Runs this process executes at once; 0 for API only. @default 4 */
  concurrency?: number;
  /** The workflows whose runs this process takes. @default every registered workflow */
  workflows?: string[];
  /** The most runs of a workflow running at once across every worker, by workflow id. */
  limits?: Record<string, number>;
  /** The most runs of a workflow started per window across every worker, e.g. `{ 'h2-tank': { runs: 10, perSeconds: 60 } }`. */
  rates?: Record<string, RateLimit>;
}

export interface Stagegraph {
  /** `single`: executes the runs it starts; `api`: queues them, executes none; `api+worker`: queues them and executes queued runs. */
  role: 'single' | 'api' | 'api+worker';
  runs: Runs;
  db: Database;
  /** The checkpointer (LangGraph's PostgresSaver, writing each step as one statement). */
  saver: StepSaver;
  bus: EventBus;
  ledger: PgDecisionLedger;
  /** Feedback, learned preferences, explanations and replay of decisions. */
  decisions: Decisions;
  workflows: Map<string, RegisteredWorkflow>;
  /** The registered packs, their stages and workflows (and workflows given outside any pack). */
  registry: PackRegistry;
  /** Workflow templates (data, stored per version in Postgres): create, list, resolve (`docs/templates.md`). */
  templates: Templates;
  /** The circuit breakers; `breakers.snapshot()` is their metrics view. */
  breakers: Breakers;
  /** Webhooks and code hooks, their deliveries and attempts (`docs/hooks.md`). */
  hooks: Hooks;
  /** Drains executing runs to a checkpoint, then closes the database (if opened here). */
  close(): Promise<void>;
}

export async function createStagegraph(options: StagegraphOptions): Promise<Stagegraph> {
  // Packs and workflows are checked before anything is opened: a bad one leaves nothing behind.
  const registry = registerPacks(options.packs ?? [], { workflows: options.workflows });
  const db = options.database ?? (await openDatabase(options.databaseOptions));
  // The checkpointer's tables are created by `migrate()`, under the migrations' lock.
  const saver = new StepSaver(db.pool);
  const workflows = new Map<string, RegisteredWorkflow>();
  for (const built of registry.workflows.values()) workflows.set(built.id, { built, graph: built.compile(saver) });
  const bus = new EventBus();
  const events = new EventLog(db.pool, bus, { hiccups: options.hiccups });
  const origin = newOrigin();
  const store = new RunStore(db.pool);
  const ledger = new PgDecisionLedger(db.pool);
  const preferences = new PgPreferenceStore(db.pool);
  const templates = new Templates(new TemplateStore(db.pool), { registry, patterns: options.patterns ?? PATTERNS, compile: (built) => built.compile(saver) });
  const decisions = new Decisions({ ledger, preferences, points: (workflowId, point) => workflows.get(workflowId)?.built.plan.points.get(point) ?? templates.point(workflowId, point) });
  const report = options.onError ?? ((error: unknown, context: string) => console.error(`stagegraph: ${context}:`, error));
  const notifier = options.notifyEvents === false ? undefined : new EventNotifier(db.pool, bus, origin, { onError: (e) => report(e, 'announcing events to other processes') });
  const relay = options.relayEvents ? new EventRelay(db.url, db.pool, events, bus, { origin, onError: report }) : undefined;
  const breakers = options.breakers instanceof Breakers ? options.breakers : new Breakers(options.breakers);
  const hooks = await Hooks.start(db.pool, registry.hooks, events, bus, options.hooks ?? {}, report);
  const deps = { preferences, ...options.deps, ledger, breakers, beforeStage: hooks.beforeStage };
  // The lease's callbacks reach `runs` and `executor` once they exist.
  let onLost = () => undefined as void;
  let onControl: (m: ControlMessage) => void = () => undefined;
  const lease = new ProcessLease(db.url, { onLost: () => onLost(), onControl: (m) => onControl(m) });
  const executor = new RunExecutor(store, events, saver, workflows, deps, lease, new DurationHistory(db.pool), report, templates);
  const queue = options.queue ? new RunQueue(db.pool) : undefined;
  await queue?.start([...workflows.keys(), ...(queue ? await templates.refresh() : [])]);
  const concurrency = options.queue ? options.queue.concurrency ?? 4 : undefined;
  const runs = new Runs(store, events, executor, db.pool, { deps, compensation: options.compensation, queue, deadLetterAfter: options.deadLetterAfter });
  // An API-only process executes nothing, so it takes nothing over either.
  const recovering = options.recover ?? concurrency !== 0;
  // A lost lease stops this process's runs; under a new lease it takes them back at once.
  onLost = () =>
    void executor
      .fenceAll()
      .then(() => (recovering ? retryHiccups(() => runs.recover(), options.hiccups) : undefined))
      .catch((e) => report(e, 'taking runs back after a lost lease'));
  onControl = (m) => void runs.control(m).catch((e) => report(e, `run ${m.runId}: ${m.action} asked by another process`));
  // Runs a dead process left behind are taken over at start and by a periodic sweep
  // (a dead process's lock frees only when Postgres notices its connection is gone).
  let sweep: NodeJS.Timeout | undefined;
  if (recovering) {
    await runs.recover();
    // Templates created elsewhere are found here too, should a queue notice about one be lost.
    sweep = setInterval(() => void templates.refresh().then(() => runs.recover()).catch(() => undefined), options.recoverEveryMs ?? 10_000);
    sweep.unref();
  }
  let collector: NodeJS.Timeout | undefined;
  if (options.gcEveryMs !== undefined) {
    const built = [...workflows.values()].map((w) => w.built);
    collector = setInterval(() => void gc(db, built).catch((e) => report(e, 'retention gc')), options.gcEveryMs);
    collector.unref();
  }
  await relay?.start();
  const worker = queue && concurrency ? new RunWorker(db.url, db.pool, queue, executor, {
    concurrency, workflows: options.queue?.workflows ?? (() => [...workflows.keys(), ...templates.ids()]), limits: options.queue?.limits, rates: options.queue?.rates, onError: report,
    ...(options.queue?.workflows ? {} : { discover: async (id: string) => (await templates.refresh(), templates.ids().includes(id)) }),
  }) : undefined;
  await worker?.start();
  return {
    role: concurrency === undefined ? 'single' : concurrency === 0 ? 'api' : 'api+worker',
    templates,
    runs, db, saver, bus, ledger, decisions, workflows, registry, breakers, hooks,
    close: async () => {
      clearInterval(sweep);
      clearInterval(collector);
      await worker?.stop();
      await runs.drain();
      await hooks.close();
      await queue?.stop();
      await notifier?.close();
      await relay?.close();
      await lease.close();
      if (!options.database) await db.close();
    },
  };
}
