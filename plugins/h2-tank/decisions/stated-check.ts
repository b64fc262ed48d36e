/**
 * Before any point decides: does a choice the requester named (a tank type, a liner or
 * fiber) meet a safety rule that argues against it? Then the run asks the person, with
 * the exact question, instead of the decision silently overriding either side. The
 * parse-requirements stage calls this on the requirements it read; an answer comes back
 * as a confirmed clarification (`tankType` or `material`), which binds.
 */
import { evaluateRules } from '../../../graph/decisions/evaluate.ts';
import type { DecisionStateView } from '../../../graph/decisions/types.ts';
import type { RequirementsIssue } from '../requirements/questions.ts';
import type { Requirements } from '../schemas.ts';
import { materialsPoint, REQUESTED_MATERIALS_RULE } from './materials.ts';
import { REQUIREMENTS_STAGE } from './state.ts';
import { matchesRequest, safetyRuleAgainst, statedSafetyIssue } from './stated.ts';
import { REQUESTED_TYPE_RULE, tankTypePoint } from './tank-type.ts';

const pairLabel = (option: string): string => {
  const [liner, fiber] = option.split('/');
  return fiber === 'none' ? `${liner} with no wrap` : `a ${liner} liner with ${fiber} fiber`;
};

/**
 * The question to ask when a named choice meets a safety rule, else undefined.
 * @example checkStatedChoices(read('Type IV tank, 70 MPa, 5 kg, car, down to -55 C'))
 * // { code: 'requirements_safety_conflict', field: 'tankType', question: 'You asked for Type IV ("Type IV"), but the safety rule ...' }
 */
export function checkStatedChoices(requirements: Requirements): RequirementsIssue | undefined {
  const state: DecisionStateView = { request: null, outputs: { [REQUIREMENTS_STAGE]: requirements }, decisions: {}, iterations: {} };
  const typeInputs = tankTypePoint.inputs(state);
  const type = typeInputs.requested;
  if (type && !type.confirmed) {
    const clash = safetyRuleAgainst({ point: tankTypePoint, inputs: typeInputs, allowed: (o) => o === type.type, requestRule: REQUESTED_TYPE_RULE });
    const issue = statedSafetyIssue('tankType', `Type ${type.type}`, type.words, clash, (o) => `Type ${o}`);
    if (issue) return issue;
  }
  const verdict = evaluateRules(tankTypePoint, typeInputs);
  if (verdict.kind !== 'decided') return undefined;
  state.decisions['tank-type'] = {
    id: 'check', point: 'tank-type', iteration: 0, chosen: verdict.chosen, alternatives: [], explanation: '', evidence: [], confidence: 1, method: 'rule',
    inputs: {}, options: [], decidedAt: '',
  };
  const materialInputs = materialsPoint.inputs(state);
  const wanted = materialInputs.requested;
  if (!wanted || wanted.confirmed) return undefined;
  const clash = safetyRuleAgainst({ point: materialsPoint, inputs: materialInputs, allowed: (o) => matchesRequest(o, wanted), requestRule: REQUESTED_MATERIALS_RULE });
  return statedSafetyIssue('material', wanted.words, wanted.words, clash, pairLabel);
}
