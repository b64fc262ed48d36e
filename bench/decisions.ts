/**
 * Decision latency without the LLM: `decide()` on a point with 10 rules (fired rules,
 * conflicts settled by priority and confidence, alternatives and explanation built),
 * over 10,000 decisions on varied inputs, measured one by one. Also `decide()` with
 * learned preferences applied and the bare `evaluateRules()`. Target: p99 < 1 ms.
 *
 *     npm run bench:decisions   (or: npx tsx bench/decisions.ts)
 */
import { decide } from '../graph/decisions/decide.ts';
import { evaluateRules } from '../graph/decisions/evaluate.ts';
import type { LearnedPreferences } from '../graph/decisions/preferences.ts';
import type { DecisionPoint, DecisionRule } from '../graph/decisions/types.ts';
import { ms, quantile, table, verdict } from './stats.ts';

interface In {
  pressureMPa: number;
  tempMinC: number;
  application: 'automotive' | 'bus' | 'stationary' | 'transport' | 'aerospace';
  priorities: string[];
}

const at = (i: In) => `pressureMPa = ${i.pressureMPa}, application = ${i.application}`;
const rule = (id: string, choose: string, priority: number, confidence: number, when: (i: In) => boolean, safety = false): DecisionRule<In> => ({
  id, when, choose, priority, confidence, safety,
  because: (i) => `${id}: ${choose} at ${i.pressureMPa} MPa for ${i.application}`,
  evidence: (i) => ({ dataPoint: at(i), clause: 'GTR 13 §5.1', source: 'H2_REFERENCE.md' }),
});

const point: DecisionPoint<In> = {
  name: 'tank-type',
  description: 'tank type from pressure, application, temperature and priorities',
  options: ['I', 'II', 'III', 'IV'],
  inputs: () => ({ pressureMPa: 70, tempMinC: -40, application: 'automotive', priorities: [] }),
  rules: [
    rule('h70-vehicle', 'IV', 30, 0.95, (i) => i.pressureMPa >= 60 && i.application !== 'stationary'),
    rule('weight-critical', 'IV', 20, 0.9, (i) => i.application === 'automotive' || i.application === 'aerospace'),
    rule('heavy-duty', 'IV', 10, 0.8, (i) => i.application === 'bus'),
    rule('tube-payload', 'IV', 10, 0.85, (i) => i.application === 'transport'),
    rule('tube-steel', 'I', 20, 0.8, (i) => i.application === 'transport' && i.pressureMPa <= 25 && i.priorities[0] === 'cheapest'),
    rule('ground-steel', 'I', 10, 0.85, (i) => i.application === 'stationary' && i.pressureMPa < 30),
    rule('ground-hoop', 'II', 40, 0.9, (i) => i.application === 'stationary' && i.pressureMPa >= 30, true),
    rule('ground-light', 'IV', 15, 0.8, (i) => i.application === 'stationary' && i.priorities[0] === 'lightest'),
    rule('cold-service', 'III', 50, 0.75, (i) => i.tempMinC < -40 && i.application !== 'stationary', true),
    rule('tie-breaker', 'III', 10, 0.85, (i) => i.application === 'transport' && i.pressureMPa > 50),
  ],
  default: 'IV',
  whyNot: (i, option) => (option === 'I' ? `all steel is heaviest at ${i.pressureMPa} MPa` : undefined),
};

const APPS: In['application'][] = ['automotive', 'bus', 'stationary', 'transport', 'aerospace'];
const PRIOS = [[], ['cheapest'], ['lightest'], ['lightest', 'cheapest']];

/** Deterministic varied inputs (LCG), so every rule fires somewhere. */
function inputsFor(n: number): (In & Record<string, unknown>)[] {
  let s = 42;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => ({
    pressureMPa: Math.round(10 + rnd() * 80),
    tempMinC: Math.round(-60 + rnd() * 40),
    application: APPS[Math.floor(rnd() * APPS.length)]!,
    priorities: PRIOS[Math.floor(rnd() * PRIOS.length)]!,
  }));
}

async function time(label: string, inputs: (In & Record<string, unknown>)[], run: (i: In & Record<string, unknown>) => unknown): Promise<string[]> {
  for (const i of inputs.slice(0, 1000)) await run(i); // warm-up
  const samples: number[] = [];
  for (const i of inputs) {
    const t0 = performance.now();
    await run(i);
    samples.push(performance.now() - t0);
  }
  const p99 = quantile(samples, 0.99);
  return [label, String(samples.length), `${(quantile(samples, 0.5) * 1000).toFixed(1)} µs`, `${(p99 * 1000).toFixed(1)} µs`, `${ms(Math.max(...samples))} ms`, verdict(p99 < 1)];
}

const N = 10_000;
const inputs = inputsFor(N);
const prefs: LearnedPreferences = { owner: 'bench', options: { III: 0.5, IV: -0.25 }, criteria: {}, feedback: 3 };
const methods = new Map<string, number>();
for (const i of inputs) {
  const r = await decide(point, i);
  methods.set(r.method, (methods.get(r.method) ?? 0) + 1);
}

const rows = [
  ['measure (10 rules)', 'n', 'p50', 'p99', 'max', 'p99 < 1 ms'],
  await time('decide(), rules only', inputs, (i) => decide(point, i)),
  await time('decide(), with preferences', inputs, (i) => decide(point, i, { preferences: prefs })),
  await time('evaluateRules()', inputs, (i) => evaluateRules(point, i)),
];
console.log(`Decision latency, ${N} decisions per row, Node ${process.version} (methods: ${[...methods].map(([m, n]) => `${m} ${n}`).join(', ')})\n`);
console.log(table(rows));
