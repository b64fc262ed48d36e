/**
 * Swarm / voting: N voter stages run in parallel (a LangGraph fan-out: one superstep,
 * one task each), then a consensus decision point tallies their votes. The tally is a
 * rule of an ordinary decision point, so the outcome is a `DecisionRecord` with the
 * count as its explanation and every losing option, with its voters, as an
 * alternative (the dissent). Without consensus the decision is `no-consensus`.
 *
 * `variants()` makes the voters from one stage run N times with different parameters
 * or a different model: each variant is a stage of its own (its own task, output and
 * checkpointed write), so a crash after some voters finished reruns only the others.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import type { WorkflowStateValue } from '../state.ts';
import { END } from '../workflow.ts';
import { invalidPattern, type PatternParts } from './parts.ts';

/** The decision when the votes reach no consensus. */
export const NO_CONSENSUS = 'no-consensus';

/**
 * - `majority`: the leading option needs more than half of the votes cast;
 * - `weighted`: the option with the most weight wins (voters' `weights`), a tie is no consensus;
 * - `quorum`: the leading option needs at least `quorum` votes (by weight).
 */
export type ConsensusMethod = 'majority' | 'weighted' | 'quorum';
export const CONSENSUS_METHODS: readonly ConsensusMethod[] = ['majority', 'weighted', 'quorum'];

export interface SwarmOptions {
  /** The consensus decision point's name (kebab-case). */
  name: string;
  description?: string;
  voters: AnyStagePlugin[];
  /** The option a voter's output votes for; `undefined` abstains. */
  vote: (output: unknown, voter: string) => string | undefined;
  /** @default 'majority' */
  method?: ConsensusMethod;
  /** Weight of each voter's vote, by voter name. @default 1 each */
  weights?: Record<string, number>;
  /** Votes (by weight) the leading option needs under `quorum`. */
  quorum?: number;
  /** Where the block leads after the consensus (a node name or END). */
  then: string;
  /**
   * The input of the `then` stage. @default the output of the first voter that voted for
   * the chosen option (of the first voter, without consensus)
   */
  thenInput?: (state: WorkflowStateValue) => unknown;
}

/** What the consensus point decides on. */
export interface Tally {
  method: ConsensusMethod;
  /** Each voter's vote (`null`: abstained or did not run). */
  votes: Record<string, string | null>;
  weights: Record<string, number>;
  quorum?: number;
}

interface Count {
  option: string;
  weight: number;
  voters: string[];
}

/** Options by weight, heaviest first (ties in first-vote order). */
export function count(t: Tally): Count[] {
  const by = new Map<string, Count>();
  for (const [voter, option] of Object.entries(t.votes)) {
    if (option === null) continue;
    const c = by.get(option) ?? { option, weight: 0, voters: [] };
    c.weight += t.weights[voter] ?? 1;
    c.voters.push(voter);
    by.set(option, c);
  }
  return [...by.values()].sort((a, b) => b.weight - a.weight);
}

/** The winner under the tally's method, or why there is none. */
export function consensus(t: Tally): { winner: Count; total: number; because: string } | { none: string } {
  const counts = count(t);
  const total = counts.reduce((n, c) => n + c.weight, 0);
  const [top, second] = counts;
  if (!top) return { none: 'no voter voted' };
  const share = `${top.weight} of ${total} votes (${top.voters.join(', ')})`;
  if (t.method === 'majority') {
    return top.weight * 2 > total ? { winner: top, total, because: `${share} chose ${top.option}: a majority (more than ${total / 2})` } : { none: `${share} is no majority` };
  }
  if (t.method === 'quorum') {
    const q = t.quorum ?? 0;
    if (top.weight < q) return { none: `${share} is short of the quorum of ${q}` };
    if (second && second.weight === top.weight) return { none: `${top.option} and ${second.option} tie at ${top.weight}` };
    return { winner: top, total, because: `${share} chose ${top.option}: the quorum of ${q} is met` };
  }
  if (second && second.weight === top.weight) return { none: `${top.option} and ${second.option} tie at weight ${top.weight}` };
  return { winner: top, total, because: `${share} chose ${top.option}: the most weight` };
}

