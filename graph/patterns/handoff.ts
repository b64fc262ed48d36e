/**
 * Handoff with quality gates: stages in sequence, each stage's output checked by a gate
 * (a zod schema and rules) before the next stage starts. A gate is a decision point
 * (`<stage>-gate`, options `pass` and `retry`), so every verdict is recorded with the
 * issues it found. A failed gate sends the run back to the stage, whose input is still
 * the last output that passed (the state of the last good checkpoint): the failed
 * output never reaches the next stage. The retries are a bounded loop; once they are
 * used up the gate either fails the run (`loop_exhausted`) or asks a person: the
 * review stage `<stage>-review` interrupts (`waiting_input`) with the issues, and the
 * answer (`{ "output": {...} }` corrected, or `{ "accept": true }`) is checked against
 * the gate again before the run goes on.
 */
import { z } from 'zod';
import { StagegraphError } from '../../nodes/errors.ts';
import type { AnyStagePlugin } from '../../nodes/types.ts';
import type { DecisionPoint } from '../decisions/types.ts';
import { schemaMismatch } from '../schema-compat.ts';
import type { WorkflowStateValue } from '../state.ts';
import { END, type Edge, type WorkflowDefinition } from '../workflow.ts';
import { invalidPattern, lastCompleted, type PatternParts } from './parts.ts';

/** A rule of a gate: `check` returns true when the output is good. */
export interface GateRule {
  id: string;
  check: (output: unknown) => boolean;
  /** What is wrong when `check` fails, e.g. "the summary is empty". */
  message: string;
}

/** What a stage's output must satisfy before the next stage starts. */
export interface Gate {
  /** Checked first; its issues name the field. @default none */
  schema?: z.ZodType;
  rules?: GateRule[];
}

export interface HandoffOptions {
  /** The block's name (for messages). */
  name: string;
  /** In order; each hands off to the next. */
  stages: AnyStagePlugin[];
  /** Gates by stage name; a stage without one hands off directly. */
  gates: Record<string, Gate>;
  /** Times a failed stage runs again before `onExhausted` (at least 1). @default 1 */
  retries?: number;
  /** @default 'ask' */
  onExhausted?: 'ask' | 'fail';
  /** Where the block leads after its last stage passes (a node name or END). */
  then: string;
}

export const gateName = (stage: string) => `${stage}-gate`;
export const reviewName = (stage: string) => `${stage}-review`;

