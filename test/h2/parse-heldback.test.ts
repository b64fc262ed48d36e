/**
 * The rules-only requirements reader against the held-back phrasings of
 * test/h2/fixtures/parse-heldback.ts (requests the rules were not written against).
 * Reports the hit rate and fails below the floor recorded here, so a change that makes
 * the reader worse on unseen wording is caught. Rules only: no LLM.
 */
import { describe, expect, it } from 'vitest';
import { parseRequirements } from '../../plugins/h2-tank/requirements/parse.ts';
import { HELD_BACK, HELD_BACK_FRESH, type HeldBackExpect } from './fixtures/parse-heldback.ts';

/**
 * Hit rate the reader must keep on the first set. Measured 2026-11-30: 13/43 (30 %) with
 * the reader before issue 12 (it also threw on "0 kg" and read "-5 kg" as 5 kg); 43/43
 * after, but its misses were seen while the synonyms were written, so that figure is
 * not a hold-out measurement.
 */
const FLOOR = 0.9;
/**
 * Floor on the fresh set. Its one untuned measurement, 2026-11-30: 23/30 (77 %). Misses then:
 * "eight hundred bar is too much, go with seven hundred bar" (asks, two pressures),
 * "as light as we can make it", "lowest capex", "10 kpsi", "VTOL air taxi" (read as a car),
 * "Design pressure 87.5 MPa is the MOP; NWP 70 MPa" (asks), "between 60 and 70 kg" (reads 70).
 */
const FRESH_FLOOR = 0.75;

function check(text: string, want: HeldBackExpect): string | undefined {
  let out: ReturnType<typeof parseRequirements>;
  try {
    out = parseRequirements({ text });
  } catch (e) {
    return `threw ${(e as Error).name}`;
  }
  if ('asks' in want) {
    if (out.ok) return `read instead of asking ${want.asks.field}`;
    const got = { code: out.issue.code, field: out.issue.field };
    return got.code === want.asks.code && got.field === want.asks.field ? undefined : `asked ${got.code}/${got.field}`;
  }
  if (!out.ok) return `asked ${out.issue.code}/${out.issue.field}: ${out.issue.question}`;
  const wrong = Object.entries(want.reads).filter(([k, v]) => JSON.stringify(out.requirements[k as keyof typeof out.requirements]) !== JSON.stringify(v));
  return wrong.length ? wrong.map(([k, v]) => `${k} ${JSON.stringify(out.requirements[k as keyof typeof out.requirements])} (want ${JSON.stringify(v)})`).join(', ') : undefined;
}

describe('parse-requirements: held-back phrasings (rules only)', () => {
  it('reads the fresh set (written after the reader was frozen)', () => {
    const misses = HELD_BACK_FRESH.map(([text, want]) => ({ text, why: check(text, want) })).filter((m) => m.why !== undefined);
    const hits = HELD_BACK_FRESH.length - misses.length;
    console.log(`fresh held-back hit rate: ${hits}/${HELD_BACK_FRESH.length} (${((hits / HELD_BACK_FRESH.length) * 100).toFixed(0)} %)`);
    for (const m of misses) console.log(`  miss  ${m.text}: ${m.why}`);
    expect(HELD_BACK_FRESH.length).toBeGreaterThanOrEqual(30);
    expect(hits / HELD_BACK_FRESH.length).toBeGreaterThanOrEqual(FRESH_FLOOR);
  });

  it(`reads at least ${FLOOR * 100} % of the first set as an engineer would`, () => {
    const misses = HELD_BACK.map(([text, want]) => ({ text, why: check(text, want) })).filter((m) => m.why !== undefined);
    const hits = HELD_BACK.length - misses.length;
    console.log(`held-back hit rate: ${hits}/${HELD_BACK.length} (${((hits / HELD_BACK.length) * 100).toFixed(0)} %)`);
    for (const m of misses) console.log(`  miss  ${m.text}: ${m.why}`);
    expect(HELD_BACK.length).toBeGreaterThanOrEqual(40);
    expect(hits / HELD_BACK.length).toBeGreaterThanOrEqual(FLOOR);
  });
});
