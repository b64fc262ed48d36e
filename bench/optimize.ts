/**
 * Benchmark: the optimize stage end to end (NSGA-II, population 100 x 200 generations,
 * 20,100 tank evaluations, eight resumable steps, Designs built for the front) on the
 * Mirai basis (70 MPa, 5 kg, Type IV, HDPE, T700S). Prints the median wall time of 5
 * runs and nothing else; writes no files. Target: under 1 s on the shared 2-core machine.
 *
 *   npx tsx bench/optimize.ts
 */
import { isContinue } from '../nodes/types.ts';
import type { StageContext } from '../nodes/types.ts';
import { DesignBasis } from '../plugins/h2-tank/schemas.ts';
import { optimizeStage } from '../plugins/h2-tank/stages/optimize.ts';

const RUNS = 5;

const basis = DesignBasis.parse({
  requirements: {
    pressureMPa: 70, h2MassKg: 5, application: 'automotive', market: 'JP', temperatureC: { min: -40, max: 85 },
    envelope: {}, standards: ['GTR13'], priorities: ['lightest'], assumptions: [], parsedBy: 'structured',
  },
  tankType: 'IV', liner: 'HDPE', fiber: 'T700S', resin: 'epoxy', burstRatio: 2.25, standards: ['GTR13'],
  goal: 'min-mass', seed: 1,
});

function context(resume: unknown): StageContext {
  const quiet = () => {};
  return {
    runId: 'bench', stage: 'optimize', attempt: 1, signal: new AbortController().signal, seed: 1, resume,
    progress: quiet, emit: quiet, log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  };
}

/** One full optimisation, every step's scratch passed through JSON as a checkpoint would. */
async function once(): Promise<number> {
  const t0 = performance.now();
  let resume: unknown;
  for (;;) {
    const result = await optimizeStage.run(basis, context(resume));
    if (!isContinue(result)) break;
    resume = JSON.parse(JSON.stringify(result.scratch));
  }
  return performance.now() - t0;
}

const times: number[] = [];
for (let i = 0; i < RUNS; i++) times.push(await once());
times.sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)];
console.log(`optimize 100 x 200 (Mirai basis): median ${(median / 1000).toFixed(3)} s of ${RUNS} runs (min ${(times[0] / 1000).toFixed(3)} s, max ${(times[RUNS - 1] / 1000).toFixed(3)} s)`);