/** The gate's issues with `output`: schema issues (field by field), then failed rules. */
export function gateIssues(gate: Gate, output: unknown): string[] {
  const issues: string[] = [];
  if (gate.schema) {
    const parsed = gate.schema.safeParse(output);
    if (!parsed.success) for (const i of parsed.error.issues) issues.push(`${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  for (const r of gate.rules ?? []) {
    let ok = false;
    try {
      ok = r.check(output);
    } catch {
      ok = false; // a rule that cannot read the output fails it
    }
    if (!ok) issues.push(`${r.id}: ${r.message}`);
  }
  return issues;
}

/** The output a stage handed off: its own, or the one its review accepted, whichever came last. */
export function handedOff(state: WorkflowStateValue, stage: string): unknown {
  const from = lastCompleted(state, [stage, reviewName(stage)]) ?? stage;
  return state.outputs[from];
}

function gatePoint(stage: string, gate: Gate): DecisionPoint<{ stage: string; issues: string[] }> {
  return {
    name: gateName(stage),
    description: `Quality gate after '${stage}'`,
    options: ['pass', 'retry'],
    inputs: (state) => ({ stage, issues: gateIssues(gate, state.outputs[stage]) }),
    rules: [
      { id: 'gate-passed', when: (i) => i.issues.length === 0, choose: 'pass', because: `the output of '${stage}' passed its gate`, confidence: 1 },
      { id: 'gate-failed', when: (i) => i.issues.length > 0, choose: 'retry', because: (i) => `the output of '${stage}' failed its gate: ${i.issues.join('; ')}`, confidence: 1 },
    ],
    default: 'retry',
    whyNot: (i, option) => (option === 'pass' ? `${i.issues.length} issue(s)` : 'no issue found'),
  };
}

const ReviewInput = z.object({ output: z.unknown(), issues: z.array(z.string()), accept: z.boolean().optional() });

/** The stage that asks a person about an output its gate refused after every retry. */
function reviewStage(stage: AnyStagePlugin, gate: Gate): AnyStagePlugin {
  return {
    name: reviewName(stage.name),
    version: stage.version,
    description: `Asks a person about an output of '${stage.name}' its gate refused`,
    capabilities: ['review'],
    input: ReviewInput,
    output: stage.output,
    async run(input: z.output<typeof ReviewInput>) {
      const issues = input.accept ? [] : gateIssues(gate, input.output);
      if (issues.length === 0) return input.output;
      throw new StagegraphError('gate_failed', `the output of '${stage.name}' failed its gate: ${issues.join('; ')}`, {
        class: 'validation',
        details: {
          stage: stage.name,
          issues,
          question: `The output of '${stage.name}' failed its quality gate (${issues.join('; ')}). Answer { "output": <corrected output> } or { "accept": true } to hand it on as it is.`,
        },
      });
    },
  };
}

/**
 * A handoff block: `stages` in order, each behind its gate.
 * @throws StagegraphError `invalid_pattern` for no stages, a gate of a stage not in the block or a bad `retries`;
 *   `workflow_schema_mismatch` when a stage's output does not fit the next stage's input.
 * @example
 * handoff({ name: 'publishing', stages: [draft, edit], then: END,
 *   gates: { draft: { schema: Draft, rules: [{ id: 'long-enough', check: (o) => (o as Draft).text.length > 200, message: 'too short' }] } } });
 */
export function handoff(options: HandoffOptions): PatternParts {
  const { name, stages } = options;
  const retries = options.retries ?? 1;
  if (!stages.length) invalidPattern('handoff', 'stages', name, `handoff '${name}' has no stages`);
  if (!(Number.isInteger(retries) && retries >= 1)) invalidPattern('handoff', 'retries', name, `handoff '${name}': retries must be an integer >= 1, got ${retries}`);
  for (const s of Object.keys(options.gates)) {
    if (!stages.some((x) => x.name === s)) invalidPattern('handoff', 'gates', s, `handoff '${name}': gate for '${s}', which is not one of its stages`);
  }
  const parts: PatternParts = { stages: [], decisions: [], edges: [], entry: stages[0]!.name };
  const inputs: NonNullable<WorkflowDefinition['inputs']> = {};
  const edges: Edge[] = [];
  stages.forEach((stage, i) => {
    const next = stages[i + 1]?.name ?? options.then;
    const prev = stages[i - 1];
    parts.stages.push(stage);
    if (prev) {
      const mismatch = schemaMismatch([prev.output], stage.input);
      if (mismatch) {
        throw new StagegraphError('workflow_schema_mismatch', `schema mismatch between '${prev.name}' and '${stage.name}' in handoff '${name}': ${mismatch}`, {
          class: 'fatal', details: { from: [prev.name], to: stage.name, mismatch },
        });
      }
      inputs[stage.name] = (s) => handedOff(s, prev.name);
    }
    const gate = options.gates[stage.name];
    if (!gate) {
      edges.push({ from: stage.name, to: next });
      return;
    }
    parts.decisions.push(gatePoint(stage.name, gate));
    const ask = options.onExhausted !== 'fail';
    edges.push({ from: stage.name, to: gateName(stage.name) });
    edges.push({
      from: gateName(stage.name),
      routes: { pass: next, retry: stage.name },
      loop: { maxIterations: retries, onExhausted: ask ? reviewName(stage.name) : 'fail' },
    });
    if (ask) {
      const review = reviewStage(stage, gate);
      parts.stages.push(review);
      edges.push({ from: review.name, to: next });
      inputs[review.name] = (s) => ({ output: s.outputs[stage.name], issues: gateIssues(gate, s.outputs[stage.name]) });
    }
  });
  // The stage after the block takes what the last stage handed off (its review's, if it asked).
  const last = stages[stages.length - 1]!;
  if (options.gates[last.name] && options.onExhausted !== 'fail' && options.then !== END) inputs[options.then] = (s) => handedOff(s, last.name);
  return { ...parts, edges, inputs, entry: stages[0]!.name };
}
