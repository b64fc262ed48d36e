/**
 * The retail-season workflow: three agents (demand, inventory, pricing) with a
 * decision point at each handoff.
 *
 *   parse-season -> assemble-context -> backtest-forecasts -> forecast-method
 *     -> forecast-demand -> service-level -> allocate-inventory -> markdown-strategy
 *     -> plan-markdowns -> export-plan
 */
import { join } from 'node:path';
import { defineWorkflow, END, START, type DecisionRecord, type WorkflowStateValue } from 'stagegraph';
import { forecastMethod } from './decisions/forecast-method.ts';
import { markdownStrategy } from './decisions/markdown-strategy.ts';
import { serviceLevel } from './decisions/service-level.ts';
import type { Allocation, Backtest, DemandForecast, ExportedPlan, MarkdownPlan, SeasonContext, SeasonParameters } from './schemas.ts';
import { allocateInventory } from './stages/allocate-inventory.ts';
import { assembleContextStage } from './stages/assemble-context.ts';
import { backtestForecasts } from './stages/backtest-forecasts.ts';
import { exportPlan } from './stages/export-plan.ts';
import { forecastDemand } from './stages/forecast-demand.ts';
import { parseSeason } from './stages/parse-season.ts';
import { planMarkdownsStage } from './stages/plan-markdowns.ts';

const out = <T>(s: WorkflowStateValue, stage: string): T => s.outputs[stage] as T;
const chosen = (s: WorkflowStateValue, point: string): string => s.decisions[point]!.chosen;
const all = <T extends string>(options: readonly T[], to: string) => Object.fromEntries(options.map((o) => [o, to])) as Record<T, string>;

export const retailSeasonWorkflow = defineWorkflow({
  id: 'retail-season',
  description: 'Plans a retail season from a merchant request: demand forecast, inventory allocation, markdowns, exported plan',
  stages: [parseSeason, assembleContextStage, backtestForecasts, forecastDemand, allocateInventory, planMarkdownsStage, exportPlan],
  decisions: [forecastMethod, serviceLevel, markdownStrategy],
  edges: [
    { from: START, to: 'parse-season' },
    { from: 'parse-season', to: 'assemble-context' },
    { from: 'assemble-context', to: 'backtest-forecasts' },
    { from: 'backtest-forecasts', to: 'forecast-method' },
    { from: 'forecast-method', routes: all(['holt-winters-additive', 'holt-winters-multiplicative', 'seasonal-naive'], 'forecast-demand') },
    { from: 'forecast-demand', to: 'service-level' },
    { from: 'service-level', routes: all(['lean-90', 'standard-95', 'high-98'], 'allocate-inventory') },
    { from: 'allocate-inventory', to: 'markdown-strategy' },
    { from: 'markdown-strategy', routes: all(['no-markdown', 'early-shallow', 'late-deep'], 'plan-markdowns') },
    { from: 'plan-markdowns', to: 'export-plan' },
    { from: 'export-plan', to: END },
  ],
  // A string is the request's text; an object gives fields directly ({ text?, seasonWeeks?, ... }).
  request: (request) => (typeof request === 'string' ? { text: request } : request),
  inputs: {
    'forecast-demand': (s) => ({ context: out<SeasonContext>(s, 'assemble-context'), backtest: out<Backtest>(s, 'backtest-forecasts'), method: chosen(s, 'forecast-method') }),
    'allocate-inventory': (s) => ({
      params: out<SeasonParameters>(s, 'parse-season'),
      forecast: out<DemandForecast>(s, 'forecast-demand'),
      stores: out<SeasonContext>(s, 'assemble-context').inventory.stores,
      serviceLevel: chosen(s, 'service-level'),
    }),
    'plan-markdowns': (s) => ({
      params: out<SeasonParameters>(s, 'parse-season'),
      allocation: out<Allocation>(s, 'allocate-inventory'),
      pricing: out<SeasonContext>(s, 'assemble-context').pricing,
      strategy: chosen(s, 'markdown-strategy'),
    }),
    'export-plan': (s) => {
      const runId = s.run?.id ?? 'studio';
      return {
        outDir: join(s.run?.outRoot ?? 'out', runId),
        runId,
        params: out<SeasonParameters>(s, 'parse-season'),
        forecast: out<DemandForecast>(s, 'forecast-demand'),
        allocation: out<Allocation>(s, 'allocate-inventory'),
        markdowns: out<MarkdownPlan>(s, 'plan-markdowns'),
        decisions: (s.decisionLog as DecisionRecord[]).map((d) => ({ point: d.point, chosen: d.chosen, explanation: d.explanation, method: d.method, confidence: d.confidence })),
      };
    },
  },
  summarize: (s) => {
    const f = s.outputs['forecast-demand'] as DemandForecast | undefined;
    const a = s.outputs['allocate-inventory'] as Allocation | undefined;
    const m = s.outputs['plan-markdowns'] as MarkdownPlan | undefined;
    const e = s.outputs['export-plan'] as ExportedPlan | undefined;
    return [
      ...(f ? [`forecast: ${f.method} from ${f.startWeek}, MASE ${f.mase.map((x) => `${x.category} ${x.chosen.toFixed(2)} (naive ${x.seasonalNaive.toFixed(2)})`).join(', ')}`] : []),
      ...(a ? [`allocation: ${a.serviceLevel}, ${a.categories.map((c) => `${c.category} ${c.initial}+${c.holdback}`).join(', ')}`] : []),
      ...(m ? [`markdowns: ${m.strategy}; ${m.categories.map((c) => `${c.category} ${c.markdownWeek ? `-${Math.round(c.depth * 100)} % wk ${c.markdownWeek}` : 'none'} -> ${Math.round(c.sellThrough * 100)} %`).join(', ')}`] : []),
      ...(e ? [`plan: ${e.files.map((x) => join(e.outDir, x.name)).join(', ')}`] : []),
    ];
  },
  retention: { afterDays: 30 },
});
