/**
 * Build time of a large workflow: 1,000 stages with trivial zod object schemas and
 * 100 decision points (2-3 rules each) interleaved on the main line; every other point
 * is routed to two branch stages that rejoin the line. Times define (plugins, schemas,
 * `defineWorkflow`), validate (`buildWorkflow`: names, edges, reachability, loops,
 * schema compatibility) and compile (`.compile()` without a checkpointer), fresh each
 * iteration; median of 7. The build touches no database.
 *
 * Usage: `npm run bench:build` (env: BENCH_ITERATIONS=7).
 */
import { loadavg } from 'node:os';
import { z } from 'zod';
import { buildWorkflow, type BuiltWorkflow } from '../graph/compile.ts';
import type { DecisionPoint } from '../graph/decisions/types.ts';
import { END, START, defineWorkflow, type Edge, type WorkflowDefinition } from '../graph/workflow.ts';
import type { AnyStagePlugin } from '../nodes/types.ts';
import { median, ms, quantile, table, verdict } from './stats.ts';

const STAGES = 1000;
const POINTS = 100;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 7);
const TARGET_MS = 1000;

type Inputs = { n: number };

/** A trivial stage with its own schema objects, as separately written plugins have. */
function stage(name: string): AnyStagePlugin {
  return {
    name, version: '1.0.0', description: `stage ${name}`, capabilities: [],
    input: z.object({ n: z.number(), note: z.string().optional() }),
    output: z.object({ n: z.number(), note: z.string() }),
    async run({ n }: Inputs) {
      return { n: n + 1, note: name };
    },
  };
}

function point(name: string, after: string, options: string[]): DecisionPoint<Inputs> {
  const rules = [
    { id: `${name}-low`, when: (i: Inputs) => i.n < 100, choose: options[0]!, because: 'n is below 100', confidence: 0.9 },
    { id: `${name}-high`, when: (i: Inputs) => i.n >= 100, choose: options[1]!, because: 'n is 100 or more', confidence: 0.8, evidence: { dataPoint: 'n' } },
  ];
  if (options.length > 2) rules.push({ id: `${name}-even`, when: (i) => i.n % 2 === 0, choose: options[2]!, because: 'n is even', confidence: 0.5 });
  return {
    name, description: `decision after ${after}`, options,
    inputs: (s) => ({ n: (s.outputs[after] as Inputs | undefined)?.n ?? 0 }),
    rules, default: options[0]!,
  };
}

/** Main line of 900 stages with a point after every 9th; odd points route to two branch stages (100 in all) that rejoin. */
function define(): WorkflowDefinition {
  const routedPoints = POINTS / 2;
  const mainCount = STAGES - 2 * routedPoints;
  const stages: AnyStagePlugin[] = [];
  const decisions: DecisionPoint[] = [];
  const edges: Edge[] = [{ from: START, to: 'main-1' }];
  const every = Math.floor(mainCount / POINTS);
  for (let m = 1; m <= mainCount; m++) {
    const here = `main-${m}`;
    const next = m === mainCount ? END : `main-${m + 1}`;
    stages.push(stage(here));
    // Points sit after main-5, main-14, ..., main-896: k = 1..100.
    const k = (m - 5) / every + 1;
    if (!Number.isInteger(k) || k < 1 || k > POINTS) {
      edges.push({ from: here, to: next });
      continue;
    }
    const p = `decide-${k}`;
    edges.push({ from: here, to: p });
    if (k % 2 === 0) {
      decisions.push(point(p, here, ['keep', 'bump', 'hold']));
      edges.push({ from: p, to: next });
      continue;
    }
    const [left, right] = [`branch-${k}-left`, `branch-${k}-right`];
    stages.push(stage(left), stage(right));
    decisions.push(point(p, here, ['left', 'right']));
    edges.push({ from: p, routes: { left, right } }, { from: left, to: next }, { from: right, to: next });
  }
  return defineWorkflow({ id: 'bench-build', description: 'build benchmark', stages, decisions, edges });
}

type Phase = 'define' | 'validate' | 'compile' | 'total';
const PHASES: Phase[] = ['define', 'validate', 'compile', 'total'];
const wall: Record<Phase, number[]> = { define: [], validate: [], compile: [], total: [] };
// CPU time (user + system) is less sensitive than wall time to other load on a shared machine.
const cpu: Record<Phase, number[]> = { define: [], validate: [], compile: [], total: [] };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let last: { def: WorkflowDefinition; built: BuiltWorkflow; nodes: number } | undefined;
for (let i = 0; i < ITERATIONS; i++) {
  const t = [performance.now()];
  const c = [cpuMs()];
  const mark = () => {
    t.push(performance.now());
    c.push(cpuMs());
  };
  const def = define();
  mark();
  const built = buildWorkflow(def);
  mark();
  const graph = built.compile();
  mark();
  PHASES.forEach((p, k) => {
    const [from, to] = p === 'total' ? [0, 3] : [k, k + 1];
    wall[p].push(t[to]! - t[from]!);
    cpu[p].push(c[to]! - c[from]!);
  });
  last = { def, built, nodes: Object.keys(graph.nodes).length };
}

const { def, built, nodes } = last!;
const routed = built.plan.routes.size;
if (def.stages.length !== STAGES || def.decisions!.length !== POINTS) throw new Error('generated workflow has the wrong shape');
console.log(`stagegraph build: ${def.stages.length} stages, ${def.decisions!.length} decision points (${routed} routed to two rejoining branches), ${def.edges.length} edges, ${nodes} graph nodes; ${ITERATIONS} iterations`);
console.log(table([
  ['phase', 'median ms', 'min ms', 'max ms', 'median cpu ms'],
  ...PHASES.map((p) => [p, ms(median(wall[p])), ms(Math.min(...wall[p])), ms(Math.max(...wall[p])), ms(median(cpu[p]))]),
]));
const total = median(wall.total);
console.log(`\ndefine + validate + compile: median ${ms(total)} ms (p90 ${ms(quantile(wall.total, 0.9))}, cpu ${ms(median(cpu.total))} ms), load avg ${loadavg()[0]!.toFixed(1)}, target < ${TARGET_MS} ms: ${verdict(total < TARGET_MS)}`);
