/** The step statement: every parameter it passes is referenced (Postgres cannot type one that is not), whatever overrides what. */
import { describe, expect, it } from 'vitest';
import { stepStatement, type StepParts } from '../graph/record/sql.ts';

function referenced(text: string, count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1).filter((k) => !new RegExp(`\\$${k}(?!\\d)`).test(text));
}

const base: StepParts = { events: [], samples: [], blobs: [], writes: [] };
const run = { id: '00000000-0000-0000-0000-000000000001', fence: '3', lastSeq: 7 };

describe('stepStatement', () => {
  it('a terminal status over a pending progress, ETA and error patch references every parameter once overridden', () => {
    for (const to of ['completed', 'failed', 'aborted', 'waiting_input', 'paused', 'running'] as const) {
      const st = stepStatement({
        ...base,
        run: { ...run, status: { from: ['running'], to, error: to === 'failed' ? { code: 'x' } : undefined, question: { q: 1 }, release: true } },
        row: { currentStage: 's', progress: 40, etaMs: 1200.4, degraded: true, error: { code: 'y' } },
        events: [{ type: 'workflow.completed', at: new Date(0), payload: '{}' }],
      })!;
      expect(referenced(st.text, st.values.length)).toEqual([]);
      expect(st.text).toContain('executor = NULL');
      // One assignment per column.
      const set = st.text.slice(st.text.indexOf(' SET ') + 5, st.text.indexOf(' WHERE '));
      const cols = set.split(/, (?=[a-z_]+ = )/).map((a) => a.split(' = ')[0]);
      expect(new Set(cols).size).toBe(cols.length);
    }
  });

  it('nothing to write is no statement; a thread that is not a run has no gate on sg_runs', () => {
    expect(stepStatement(base)).toBeUndefined();
    const st = stepStatement({ ...base, writes: [{ row: ['t', '', 'c', 'task', 0, 'ch', 'json', new Uint8Array([1])], upsert: false }] })!;
    expect(st.text).not.toContain('sg_runs');
    expect(referenced(st.text, st.values.length)).toEqual([]);
  });

  it('the same shape of parts gives the same statement name (planned once per connection)', () => {
    const a = stepStatement({ ...base, run, row: { progress: 1 } })!;
    const b = stepStatement({ ...base, run: { ...run, lastSeq: 9 }, row: { progress: 55 } })!;
    expect(a.name).toBe(b.name);
    expect(stepStatement({ ...base, run, row: { etaMs: 1 } })!.name).not.toBe(a.name);
  });
});
