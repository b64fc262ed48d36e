/**
 * Hooks: what a run's events become for code and webhooks outside the run. `HookEvent`
 * is the closed union of what a hook can listen to; each is derived from one RunEvent
 * (`hookEventOf`), so hooks see exactly what the event log says, and nothing in the
 * step record path knows about them.
 */
import type { RunEvent } from '../events/types.ts';

/** Every event a hook can listen to. A name not in this list does not compile. */
export const HOOK_EVENTS = [
  'stage.before', 'stage.after', 'decision', 'run.started', 'run.waiting_input', 'run.completed', 'run.failed',
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** What a blocking hook does when it fails: fail the stage (and so the run), or ask a person. */
export const HOOK_FAILURE_BEHAVIOURS = ['fail', 'ask'] as const;
export type HookFailureBehaviour = (typeof HOOK_FAILURE_BEHAVIOURS)[number];

/** Delivery states: `failed` waits for a retry at `nextAt`; `dead` is out of retries (or its hook was deleted). */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The hook event a run event is, if any:
 * `workflow.started` -> `run.started`; a stage `started` -> `stage.before`; a stage
 * `completed`, `failed` (each attempt, with `willRetry`) or `skipped` -> `stage.after`;
 * `workflow.decision_made` -> `decision`; `workflow.paused` for input ->
 * `run.waiting_input`; `workflow.completed` / `workflow.failed` -> `run.completed` / `run.failed`.
 */
export function hookEventOf(e: RunEvent): HookEvent | undefined {
  switch (e.type) {
    case 'workflow.started': return 'run.started';
    case 'workflow.stage_changed': {
      const change = e.payload.change;
      if (change === 'started') return 'stage.before';
      if (change === 'completed' || change === 'failed' || change === 'skipped') return 'stage.after';
      return undefined;
    }
    case 'workflow.decision_made': return 'decision';
    case 'workflow.paused': return e.payload.reason === 'input' ? 'run.waiting_input' : undefined;
    case 'workflow.completed': return 'run.completed';
    case 'workflow.failed': return 'run.failed';
    default: return undefined;
  }
}

/** The stage a run event is about, if any. */
export function stageOf(e: RunEvent): string | undefined {
  return e.type === 'workflow.stage_changed' ? e.payload.stage : undefined;
}

/**
 * What a hook receives: the JSON body of a webhook's POST (signed), the first argument
 * of a code hook. `id` is the delivery's: the same on every attempt, so a receiver
 * drops a repeat by it (delivery is at least once).
 */
export interface HookDelivery {
  id: string;
  hook: string;
  event: HookEvent;
  /** 1 on the first attempt. */
  attempt: number;
  run: { id: string; workflowId: string };
  /**
   * The run event the delivery is about, as logged. A blocking `stage.before` hook runs
   * before its event is logged: it gets `{ stage, attempt }` instead.
   */
  data: RunEvent | { stage: string; attempt: number };
}

export interface HookContext {
  /** Aborted when the attempt times out (or the process shuts down). */
  signal: AbortSignal;
}

/**
 * A code hook, declared in a pack (`definePack({ hooks })`). Asynchronous ones run
 * after their event is logged, with retries; a `blocking` one runs inside the stage,
 * before the plugin, once per stage attempt.
 * @example
 * { name: 'audit', events: ['run.completed', 'run.failed'], run: async (d) => audit.write(d) }
 */
export interface PackHook {
  /** kebab-case, unique in the pack; the hook is known as `<pack id>/<name>`. */
  name: string;
  events: readonly HookEvent[];
  /** Throwing (or rejecting) is a failed attempt. */
  run: (delivery: HookDelivery, ctx: HookContext) => unknown;
  /** Ids of the workflows whose runs it hears. @default the pack's own workflows */
  workflows?: readonly string[];
  /** Retries after a failed attempt before the delivery is dead. @default 3 */
  retries?: number;
  /** Run inside the stage, before its plugin; only with `events: ['stage.before']`. @default false */
  blocking?: boolean;
  /** A blocking hook's failure: `fail` fails the stage (`hook_failed`, fatal), `ask` puts a question to a person. @default 'fail' */
  onFailure?: HookFailureBehaviour;
}

export const MAX_HOOK_RETRIES = 10;
export const DEFAULT_HOOK_RETRIES = 3;
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What is wrong with a hook's declaration (pack or API): the field at fault and why; undefined if nothing. One rule set for both. */
export function hookProblem(h: { name?: string; events: readonly string[]; retries?: number; blocking?: boolean }): { field: string; message: string } | undefined {
  const bad = (field: string, message: string) => ({ field, message: `${field}: ${message}` });
  if (h.name !== undefined && !KEBAB.test(h.name)) return bad('name', `'${h.name}' is not kebab-case`);
  if (h.events.length === 0) return bad('events', 'lists no event');
  const unknown = h.events.find((e) => !(HOOK_EVENTS as readonly string[]).includes(e));
  if (unknown !== undefined) return bad('events', `'${unknown}' is not a hook event (one of ${HOOK_EVENTS.join(', ')})`);
  if (new Set(h.events).size !== h.events.length) return bad('events', 'lists an event twice');
  if (h.retries !== undefined && (!Number.isInteger(h.retries) || h.retries < 0 || h.retries > MAX_HOOK_RETRIES)) return bad('retries', `must be an integer from 0 to ${MAX_HOOK_RETRIES}`);
  if (h.blocking && (h.events.length !== 1 || h.events[0] !== 'stage.before')) return bad('blocking', "a blocking hook runs only on 'stage.before' (events must be ['stage.before'])");
  return undefined;
}

/** A registered hook as the API and `hooks.list()` show it (never its secret). */
export interface HookInfo {
  id: string;
  kind: 'webhook' | 'code';
  /** `<pack id>/<name>` for a code hook. */
  key: string | null;
  owner: string | null;
  events: HookEvent[];
  workflows: string[] | null;
  url: string | null;
  blocking: boolean;
  onFailure: HookFailureBehaviour;
  retries: number;
  createdAt: string;
  disabledAt: string | null;
}

/** One attempt of a delivery, as recorded. */
export interface DeliveryAttempt {
  attempt: number;
  /** When the attempt started (database clock). */
  at: string;
  ms: number;
  ok: boolean;
  /** The receiver's HTTP status (webhooks). */
  status?: number;
  error?: string;
}

/** A delivery of a hook for a run event, with its attempts. */
export interface DeliveryInfo {
  id: string;
  hookId: string;
  hookKind: 'webhook' | 'code';
  /** The webhook's URL or the code hook's key. */
  target: string;
  runId: string;
  /** The run event's seq; null for a blocking hook's execution. */
  seq: number | null;
  event: HookEvent;
  stage: string | null;
  blocking: boolean;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due (pending and failed deliveries). */
  nextAt: string | null;
  history: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
}
