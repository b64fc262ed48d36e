/**
 * `Hooks`: registered webhooks and packs' code hooks, their deliveries and where they
 * run. Wires the table (`store.ts`), the log-to-deliveries derivation (`derive.ts`), the
 * dispatcher (`dispatcher.ts`) and the blocking hooks the stage runtime calls
 * (`blocking.ts`). `createStagegraph()` makes one; it is `stagegraph.hooks`.
 */
import type pg from 'pg';
import { StagegraphError } from '../../nodes/errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { EventLog } from '../events/log.ts';
import type { RegisteredHook } from '../packs/registry.ts';
import { BlockingHooks, type BeforeStage } from './blocking.ts';
import { DeliveryStore } from './deliveries.ts';
import { HookDeriver, type DerivePolicy } from './derive.ts';
import { HookDispatcher, type DispatchPolicy } from './dispatcher.ts';
import { HookStore, toInfo, type HookRow, type NewWebhook } from './store.ts';
import { DEFAULT_HOOK_RETRIES, hookProblem, type DeliveryInfo, type HookEvent, type HookInfo, type PackHook } from './types.ts';

/** `createStagegraph({ hooks })`: how deliveries are retried and found. */
export interface HooksOptions extends Partial<DispatchPolicy>, Partial<DerivePolicy> {
  /**
   * Derive and execute deliveries in this process. Off, it still registers hooks and
   * runs blocking ones; other processes deliver. @default true
   */
  deliver?: boolean;
}

function normalize(o: HooksOptions = {}): DispatchPolicy & DerivePolicy & { deliver: boolean } {
  const policy = {
    backoffMs: o.backoffMs ?? 1000,
    maxBackoffMs: o.maxBackoffMs ?? 300_000,
    timeoutMs: o.timeoutMs ?? 10_000,
    concurrency: o.concurrency ?? 8,
    pollMs: o.pollMs ?? 1000,
    sweepMs: o.sweepMs ?? 5000,
    horizonMs: o.horizonMs ?? 86_400_000,
    deliver: o.deliver ?? true,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) {
      throw new StagegraphError('invalid_options', `hooks.${name} must be a positive number, got ${value}`, { class: 'fatal', details: { option: `hooks.${name}` } });
    }
  }
  return policy;
}

export class Hooks {
  private readonly store: HookStore;
  private readonly deliveries: DeliveryStore;
  private readonly code: Map<string, PackHook>;
  private readonly blocking: BlockingHooks;
  private readonly deriver?: HookDeriver;
  private readonly dispatcher?: HookDispatcher;
  private directory: HookRow[] = [];

  private constructor(pool: pg.Pool, private readonly registered: readonly RegisteredHook[], log: EventLog, options: HooksOptions, report: (error: unknown, context: string) => void) {
    const policy = normalize(options);
    this.store = new HookStore(pool);
    this.deliveries = new DeliveryStore(pool);
    this.code = new Map(registered.map((r) => [r.key, r.hook]));
    this.blocking = new BlockingHooks(pool, this.deliveries, () => this.directory.filter((h) => h.blocking), this.code, policy.timeoutMs);
    if (policy.deliver) {
      const listened = (event?: HookEvent) => this.directory.some((h) => !h.blocking && (event === undefined || h.events.includes(event)));
      this.dispatcher = new HookDispatcher(this.deliveries, this.code, policy, () => listened(), report);
      this.deriver = new HookDeriver(log, this.deliveries, policy, listened, () => this.refresh(), () => this.dispatcher!.poke(), report);
    }
  }

  /** Syncs the packs' code hooks into the table, loads the directory, and starts delivering. */
  static async start(pool: pg.Pool, registered: readonly RegisteredHook[], log: EventLog, bus: EventBus, options: HooksOptions, report: (error: unknown, context: string) => void): Promise<Hooks> {
    const hooks = new Hooks(pool, registered, log, options, report);
    await hooks.store.syncCode(registered.map((r) => ({
      key: r.key, events: r.hook.events, workflows: r.workflows, retries: r.hook.retries ?? DEFAULT_HOOK_RETRIES,
      blocking: r.hook.blocking ?? false, onFailure: r.hook.onFailure ?? 'fail',
    })));
    await hooks.refresh();
    hooks.deriver?.start(bus);
    hooks.dispatcher?.start();
    // Events logged while no process was delivering (or before a crash) are found at once.
    void hooks.deriver?.sweep();
    return hooks;
  }

  /** Reloads the enabled hooks (other processes register and delete them too). */
  async refresh(): Promise<void> {
    this.directory = await this.store.active();
  }

  /**
   * Registers a webhook for `owner`'s runs. Returns it with its signing secret (given,
   * or generated and shown only here).
   * @throws StagegraphError `invalid_hook` naming the field at fault; nothing is stored.
   */
  async create(webhook: NewWebhook): Promise<{ hook: HookInfo; secret: string }> {
    const problem = hookProblem(webhook);
    if (problem) throw new StagegraphError('invalid_hook', problem.message, { class: 'validation', details: { field: problem.field } });
    let url: URL | undefined;
    try {
      url = new URL(webhook.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new StagegraphError('invalid_hook', `url: '${webhook.url}' is not an http(s) URL`, { class: 'validation', details: { field: 'url' } });
    }
    const { hook, secret } = await this.store.create(webhook);
    await this.refresh();
    return { hook: toInfo(hook), secret };
  }

  /** The owner's webhooks and the packs' code hooks. */
  async list(owner: string): Promise<HookInfo[]> {
    return (await this.store.list(owner)).map(toInfo);
  }

  /**
   * Deletes one of the owner's webhooks; its waiting deliveries become dead.
   * @throws StagegraphError `hook_not_found`
   */
  async remove(id: string, owner: string): Promise<HookInfo> {
    const row = await this.store.remove(id, owner);
    await this.refresh();
    return toInfo(row);
  }

  /** Every delivery of a run's events (and blocking executions), with their attempts. */
  forRun(runId: string): Promise<DeliveryInfo[]> {
    return this.deliveries.forRun(runId);
  }

  /** The packs' code hooks, by key. */
  get codeHooks(): readonly RegisteredHook[] {
    return this.registered;
  }

  /** For the stage runtime (`StageRuntimeDeps.beforeStage`): runs the blocking hooks of a stage. */
  readonly beforeStage = (s: BeforeStage): Promise<void> => this.blocking.beforeStage(s);

  /** Derives what the log has now and executes what is due, at once (tests, and after a restart). */
  async flush(runId?: string): Promise<void> {
    if (runId) await this.deriver?.derive(runId);
    else await this.deriver?.sweep();
    this.dispatcher?.poke();
  }

  /** Stops deriving and delivering; attempts in flight are cut short and given back, uncounted, to whoever runs next. */
  async close(): Promise<void> {
    await this.deriver?.close();
    await this.dispatcher?.stop();
  }
}
