/**
 * The outcome events of a run, as keys to compare between runs: a stage completed,
 * stepped or skipped, a decision made (point, iteration, choice). However often a run
 * crashed or its database failed, each outcome is logged exactly as often as in an
 * uncrashed run of the same seed.
 */
import type { RunEvent } from '../../graph/events/types.ts';

/** The run's outcome keys, sorted (a multiset). */
export function outcomes(events: RunEvent[]): string[] {
  const keys: string[] = [];
  for (const e of events) {
    if (e.type === 'workflow.stage_changed' && (e.payload.change === 'completed' || e.payload.change === 'step' || e.payload.change === 'skipped')) {
      keys.push(`${e.payload.change} ${e.payload.stage}`);
    } else if (e.type === 'workflow.decision_made') {
      keys.push(`decision ${e.payload.decision.point}#${e.payload.decision.iteration} -> ${e.payload.decision.chosen}`);
    }
  }
  return keys.sort();
}

/** `a - b` as multisets: what `a` has more often than `b`. */
export function minus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const k of b) left.set(k, (left.get(k) ?? 0) + 1);
  const out: string[] = [];
  for (const k of a) {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(k);
  }
  return out;
}
