/**
 * Decision point `goal`: what the optimiser and the design choice weigh most,
 * `min-mass`, `min-cost` or `balanced`. A stated priority (lightest / cheapest, the
 * first stated of the two) outranks what the application implies.
 *
 * Application defaults: cars and aircraft carry their tank (mass is range and payload:
 * the DOE targets are 4.5 wt % system-level [S]); ground storage does not move, so cost
 * per kg stored leads (DOE cost target 10 USD/kWh [S]); heavy vehicles, ships, trains
 * and tube trailers care about both.
 */
import type { DecisionPoint, DecisionRule } from '../../../graph/decisions/types.ts';
import type { Application, Priority } from '../schemas.ts';
import { firstOf, requirementsOf } from './state.ts';

/** The word with its indefinite article: 'an automotive', 'a bus'. */
const an = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** What the goal rules look at (JSON-serialisable). */
export interface GoalInputs {
  application: Application;
  priorities: Priority[];
}

/** The optimisation goals. */
export const GOALS = ['min-mass', 'min-cost', 'balanced'] as const;
export type Goal = (typeof GOALS)[number];

const BOTH: readonly Application[] = ['bus', 'truck', 'rail', 'marine', 'transport'];
const data = (i: GoalInputs): string => `application = ${i.application}, priorities = [${i.priorities.join(', ')}]`;
const point = 'goal';

const rules: DecisionRule<GoalInputs>[] = [
  {
    id: 'stated-lightest',
    when: (i) => firstOf(i.priorities, ['lightest', 'cheapest']) === 'lightest',
    choose: 'min-mass',
    because: 'The request ranks low mass above low cost',
    evidence: (i) => ({ dataPoint: data(i), source: 'the request: priorities in the order stated' }),
    confidence: 0.9,
    priority: 20,
  },
  {
    id: 'stated-cheapest',
    when: (i) => firstOf(i.priorities, ['lightest', 'cheapest']) === 'cheapest',
    choose: 'min-cost',
    because: 'The request ranks low cost above low mass',
    evidence: (i) => ({ dataPoint: data(i), source: 'the request: priorities in the order stated' }),
    confidence: 0.9,
    priority: 20,
  },
  {
    id: 'weight-critical-application',
    when: (i) => i.application === 'automotive' || i.application === 'aerospace',
    choose: 'min-mass',
    because: (i) => `${cap(an(i.application))} tank is carried: its mass is range and payload`,
    evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: DOE onboard targets 4.5 wt % (2020), 6.5 wt % ultimate [S]/[R]' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'ground-storage-cost',
    when: (i) => i.application === 'stationary',
    choose: 'min-cost',
    because: 'Ground storage does not move: cost per kg stored decides',
    evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: carbon fiber is most of a composite tank\'s cost (13-16 USD/kWh at 700 bar [R])' }),
    confidence: 0.85,
    priority: 10,
  },
  {
    id: 'payload-and-cost',
    when: (i) => BOTH.includes(i.application),
    choose: 'balanced',
    because: (i) => `${cap(an(i.application))} application pays for both: tank mass takes payload and tank cost is a large share of the vehicle or trailer`,
    evidence: (i) => ({ dataPoint: data(i), source: 'H2_REFERENCE.md: DOE targets combine 4.5 wt % and 10 USD/kWh [S]' }),
    confidence: 0.75,
    priority: 10,
  },
];

/**
 * The `goal` decision point. Options `min-mass`, `min-cost`, `balanced`; default `balanced`.
 * @example evaluateRules(goalPoint, { application: 'stationary', priorities: ['lightest'] }) // min-mass
 */
export const goalPoint: DecisionPoint<GoalInputs> = {
  name: point,
  description: 'Choose the optimisation goal from application and stated priorities',
  options: GOALS,
  inputs: (state) => {
    const r = requirementsOf(state, point);
    return { application: r.application, priorities: r.priorities };
  },
  rules,
  default: 'balanced',
  prompt: 'Choose what the tank design should minimise: mass, cost, or a balance.',
  whyNot: (i, option) =>
    option === 'balanced'
      ? `a clear lead exists for ${an(i.application)} with priorities [${i.priorities.join(', ')}]`
      : `${option === 'min-mass' ? 'mass' : 'cost'} is not what leads for ${an(i.application)} with priorities [${i.priorities.join(', ')}]`,
};
