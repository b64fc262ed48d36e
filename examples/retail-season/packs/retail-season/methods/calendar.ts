/** Where the season sits after the history: weeks from the end of the history to its start, and its first Monday. */
import { PERIOD } from './holt-winters.ts';

/**
 * Weeks between the end of the history and the season's first week. History week t
 * (0-based) is week of year (t mod 52) + 1, so the next week is week of year
 * (n mod 52) + 1. No named season: it starts the week after the history.
 */
export function seasonOffset(historyWeeks: number, startWeek: number | null): number {
  if (startWeek === null) return 0;
  return (((startWeek - 1 - (historyWeeks % PERIOD)) % PERIOD) + PERIOD) % PERIOD;
}

/** The ISO date of the Monday `weeks` weeks after `monday`. */
export function addWeeks(monday: string, weeks: number): string {
  const d = new Date(`${monday}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 7 * weeks);
  return d.toISOString().slice(0, 10);
}
