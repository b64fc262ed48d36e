/**
 * `markdown-strategy`: whether and how the season is marked down: none, early and
 * shallow (elastic categories respond to a small cut), or late and deep (inelastic
 * ones need a bigger cut, taken late to protect full-price weeks). The merchant's
 * "no markdowns" binds (a safety rule, never moved by learned preferences).
 */
import type { DecisionPoint } from 'stagegraph';
import { MARKDOWN_STRATEGIES, type Allocation, type SeasonContext, type SeasonParameters } from '../schemas.ts';

export interface MarkdownStrategyInputs {
  allowed: boolean;
  segment: string;
  target: number;
  /** Projected sell-through at full price, per category. */
  fullPrice: { category: string; sellThrough: number; elasticity: number }[];
  meanElasticity: number;
  belowTarget: string[];
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

export const markdownStrategy: DecisionPoint<MarkdownStrategyInputs> = {
  name: 'markdown-strategy',
  description: 'Whether to mark down, early and shallow or late and deep, from elasticity and projected sell-through',
  options: MARKDOWN_STRATEGIES,
  inputs: (state) => {
    const params = state.outputs['parse-season'] as SeasonParameters;
    const allocation = state.outputs['allocate-inventory'] as Allocation;
    const context = state.outputs['assemble-context'] as SeasonContext;
    const fullPrice = allocation.categories.map((c) => ({
      category: c.category,
      sellThrough: Math.round((1000 * c.weeks.reduce((s, w) => s + w.sold, 0)) / Math.max(1, c.units)) / 1000,
      elasticity: context.pricing.find((p) => p.category === c.category)!.elasticity,
    }));
    const meanElasticity = Math.round((1000 * fullPrice.reduce((s, c) => s + c.elasticity, 0)) / fullPrice.length) / 1000;
    return { allowed: params.markdown.allowed, segment: params.segment, target: params.markdown.sellThroughTarget, fullPrice, meanElasticity, belowTarget: fullPrice.filter((c) => c.sellThrough < params.markdown.sellThroughTarget).map((c) => c.category) };
  },
  rules: [
    {
      id: 'merchant-forbids-markdowns',
      when: (i) => !i.allowed,
      choose: 'no-markdown',
      because: 'The request rules out markdowns',
      evidence: { dataPoint: 'markdown.allowed = false' },
      confidence: 0.99,
      priority: 10,
      safety: true,
    },
    {
      id: 'on-target-at-full-price',
      when: (i) => i.belowTarget.length === 0,
      choose: 'no-markdown',
      because: (i) => `Every category reaches the ${pct(i.target)} sell-through target at full price (${i.fullPrice.map((c) => `${c.category} ${pct(c.sellThrough)}`).join(', ')})`,
      confidence: 0.9,
      priority: 5,
    },
    {
      id: 'elastic-early-shallow',
      when: (i) => i.belowTarget.length > 0 && i.meanElasticity <= -1.5 && i.segment !== 'luxury',
      choose: 'early-shallow',
      because: (i) => `Demand is elastic (mean elasticity ${i.meanElasticity}): an early, shallow markdown lifts ${i.belowTarget.join(', ')} to the ${pct(i.target)} target while most weeks sell at near full price`,
      evidence: (i) => ({ dataPoint: `mean elasticity = ${i.meanElasticity}`, source: 'promotion weeks of the sales history (assemble-context)' }),
      confidence: 0.8,
    },
    {
      id: 'inelastic-late-deep',
      when: (i) => i.belowTarget.length > 0 && (i.meanElasticity > -1.5 || i.segment === 'luxury'),
      choose: 'late-deep',
      because: (i) => `${i.segment === 'luxury' ? 'A luxury season protects its full-price weeks' : `Demand is inelastic (mean elasticity ${i.meanElasticity})`}: one late, deeper markdown clears ${i.belowTarget.join(', ')}`,
      evidence: (i) => ({ dataPoint: `mean elasticity = ${i.meanElasticity}, segment = ${i.segment}` }),
      confidence: 0.75,
    },
  ],
  default: 'late-deep',
  whyNot: (i, option, chosen) => {
    if (chosen === 'no-markdown') return i.allowed ? 'no category needs a markdown to reach the target' : 'the request rules out markdowns';
    if (option === 'no-markdown') return `${i.belowTarget.join(', ')} stay below the ${pct(i.target)} target at full price`;
    return option === 'early-shallow' ? `mean elasticity ${i.meanElasticity}${i.segment === 'luxury' ? ' in a luxury season' : ''}: a shallow cut moves too few units` : `elastic demand (${i.meanElasticity}) responds to a shallow early cut, keeping more full-price weeks`;
  },
};
