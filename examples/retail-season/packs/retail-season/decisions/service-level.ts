/**
 * `service-level`: how much safety stock the allocation carries (the cycle service
 * level behind its z-score), from the segment, the replenishment strategy and how
 * accurate the forecast was on the holdout.
 */
import type { DecisionPoint } from 'stagegraph';
import { SERVICE_LEVELS, type DemandForecast, type Replenishment, type SeasonParameters, type Segment } from '../schemas.ts';

export interface ServiceLevelInputs {
  segment: Segment;
  replenishment: Replenishment;
  /** Mean holdout MASE of the chosen method over the categories. */
  meanMase: number;
}

export const serviceLevel: DecisionPoint<ServiceLevelInputs> = {
  name: 'service-level',
  description: 'How much safety stock the allocation carries: a 90, 95 or 98 % cycle service level',
  options: SERVICE_LEVELS,
  inputs: (state) => {
    const params = state.outputs['parse-season'] as SeasonParameters;
    const f = state.outputs['forecast-demand'] as DemandForecast;
    return { segment: params.segment, replenishment: params.replenishment, meanMase: Math.round((1000 * f.mase.reduce((s, m) => s + m.chosen, 0)) / f.mase.length) / 1000 };
  },
  rules: [
    {
      id: 'luxury-no-stockouts',
      when: (i) => i.segment === 'luxury',
      choose: 'high-98',
      because: 'A luxury season sells at full price and a stockout loses the sale: 98 % service level',
      evidence: (i) => ({ dataPoint: `segment = ${i.segment}` }),
      confidence: 0.85,
      priority: 2,
    },
    {
      id: 'no-replenishment-covers-season',
      when: (i) => i.replenishment === 'none',
      choose: 'high-98',
      because: 'Without replenishment the initial allocation must cover the whole season: 98 % service level',
      evidence: (i) => ({ dataPoint: `replenishment = ${i.replenishment}` }),
      confidence: 0.8,
      priority: 1,
    },
    {
      id: 'fast-fashion-weekly-lean',
      when: (i) => i.segment === 'fast-fashion' && i.replenishment === 'weekly' && i.meanMase < 1,
      choose: 'lean-90',
      because: (i) => `Weekly replenishment corrects misallocations within a week and the forecast is accurate (mean MASE ${i.meanMase}): a lean 90 % service level keeps markdown risk low`,
      evidence: (i) => ({ dataPoint: `segment = ${i.segment}, replenishment = weekly, mean MASE = ${i.meanMase}` }),
      confidence: 0.8,
      priority: 1,
    },
    {
      id: 'uncertain-forecast',
      when: (i) => i.meanMase >= 1,
      choose: 'high-98',
      because: (i) => `The forecast is no better than seasonal naive's in-sample error (mean MASE ${i.meanMase}): more safety stock`,
      evidence: (i) => ({ dataPoint: `mean MASE = ${i.meanMase}` }),
      confidence: 0.7,
    },
  ],
  default: 'standard-95',
  whyNot: (i, option) =>
    option === 'lean-90'
      ? `lean stock needs weekly replenishment in fast fashion and an accurate forecast (here ${i.segment}, ${i.replenishment}, mean MASE ${i.meanMase})`
      : option === 'high-98'
        ? `neither luxury nor unreplenished, and the forecast is accurate (mean MASE ${i.meanMase})`
        : `${i.segment}, ${i.replenishment} replenishment: a rule sets the level for this case`,
};