/** The consensus decision point over `voters`' outputs. */
function consensusPoint(options: SwarmOptions, method: ConsensusMethod): DecisionPoint<Tally> {
  const names = options.voters.map((v) => v.name);
  return {
    name: options.name,
    description: options.description ?? `Consensus (${method}) of ${names.join(', ')}`,
    inputs: (state) => ({
      method,
      votes: Object.fromEntries(names.map((v) => [v, v in state.outputs ? options.vote(state.outputs[v], v) ?? null : null])),
      weights: Object.fromEntries(names.map((v) => [v, options.weights?.[v] ?? 1])),
      ...(options.quorum !== undefined ? { quorum: options.quorum } : {}),
    }),
    options: (t) => [...count(t).map((c) => c.option), NO_CONSENSUS],
    rules: [{
      id: `consensus-${method}`,
      when: (t) => 'winner' in consensus(t),
      choose: (t) => (consensus(t) as { winner: Count }).winner.option,
      because: (t) => (consensus(t) as { because: string }).because,
      confidence: 1,
    }],
    default: NO_CONSENSUS,
    whyNot: (t, option) => {
      if (option === NO_CONSENSUS) return 'the votes reached a consensus';
      const c = count(t).find((x) => x.option === option);
      return c ? `dissent: ${c.weight} vote(s) by ${c.voters.join(', ')}` : undefined;
    },
  };
}

/**
 * A swarm block: `voters` in parallel, then the consensus point `name`.
 * @throws StagegraphError `invalid_pattern` for fewer than two voters, an unknown method, a quorum missing, or a bad weight.
 * @example
 * const panel = swarm({ name: 'verdict', voters: variants(judge, [{ name: 'strict', params: { strictness: 0.9 } }, ...]),
 *   vote: (o) => (o as { label: string }).label, method: 'majority', then: 'publish' });
 */
export function swarm(options: SwarmOptions): PatternParts {
  const { name, voters } = options;
  const method = options.method ?? 'majority';
  if (voters.length < 2) invalidPattern('swarm', 'voters', name, `swarm '${name}' needs at least two voters, got ${voters.length}`);
  if (!CONSENSUS_METHODS.includes(method)) invalidPattern('swarm', 'method', String(method), `swarm '${name}': method must be one of ${CONSENSUS_METHODS.join(', ')}, got '${method}'`);
  if (method === 'quorum' && !(typeof options.quorum === 'number' && options.quorum > 0)) invalidPattern('swarm', 'quorum', name, `swarm '${name}': method 'quorum' needs quorum > 0`);
  for (const [voter, w] of Object.entries(options.weights ?? {})) {
    if (!voters.some((v) => v.name === voter)) invalidPattern('swarm', 'weights', voter, `swarm '${name}': weight for '${voter}', which is not a voter`);
    if (!(w >= 0)) invalidPattern('swarm', 'weights', voter, `swarm '${name}': weight of '${voter}' must be >= 0, got ${w}`);
  }
  const names = voters.map((v) => v.name);
  const winnerOutput = (s: WorkflowStateValue) => {
    const chosen = s.decisions[name]?.chosen;
    const winner = names.find((v) => v in s.outputs && options.vote(s.outputs[v], v) === chosen) ?? names.find((v) => v in s.outputs);
    return winner ? s.outputs[winner] : undefined;
  };
  return {
    stages: voters,
    decisions: [consensusPoint(options, method)],
    edges: [{ from: names, to: name }, { from: name, to: options.then }],
    ...(options.then !== END ? { inputs: { [options.then]: options.thenInput ?? winnerOutput } } : {}),
    entry: names,
  };
}

/** One variant of a stage: a name suffix, input fields it fixes, and/or another chat model. */
export interface Variant {
  /** The variant stage is named `<stage>-<name>`. */
  name: string;
  /** Fields merged over the stage's input. */
  params?: Record<string, unknown>;
  /** The chat model this variant uses (`ctx.llm`). @default the run's */
  llm?: BaseChatModel;
}

/**
 * One stage as N stages, each with its own parameters or model: voters for a swarm.
 * @example variants(judge, [{ name: 'a', params: { temperature: 0 } }, { name: 'b', llm: otherModel }])
 */
export function variants(stage: AnyStagePlugin, list: Variant[]): AnyStagePlugin[] {
  return list.map((v) => ({
    ...stage,
    name: `${stage.name}-${v.name}`,
    description: `${stage.description} (variant ${v.name})`,
    run: (input, ctx) => stage.run({ ...input, ...v.params }, v.llm ? { ...ctx, llm: v.llm } : ctx),
  }));
}
