/**
 * How a run is dispatched through the queue: its priority level and its earliest start,
 * read from the run's options and checked like every other input.
 *
 * - `priority`: `low` | `normal` (default) | `high` | `urgent`; pg-boss fetches higher
 *   first, then older first.
 * - `startAfter`: an ISO 8601 date-time, or a number of seconds from now.
 */
import { StagegraphError } from '../../nodes/errors.ts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** pg-boss's integer priority of each level. */
export const PRIORITY_VALUE: Record<Priority, number> = { low: 0, normal: 10, high: 20, urgent: 30 };

export interface Dispatch {
  priority: Priority;
  /** When the run may start; undefined for now. */
  startAfter?: Date;
}

function invalid(field: string, message: string): StagegraphError {
  return new StagegraphError('invalid_input', message, { class: 'validation', details: { field } });
}

/** The dispatch a run's options ask for. @throws StagegraphError `invalid_input` */
export function dispatchOf(options: Record<string, unknown>, now = new Date()): Dispatch {
  const priority = options.priority ?? 'normal';
  if (typeof priority !== 'string' || !(PRIORITIES as readonly string[]).includes(priority)) {
    throw invalid('options.priority', `options.priority must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  }
  const after = options.startAfter;
  if (after === undefined) return { priority: priority as Priority };
  let at: Date;
  if (typeof after === 'number' && Number.isFinite(after) && after >= 0 && after <= 366 * 86_400) at = new Date(now.getTime() + after * 1000);
  else if (typeof after === 'string' && !Number.isNaN(Date.parse(after)) && /^\d{4}-\d{2}-\d{2}T/.test(after)) at = new Date(after);
  else throw invalid('options.startAfter', `options.startAfter must be an ISO 8601 date-time or a number of seconds (0 to a year), got ${JSON.stringify(after)}`);
  return { priority: priority as Priority, startAfter: at };
}
