/**
 * The WebSocket protocol of `GET /api/agent/progress`: what a client may send, what
 * the server sends, and the close codes. Browser-safe: zod only.
 */
import { z } from 'zod';
import { RunEventSchema } from './events.ts';

export const PROGRESS_PATH = '/api/agent/progress';

const RunIds = z.array(z.uuid()).min(1).max(1000);
const Seq = z.int().min(0).max(2 ** 31 - 1);

export const SubscribeMessage = z.strictObject({
  type: z.literal('subscribe'),
  /** Run ids, or `'all'`: every run of the caller, including runs started later. @default "all" */
  runIds: z.union([z.literal('all'), RunIds]).default('all'),
  /**
   * The last seq the client has, per run (or one number for every run named). Missed
   * events come first, then live ones. Without it a named run is sent from its start;
   * with `'all'`, runs not named here are sent from their start if they still execute.
   */
  since: z.union([z.record(z.uuid(), Seq), Seq]).optional(),
  /**
   * With `'all'`: the `at` of an earlier `subscribed` frame. Runs updated since then that
   * `since` does not name are sent from their start (they began or ended while the
   * client was away).
   */
  after: z.iso.datetime({ offset: true }).optional(),
});

export const UnsubscribeMessage = z.strictObject({
  type: z.literal('unsubscribe'),
  runIds: z.union([z.literal('all'), RunIds]),
});

export const ClientMessage = z.discriminatedUnion('type', [SubscribeMessage, UnsubscribeMessage]);
export type ClientMessage = z.input<typeof ClientMessage>;

export const EventFrame = z.object({ type: z.literal('event'), event: RunEventSchema });
export const SubscribedFrame = z.object({
  type: z.literal('subscribed'),
  runIds: z.union([z.literal('all'), z.array(z.string())]),
  /** Server time; send it back as `after` when resubscribing to `'all'`. */
  at: z.string(),
});
export const UnsubscribedFrame = z.object({ type: z.literal('unsubscribed'), runIds: z.union([z.literal('all'), z.array(z.string())]) });
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const ServerFrame = z.discriminatedUnion('type', [EventFrame, SubscribedFrame, UnsubscribedFrame, ErrorFrame]);
export type ServerFrame = z.output<typeof ServerFrame>;

/** The codes of error frames: bad messages, unknown or foreign runs, limits. */
export const WS_ERROR_CODES = ['invalid_json', 'invalid_message', 'invalid_input', 'run_not_found', 'too_many_subscriptions', 'rate_limited', 'internal', 'unavailable'] as const;

/** Close codes the server uses (besides 1001 on shutdown and 1009 for a message over the size limit). */
export const CLOSE = {
  /** The client did not read fast enough; reconnect and resubscribe with the last seq of each run. */
  SLOW_CONSUMER: 4008,
} as const;
export const SLOW_CONSUMER_REASON = 'resume from last seq';
