/**
 * Reading run state for the h2-tank decision points: the parsed requirements, the
 * options earlier points chose, and the ranking of stated priorities. A point whose
 * input is missing is a wiring bug (fatal), named by code.
 */
import { StagegraphError } from '../../../nodes/errors.ts';
import type { DecisionStateView } from '../../../graph/decisions/types.ts';
import { Requirements, type Priority } from '../schemas.ts';

/** Node name of the stage whose output every point reads. */
export const REQUIREMENTS_STAGE = 'parse-requirements';

/**
 * The `Requirements` output of the parse-requirements stage.
 * @throws StagegraphError `decision_missing_input` (fatal) when the stage has not run.
 */
export function requirementsOf(state: DecisionStateView, point: string): Requirements {
  const parsed = Requirements.safeParse(state.outputs[REQUIREMENTS_STAGE]);
  if (!parsed.success) {
    throw new StagegraphError('decision_missing_input', `decision point '${point}' needs the output of '${REQUIREMENTS_STAGE}'`, {
      class: 'fatal',
      details: { point, needs: REQUIREMENTS_STAGE },
    });
  }
  return parsed.data;
}

/**
 * The option an earlier decision point chose.
 * @throws StagegraphError `decision_missing_input` (fatal) when that point has not decided.
 */
export function chosenOf(state: DecisionStateView, point: string, needs: string): string {
  const record = state.decisions[needs];
  if (record === undefined) {
    throw new StagegraphError('decision_missing_input', `decision point '${point}' needs the decision '${needs}'`, {
      class: 'fatal',
      details: { point, needs },
    });
  }
  return record.chosen;
}

/**
 * The first of `among` in the stated order of priorities (the first stated ranks highest).
 * @example firstOf(['longest-life', 'cheapest', 'lightest'], ['lightest', 'cheapest']) // 'cheapest'
 */
export function firstOf(priorities: readonly Priority[], among: readonly Priority[]): Priority | undefined {
  return priorities.find((p) => among.includes(p));
}

/** Whether mass outranks cost among the stated priorities. */
export const lightFirst = (priorities: readonly Priority[]): boolean => firstOf(priorities, ['lightest', 'cheapest']) === 'lightest';
/** Whether cost outranks mass among the stated priorities. */
export const cheapFirst = (priorities: readonly Priority[]): boolean => firstOf(priorities, ['lightest', 'cheapest']) === 'cheapest';
